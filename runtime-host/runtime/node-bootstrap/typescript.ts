// Main-thread side of TypeScript support: the require hook for CommonJS-format .ts/.cts and the
// registration of the ESM loader hooks. All of it is inert unless the host passed esbuild's path.
import { existsSync } from 'node:fs';
import Module from 'node:module';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileTypeScript, type EsbuildApi, type TsSettings } from './ts-compile';

const esbuildDir = process.env._LAMBDA_WORKBENCH_ESBUILD;
const cacheDir = process.env._LAMBDA_WORKBENCH_CACHE_DIR;
let settings: TsSettings | undefined;
let announced = false;
let esmHooksRegistered = false;

export function typeScriptAvailable(): boolean {
  return !!esbuildDir;
}

function tsSettings(): TsSettings {
  if (!settings) {
    // esbuild's location is only known at run time (the host passes it), so it cannot be a static import.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    settings = { esbuild: require(esbuildDir as string) as EsbuildApi, cacheDir };
    // Stack traces of compiled code should point into the .ts the user wrote.
    process.setSourceMapsEnabled(true);
  }
  return settings;
}

/** Says once, outside the invocation's console output, that this is not something Lambda does. */
function announce(filename: string): void {
  if (announced) return;
  announced = true;
  process.stderr.write(
    `[lambda-workbench] INFO compiling TypeScript handler ${basename(filename)} with esbuild ${tsSettings().esbuild.version} (a local convenience: Lambda itself runs only JavaScript; deploy compiled code)\n`,
  );
}

type CompileFn = (content: string, filename: string) => void;
interface ModuleInternals {
  _extensions: Record<string, (module: { _compile: CompileFn }, filename: string) => void>;
}

/** Lets require() load .ts/.cts (and find `./x` as `./x.ts`). */
export function installRequireHook(): void {
  if (!esbuildDir) return;
  const extensions = (Module as unknown as ModuleInternals)._extensions;
  for (const ext of ['.ts', '.cts']) {
    extensions[ext] = (module, filename) => {
      announce(filename);
      module._compile(compileTypeScript(tsSettings(), filename, 'cjs'), filename);
    };
  }
}

/**
 * After init: esbuild's sync API keeps a worker thread in the function's process (memory Lambda would not
 * count, and a stray thread in a debugger's call stack); end it. A compile after init starts it again.
 */
export function releaseCompiler(): void {
  if (settings) void settings.esbuild.stop?.();
}

/** Before the first import() of TypeScript: starts node's loader thread with our hooks (Node ≥ 20.6). */
export function registerEsmHooks(filename: string): void {
  if (!esbuildDir || esmHooksRegistered) return;
  esmHooksRegistered = true;
  announce(filename);
  tsSettings();
  const hooks = join(__dirname, 'node-bootstrap-ts-hooks.mjs');
  if (!existsSync(hooks)) throw new Error(`lambda-workbench: TypeScript loader hooks missing at ${hooks}`);
  (Module as unknown as { register(specifier: string, options: { data: unknown }): void }).register(pathToFileURL(hooks).href, {
    data: { esbuildDir, cacheDir },
  });
}
