// Where things are, and the one-time install of the VS Code server (scripts/setup-vscode.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');
export const distDir = join(repoRoot, 'dist');
/** Where tests leave files for people to look at (git-ignored). */
export const testOutputRoot = join(repoRoot, 'test-output', 'vscode');
export const chromiumPath = process.env.LAMBDA_WORKBENCH_CHROMIUM ?? '/usr/bin/chromium';

export interface Manifest {
  name: string;
  publisher: string;
  version: string;
}

export function readManifest(dir = repoRoot): Manifest {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Partial<Manifest>;
  if (!pkg.name || !pkg.publisher || !pkg.version) throw new Error(`${dir}/package.json lacks name, publisher or version`);
  return { name: pkg.name, publisher: pkg.publisher, version: pkg.version };
}

/** `publisher.name`, the id VS Code knows the extension by. */
export function extensionId(manifest = readManifest()): string {
  return `${manifest.publisher}.${manifest.name}`;
}

/**
 * Installs the VS Code server into .cache/vscode-server once (about 90 s; later calls return at once)
 * and returns its folder (…/code-server/lib/vscode).
 */
export function ensureVscode(): string {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'setup-vscode.mjs')], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`scripts/setup-vscode.mjs failed (exit ${r.status ?? r.signal}); see its messages above`);
  const dir = r.stdout.trim().split('\n').pop() ?? '';
  if (!existsSync(join(dir, 'out', 'server-main.js')))
    throw new Error(`scripts/setup-vscode.mjs printed ${JSON.stringify(dir)}, which has no out/server-main.js`);
  return dir;
}
