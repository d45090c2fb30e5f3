// The AWS SDK a managed runtime ships: Lambda's Node.js 18+ runtimes carry the AWS SDK for JavaScript v3
// in /var/runtime/node_modules, found after the function's own node_modules and its layers
// (lambda-behaviour §8). The host provides real packages from a cache folder, installed once from the npm
// registry — never bundled into the function, and never fetched while an invocation waits.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The clients most Lambda code uses (plus the DynamoDB document client); others are one `npm install` away in the same folder. */
export const RUNTIME_SDK_PACKAGES = [
  '@aws-sdk/client-s3',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/lib-dynamodb',
  '@aws-sdk/client-sqs',
  '@aws-sdk/client-sns',
  '@aws-sdk/client-lambda',
  '@aws-sdk/client-kinesis',
  '@aws-sdk/client-eventbridge',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-ssm',
  '@aws-sdk/client-sts',
] as const;

/** `$XDG_CACHE_HOME/lambda-workbench/nodejs-runtime-sdk` (default `~/.cache/…`): shared by every project on the machine. */
export function defaultRuntimeSdkFolder(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(cache, 'lambda-workbench', 'nodejs-runtime-sdk');
}

/** The folder's node_modules when it holds the SDK, else undefined (functions then see what Lambda would lack: nothing). */
export function installedRuntimeSdk(folder: string): string | undefined {
  const modules = join(folder, 'node_modules');
  try {
    return readdirSync(join(modules, '@aws-sdk')).some((n) => n.startsWith('client-')) ? modules : undefined;
  } catch {
    return undefined;
  }
}

export interface RuntimeSdkProgress {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * Installs the runtime SDK into `folder` with npm (once; a later call finds it). Resolves with the
 * node_modules folder, or undefined — after saying why and what to do — when it cannot be installed.
 */
export function installRuntimeSdk(
  folder: string,
  log: RuntimeSdkProgress,
  npm = process.platform === 'win32' ? 'npm.cmd' : 'npm',
): Promise<string | undefined> {
  const ready = installedRuntimeSdk(folder);
  if (ready) return Promise.resolve(ready);
  mkdirSync(folder, { recursive: true });
  const manifest = join(folder, 'package.json');
  if (!existsSync(manifest)) writeFileSync(manifest, JSON.stringify({ name: 'lambda-workbench-runtime-sdk', private: true }) + '\n');
  log.info(`installing the AWS SDK for JavaScript v3 that Lambda's Node.js runtimes ship, once, into ${folder} (npm, about a minute)…`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(npm, ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', ...RUNTIME_SDK_PACKAGES], {
      cwd: folder,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-2000)));
    const fail = (why: string) => {
      log.warn(
        `the runtime's AWS SDK could not be installed (${why}): functions that require('@aws-sdk/…') without bundling it fail with Runtime.ImportModuleError until it is. ` +
          `Install it by hand with: npm install --prefix "${folder}" ${RUNTIME_SDK_PACKAGES.join(' ')}`,
      );
      resolve(undefined);
    };
    child.on('error', (err) => fail(err.message));
    child.on('close', (code) => {
      const modules = installedRuntimeSdk(folder);
      if (code === 0 && modules) {
        log.info(`the runtime's AWS SDK is installed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        resolve(modules);
      } else fail(stderr.trim().split('\n').at(-1) || `npm exited with ${code}`);
    });
  });
}
