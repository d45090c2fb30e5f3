// Where the files that ship with the host live (dist/runtime/node-bootstrap.js, …). Found by walking
// up from this module to the package.json named "lambda-workbench", so it works from the bundled
// dist/cli.js, from dist/extension.js and from the TypeScript sources under tsx.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'lambda-workbench') return (cached = dir);
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the lambda-workbench package above ${__dirname}`);
    dir = parent;
  }
}

/** Absolute path of a built asset, e.g. `distAsset('runtime/node-bootstrap.js')`. */
export function distAsset(relative: string): string {
  return join(packageRoot(), 'dist', relative);
}
