// Whether a project has @types/aws-lambda: then TypeScript handlers (New Function…, the snippets) import
// its types; without it they spell the event's shape out, so nothing fails to type-check. Pure.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const PACKAGE = '@types/aws-lambda';

/** Looks from `folder` up to `root` (inclusive) for a package.json naming it or a node_modules holding it. */
export function hasAwsLambdaTypes(folder: string, root: string): boolean {
  for (let dir = folder; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', PACKAGE, 'package.json'))) return true;
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
      if (['dependencies', 'devDependencies', 'peerDependencies'].some((k) => pkg[k]?.[PACKAGE] !== undefined)) return true;
    } catch {
      // no (readable) package.json here
    }
    const rel = relative(root, dir);
    if (rel === '' || rel.startsWith('..') || dir === dirname(dir)) return false;
  }
}
