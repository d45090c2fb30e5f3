// TypeScript handlers (lambda-behaviour §1 Decision): Lambda runs JavaScript only; locally we compile .ts/.mts/.cts
// on the fly with esbuild, with an inline source map whose source is the absolute .ts path (so
// breakpoints bind in the .ts), cached by content hash. Shared by the CommonJS require hook (main
// thread) and the ESM loader hooks (loader thread).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const TS_EXTENSIONS = ['.ts', '.mts', '.cts'] as const;

export interface EsbuildApi {
  version: string;
  transformSync(
    input: string,
    options: { loader: 'ts'; format: 'cjs' | 'esm'; sourcemap: 'inline'; sourcefile: string; target: string; sourcesContent: boolean },
  ): { code: string };
  /** Ends esbuild's service (its sync API's worker thread); the next call starts it again. */
  stop?(): Promise<void> | void;
}

export interface TsSettings {
  esbuild: EsbuildApi;
  /** Writable folder for compiled output; compile results are reused across environments. */
  cacheDir?: string;
}

/** esbuild's options for one file: the same in the bootstrap and in the host's precompile (runtime/typescript-compiler.ts). */
export function transformOptions(filename: string, format: 'cjs' | 'esm', target: string) {
  return { loader: 'ts', format, sourcemap: 'inline', sourcefile: filename, target, sourcesContent: true } as const;
}

/** Where the compiled output of one source is cached: keyed by everything that changes the output. */
export function cachedOutputPath(cacheDir: string, esbuildVersion: string, target: string, format: 'cjs' | 'esm', filename: string, source: string): string {
  const key = createHash('sha256').update(`${esbuildVersion}\0${target}\0${format}\0${filename}\0${source}`).digest('hex');
  return join(cacheDir, 'typescript', `${key}.js`);
}

export function compileTypeScript(settings: TsSettings, filename: string, format: 'cjs' | 'esm'): string {
  const source = readFileSync(filename, 'utf8');
  const target = `node${process.versions.node.split('.')[0]}`;
  const cached = settings.cacheDir ? cachedOutputPath(settings.cacheDir, settings.esbuild.version, target, format, filename, source) : undefined;
  if (cached) {
    try {
      return readFileSync(cached, 'utf8');
    } catch {
      // not compiled yet
    }
  }
  const { code } = settings.esbuild.transformSync(source, transformOptions(filename, format, target));
  if (cached) {
    try {
      mkdirSync(dirname(cached), { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, cached);
    } catch {
      // a read-only cache only costs a recompile next time
    }
  }
  return code;
}

/** Node's rule for `.js`-like files: the nearest package.json's `type` decides; node_modules ends the search. */
export function packageTypeIsModule(folder: string): boolean {
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    if (dir.endsWith('/node_modules')) return false;
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: string } | null;
      if (pkg) return pkg.type === 'module';
    } catch {
      // no (readable) package.json here
    }
    if (dir === dirname(dir)) return false;
  }
}
