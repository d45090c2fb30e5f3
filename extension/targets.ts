// What the user points at when they invoke: a function the host knows (template logical id) or a
// bare handler under a task root. Commands, CodeLenses, the functions view and debug configurations
// all pass one of these around.
import type { FunctionInfo, InvokeParams } from '../runtime-host/protocol';

export type FunctionTarget = { kind: 'function'; name: string } | { kind: 'handler'; name: string; handler: string; root: string };

/**
 * Chosen event for a function, remembered per function in workspaceState: a saved event, an event file
 * elsewhere in the project, one of its triggers' events or a library template (both generated afresh on
 * every invoke), or `{}`.
 */
export type EventChoice =
  | { kind: 'saved'; name: string }
  | { kind: 'file'; name: string; path: string }
  | { kind: 'trigger'; trigger: string; label: string; params: Record<string, string> }
  | { kind: 'template'; template: string; params: Record<string, string> }
  | { kind: 'empty' };

export function targetOf(fn: FunctionInfo): FunctionTarget {
  return fn.origin.kind === 'template' ? { kind: 'function', name: fn.name } : { kind: 'handler', name: fn.name, handler: fn.handler, root: fn.codeUri };
}

export function invokeParamsOf(target: FunctionTarget): InvokeParams {
  return target.kind === 'function' ? { function: target.name } : { handler: target.handler, root: target.root };
}

/** Key under which saved events and the remembered choice live: the function's name. */
export function keyOf(target: FunctionTarget): string {
  return target.name;
}

export function eventLabel(choice: EventChoice | undefined): string {
  if (!choice) return 'choose';
  switch (choice.kind) {
    case 'empty':
      return '{}';
    case 'saved':
    case 'file':
      return choice.name;
    case 'trigger':
      return choice.label;
    case 'template':
      return choice.template;
  }
}

/** Commands get a target from a CodeLens, a tree item, a test, or nothing at all (palette). */
export function isFunctionTarget(value: unknown): value is FunctionTarget {
  if (!value || typeof value !== 'object') return false;
  const v = value as Partial<FunctionTarget> & Record<string, unknown>;
  if (v.kind === 'function') return typeof v.name === 'string';
  if (v.kind === 'handler') return typeof v.name === 'string' && typeof v.handler === 'string' && typeof v.root === 'string';
  return false;
}

/** A handler name derived the way the CLI does for bare handlers: `src/app.handler` → `app-handler`. */
export function nameForHandler(handler: string): string {
  const dot = handler.lastIndexOf('.');
  const modulePath = dot > 0 ? handler.slice(0, dot) : handler;
  const exportName = dot > 0 ? handler.slice(dot + 1) : 'handler';
  const base = modulePath.split('/').pop() ?? modulePath;
  return `${base}-${exportName}`;
}
