// The `lambda-workbench` debug configuration: snippets live in package.json; this provider offers one
// configuration per function and fills an empty F5 in from the handler in the active editor.
import { isAbsolute, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import type { WorkbenchContext } from '../context';
import { findExportedFunctions, modulePathIn, splitHandler } from '../handler-discovery';
import { type FunctionTarget, nameForHandler } from '../targets';

export const DEBUG_TYPE = 'lambda-workbench';

/** The launch attributes (see package.json `debuggers[].configurationAttributes`). */
export interface LambdaDebugConfiguration extends vscode.DebugConfiguration {
  type: typeof DEBUG_TYPE;
  request: 'launch';
  /** Template logical id… */
  function?: string;
  /** …or a handler string relative to `root` (default: the workspace folder). */
  handler?: string;
  root?: string;
  /** The event: a JSON value, or the name of a saved event of the function. */
  event?: unknown;
  memory?: number;
  timeout?: number;
  env?: Record<string, string>;
}

export function targetOfConfiguration(config: LambdaDebugConfiguration, defaultRoot: string): FunctionTarget | undefined {
  if (typeof config.function === 'string' && config.function) return { kind: 'function', name: config.function };
  if (typeof config.handler === 'string' && config.handler) {
    const root = typeof config.root === 'string' && config.root ? config.root : defaultRoot;
    return { kind: 'handler', name: nameForHandler(config.handler), handler: config.handler, root };
  }
  return undefined;
}

export class LambdaDebugConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly ctx: WorkbenchContext) {}

  async provideDebugConfigurations(): Promise<LambdaDebugConfiguration[]> {
    const functions = await this.ctx.functions().catch(() => []);
    if (functions.length === 0) {
      return [{ type: DEBUG_TYPE, request: 'launch', name: 'Debug handler', handler: 'app.handler', event: {} }];
    }
    return functions.map((fn) =>
      fn.origin.kind === 'template'
        ? { type: DEBUG_TYPE, request: 'launch', name: `Debug ${fn.name}`, function: fn.name, event: {} }
        : { type: DEBUG_TYPE, request: 'launch', name: `Debug ${fn.name}`, handler: fn.handler, root: fn.codeUri, event: {} },
    );
  }

  /** F5 without a launch.json: debug the function whose handler is in the active editor. */
  async resolveDebugConfiguration(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    if (config.type && config.type !== DEBUG_TYPE) return config;
    const c = config as LambdaDebugConfiguration;
    if (c.function || c.handler) return { ...c, type: DEBUG_TYPE, request: 'launch', name: c.name || 'Debug Lambda function' };
    const fromEditor = await this.fromActiveEditor();
    if (!fromEditor) {
      void vscode.window.showInformationMessage('Open a Lambda handler (or add "function" or "handler" to the launch configuration) to debug it.');
      return undefined;
    }
    return { ...c, ...fromEditor };
  }

  private async fromActiveEditor(): Promise<LambdaDebugConfiguration | undefined> {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc) return undefined;
    const file = doc.uri.fsPath;
    const functions = await this.ctx.functions().catch(() => []);
    for (const fn of functions) {
      const m = modulePathIn(fn.codeUri, file);
      if (m !== undefined && splitHandler(fn.handler)?.modulePath === m) {
        return fn.origin.kind === 'template'
          ? { type: DEBUG_TYPE, request: 'launch', name: `Debug ${fn.name}`, function: fn.name }
          : { type: DEBUG_TYPE, request: 'launch', name: `Debug ${fn.name}`, handler: fn.handler, root: fn.codeUri };
      }
    }
    // Go and Ruby handlers: any .go file of a Go function's code, or the Ruby handler's own file.
    for (const fn of functions) {
      const rel = relative(fn.codeUri, file);
      if (!rel || rel.startsWith('..') || isAbsolute(rel)) continue;
      const goFile = fn.runtime.startsWith('provided') && file.endsWith('.go');
      const rubyFile = fn.runtime.startsWith('ruby') && `${splitHandler(fn.handler)?.modulePath}.rb` === rel.split(sep).join('/');
      if (goFile || rubyFile)
        return {
          type: DEBUG_TYPE,
          request: 'launch',
          name: fn.name,
          ...(fn.origin.kind === 'template' ? { function: fn.name } : { handler: fn.handler, root: fn.codeUri }),
        };
    }
    const modulePath = modulePathIn(this.ctx.root, file);
    const exported = findExportedFunctions(doc.getText()).find((e) => e.lambdaLike);
    if (modulePath === undefined || !exported) return undefined;
    const handler = `${modulePath}.${exported.name}`;
    return { type: DEBUG_TYPE, request: 'launch', name: `Debug ${handler}`, handler, root: this.ctx.root };
  }
}
