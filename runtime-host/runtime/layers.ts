// Layers as Lambda lays them out: each layer's content is unpacked into /opt in order, a later layer's
// files winning, and the runtimes look in fixed folders of /opt (lambda-behaviour §8). Locally each layer
// stays in its own folder, so every search path lists the layers last-first to keep that precedence.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { FunctionConfig } from './types';

/** At most this many layers per function, as on Lambda. */
export const MAX_LAYERS = 5;

const lastFirst = (layers: readonly string[]) => [...layers].reverse();

function join_(paths: (string | undefined)[]): string {
  return paths.filter((p): p is string => !!p).join(delimiter);
}

/** `bin` on PATH and `lib` on LD_LIBRARY_PATH, after what is there (Lambda appends /opt/bin and /opt/lib). */
export function addLayerPaths(env: Record<string, string>, fn: Pick<FunctionConfig, 'layers'>): void {
  const layers = lastFirst(fn.layers ?? []);
  if (layers.length === 0) return;
  env['PATH'] = join_([env['PATH'], ...layers.map((l) => join(l, 'bin'))]);
  env['LD_LIBRARY_PATH'] = join_([env['LD_LIBRARY_PATH'], ...layers.map((l) => join(l, 'lib'))]);
}

/** The major version a `nodejsNN.x` runtime names (its layers use `nodejs/nodeNN/node_modules`). */
function nodeMajorOf(runtime: string): string | undefined {
  return /^nodejs(\d+)/.exec(runtime)?.[1];
}

/**
 * NODE_PATH as Lambda sets it — `nodejs/node<major>/node_modules`, then `nodejs/node_modules` of the
 * layers, then what comes after them (the runtime's SDK, the task root) — found after the function's own
 * node_modules. ESM `import` does not read NODE_PATH, on Lambda as here.
 */
export function nodeLayerPath(fn: Pick<FunctionConfig, 'layers' | 'runtime'>, after: string[]): string | undefined {
  const layers = lastFirst(fn.layers ?? []);
  const major = nodeMajorOf(fn.runtime);
  const dirs = [
    ...(major ? layers.map((l) => join(l, 'nodejs', `node${major}`, 'node_modules')) : []),
    ...layers.map((l) => join(l, 'nodejs', 'node_modules')),
  ];
  const path = join_([...dirs, ...after]);
  return path || undefined;
}

/** The layers' `python/lib/python3.X/site-packages` then `python` folders, for PYTHONPATH (they come right after the task root). */
export function pythonLayerPath(fn: Pick<FunctionConfig, 'layers' | 'runtime'>): string | undefined {
  const layers = lastFirst(fn.layers ?? []);
  const version = /^python(3\.\d+)/.exec(fn.runtime)?.[1];
  const dirs = [...(version ? layers.map((l) => join(l, 'python', 'lib', `python${version}`, 'site-packages')) : []), ...layers.map((l) => join(l, 'python'))];
  return dirs.length ? join_(dirs) : undefined;
}

/** A custom runtime's `bootstrap` from its layers, when the function's code has none (the last layer that has one wins). */
export function layerBootstrap(fn: Pick<FunctionConfig, 'layers'>): string | undefined {
  return lastFirst(fn.layers ?? [])
    .map((l) => join(l, 'bootstrap'))
    .find((p) => existsSync(p));
}
