// The VS Code server: started straight from out/server-main.js (code-server's own CLI rejects the flags
// we need), bound to 127.0.0.1 on a port the OS picks, with its own user/server data folders.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killTree } from './processes';

export interface ServerOptions {
  vscodeDir: string;
  /** A scratch folder of this run; user-data/, server-data/ go under it. */
  baseDir: string;
  extensionsDir: string;
  /** Where the server's stdout/stderr are written (server.log). */
  logDir: string;
  /** Added to the server's environment, which the extension host inherits. */
  env?: Record<string, string>;
  /** User settings merged over the harness's defaults. */
  settings?: Record<string, unknown>;
  /** How long to wait for "Extension host agent listening" (default 60 s: the machine is shared). */
  startTimeoutMs?: number;
}

/** Settings that keep a test workbench quiet and deterministic. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  // Without this the folder opens in Restricted Mode and no extension activates.
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'git.enabled': false,
  'npm.autoDetect': 'off',
  'typescript.disableAutomaticTypeAcquisition': true,
  // The DOM renderer, so tests can read terminal text (the WebGL one draws on a canvas).
  'terminal.integrated.gpuAcceleration': 'off',
};

export class VscodeServer {
  constructor(
    readonly process: ChildProcess,
    readonly port: number,
    readonly userDataDir: string,
    readonly serverDataDir: string,
    readonly extensionsDir: string,
    readonly logFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The workbench URL for a folder (an absolute path on this machine). */
  folderUrl(folder: string): string {
    return `${this.url}/?folder=${encodeURIComponent(folder)}`;
  }

  /** Ends the server and everything it started; resolves with pids that survived (empty when clean). */
  async stop(): Promise<number[]> {
    if (this.process.pid === undefined) return [];
    return killTree(this.process.pid);
  }
}

export async function startServer(opts: ServerOptions): Promise<VscodeServer> {
  const userDataDir = join(opts.baseDir, 'user-data');
  const serverDataDir = join(opts.baseDir, 'server-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(serverDataDir, { recursive: true });
  mkdirSync(opts.extensionsDir, { recursive: true });
  mkdirSync(opts.logDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), `${JSON.stringify({ ...DEFAULT_SETTINGS, ...opts.settings }, null, 2)}\n`);
  const logFile = join(opts.logDir, 'server.log');
  const log = createWriteStream(logFile);

  const args = [
    join(opts.vscodeDir, 'out', 'server-main.js'),
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--without-connection-token',
    '--accept-server-license-terms',
    '--telemetry-level',
    'off',
    '--user-data-dir',
    userDataDir,
    '--server-data-dir',
    serverDataDir,
    '--extensions-dir',
    opts.extensionsDir,
  ];
  // Detached: a process group of its own, so shutdown can signal the whole tree.
  const child = spawn(process.execPath, args, {
    cwd: opts.baseDir,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  child.on('exit', () => log.end());

  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let output = '';
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`VS Code server did not report "Extension host agent listening" within ${timeoutMs} ms; output:\n${output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /Extension host agent listening on (\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code, sig) => {
        clearTimeout(timer);
        reject(new Error(`VS Code server exited (${code ?? sig}) before listening; output:\n${output}`));
      });
    });
    return new VscodeServer(child, port, userDataDir, serverDataDir, opts.extensionsDir, logFile);
  } catch (err) {
    if (child.pid !== undefined) await killTree(child.pid);
    throw err;
  }
}
