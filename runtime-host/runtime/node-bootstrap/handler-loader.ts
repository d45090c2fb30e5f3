// Handler resolution exactly as Lambda's Node runtime does it (lambda-behaviour §1), plus TypeScript names
// tried after the JavaScript ones (lambda-behaviour §1 Decision).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HandlerNotFound, ImportModuleError, MalformedHandlerName, UserCodeSyntaxError } from './errors';
import { packageTypeIsModule } from './ts-compile';
import { registerEsmHooks, typeScriptAvailable } from './typescript';

export type UserHandler = (event: unknown, context: unknown, callback: unknown) => unknown;

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;
const RELATIVE_PATH_SUBSTRING = '..';

// User code is required from the runtime itself, as Lambda does ("Require stack" ends with the runtime).
const runtimeRequire = createRequire(__filename);

function moduleRootAndHandler(fullHandlerString: string): [string, string] {
  const handlerString = path.basename(fullHandlerString);
  const moduleRoot = fullHandlerString.substring(0, fullHandlerString.indexOf(handlerString));
  return [moduleRoot, handlerString];
}

function splitHandlerString(handler: string): [string, string] {
  const match = handler.match(FUNCTION_EXPR);
  if (!match || match.length !== 3) throw new MalformedHandlerName('Bad handler');
  return [match[1], match[2]];
}

function resolveHandler(object: unknown, nestedProperty: string): unknown {
  return nestedProperty.split('.').reduce<unknown>((nested, key) => nested && (nested as Record<string, unknown>)[key], object);
}

function tryRequireFile(file: string, extension = ''): unknown {
  const p = file + extension;
  return existsSync(p) ? runtimeRequire(p) : undefined;
}

async function tryAwaitImport(file: string, extension = ''): Promise<unknown> {
  const p = file + extension;
  if (!existsSync(p)) return undefined;
  if (/\.(ts|mts|cts)$/.test(p)) registerEsmHooks(p);
  return await import(pathToFileURL(p).href);
}

function hasPackageJsonTypeModule(file: string): boolean {
  const jsPath = file + '.js';
  return existsSync(jsPath) ? packageTypeIsModule(path.dirname(path.resolve(jsPath))) : false;
}

async function tryRequire(appRoot: string, moduleRoot: string, module: string): Promise<unknown> {
  const lambdaStylePath = path.resolve(appRoot, moduleRoot, module);

  const extensionless = tryRequireFile(lambdaStylePath);
  if (extensionless) return extensionless;

  const pjHasModule = hasPackageJsonTypeModule(lambdaStylePath);
  if (!pjHasModule) {
    const loaded = tryRequireFile(lambdaStylePath, '.js');
    if (loaded) return loaded;
  }
  const loaded =
    (pjHasModule && (await tryAwaitImport(lambdaStylePath, '.js'))) ||
    (await tryAwaitImport(lambdaStylePath, '.mjs')) ||
    tryRequireFile(lambdaStylePath, '.cjs');
  if (loaded) return loaded;

  if (typeScriptAvailable()) {
    const tsPath = lambdaStylePath + '.ts';
    const ts =
      (existsSync(tsPath) && (packageTypeIsModule(path.dirname(tsPath)) ? await tryAwaitImport(tsPath) : tryRequireFile(tsPath))) ||
      (await tryAwaitImport(lambdaStylePath, '.mts')) ||
      tryRequireFile(lambdaStylePath, '.cts');
    if (ts) return ts;
  }

  const nodeStylePath = runtimeRequire.resolve(module, { paths: [appRoot, moduleRoot] });
  return runtimeRequire(nodeStylePath);
}

async function loadUserApp(appRoot: string, moduleRoot: string, module: string): Promise<unknown> {
  try {
    return await tryRequire(appRoot, moduleRoot, module);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e as unknown as string);
    // Lambda's client wraps only require's MODULE_NOT_FOUND; an ESM import of a missing package
    // (ERR_MODULE_NOT_FOUND) surfaces as the plain Error Node threw (lambda-behaviour §1).
    const code = (e as { code?: unknown } | null)?.code;
    if (code === 'MODULE_NOT_FOUND') throw new ImportModuleError(e as string);
    throw e;
  }
}

export async function loadHandler(appRoot: string, fullHandlerString: string): Promise<UserHandler> {
  if (fullHandlerString.includes(RELATIVE_PATH_SUBSTRING)) {
    throw new MalformedHandlerName(`'${fullHandlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const [moduleRoot, moduleAndHandler] = moduleRootAndHandler(fullHandlerString);
  const [module, handlerPath] = splitHandlerString(moduleAndHandler);
  const userApp = await loadUserApp(appRoot, moduleRoot, module);
  const handlerFunc = resolveHandler(userApp, handlerPath);
  if (!handlerFunc) throw new HandlerNotFound(`${fullHandlerString} is undefined or not exported`);
  if (typeof handlerFunc !== 'function') throw new HandlerNotFound(`${fullHandlerString} is not a function`);
  return handlerFunc as UserHandler;
}
