// ESM loader hooks (module.register) for TypeScript handlers: `.mts`, and `.ts` in a `"type":
// "module"` package, are compiled to ESM here; CommonJS-format TypeScript is left to the require
// hook in the main thread. Relative imports may name `./x.js` for `./x.ts` (tsc's convention) or
// omit the extension.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileTypeScript, packageTypeIsModule, type EsbuildApi, type TsSettings } from './ts-compile';

let settings: TsSettings | undefined;

export function initialize(data: { esbuildDir: string; cacheDir?: string }): void {
  // esbuildDir is absolute, so the requiring location does not matter.
  const esbuild = createRequire(data.esbuildDir)(data.esbuildDir) as EsbuildApi;
  settings = { esbuild, cacheDir: data.cacheDir };
}

interface ResolveContext {
  parentURL?: string;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<{ url: string; format?: string | null; shortCircuit?: boolean }>;
interface LoadContext {
  format?: string | null;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
type NextLoad = (url: string, context?: LoadContext) => Promise<{ format: string; source?: string | ArrayBuffer | Uint8Array | null; shortCircuit?: boolean }>;

const TS_URL = /\.(ts|mts|cts)$/;

function candidates(specifier: string): string[] {
  const swapped = specifier
    .replace(/\.js$/, '.ts')
    .replace(/\.mjs$/, '.mts')
    .replace(/\.cjs$/, '.cts');
  if (swapped !== specifier) return [swapped];
  return [`${specifier}.ts`, `${specifier}.mts`, `${specifier}.cts`, `${specifier}/index.ts`];
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/') || specifier.startsWith('file:');
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !relative || !context.parentURL || !TS_URL.test(context.parentURL)) throw err;
    for (const candidate of candidates(specifier)) {
      try {
        return await nextResolve(candidate, context);
      } catch {
        // try the next spelling
      }
    }
    throw err;
  }
}

export async function load(url: string, context: LoadContext, nextLoad: NextLoad) {
  if (!settings || !url.startsWith('file:') || !TS_URL.test(url)) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const esm = url.endsWith('.mts') || (url.endsWith('.ts') && packageTypeIsModule(dirname(filename)));
  // No source for CommonJS: node then loads it with require, where the main thread's hook compiles it.
  if (!esm) return { format: 'commonjs', shortCircuit: true };
  return { format: 'module', source: compileTypeScript(settings, filename, 'esm'), shortCircuit: true };
}
