// User paths never leave their root: not by `..`, not by an absolute path, not through a symlink
// (a link inside the root that points inside it is followed; one that points out, or nowhere, is refused).
import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { UserError } from './types';

export interface InsideRootOptions {
  /** Refuse when the last segment itself is a symlink (callers that replace or read the entry, never its target). */
  noFinalSymlink?: boolean;
}

function inside(realRoot: string, real: string): boolean {
  const rel = relative(realRoot, real);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function segmentsOf(root: string, relativePath: string): string[] {
  const segments = relativePath.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (isAbsolute(relativePath) || segments.includes('..') || relativePath.includes('\0')) {
    throw new UserError(`'${relativePath}' is not a path inside ${root}`, 'give a relative path without ".." segments', 'AccessDenied');
  }
  return segments;
}

function outside(root: string, relativePath: string, through: string): UserError {
  return new UserError(
    `'${relativePath}' leads outside ${root} through the symlink ${through}`,
    'nothing is read or written through a symlink that leaves its folder',
    'AccessDenied',
  );
}

/**
 * The absolute path of `relativePath` under `root`, every existing symlink on the way resolved and
 * checked to stay inside `realpath(root)`; segments that do not exist yet are appended as given.
 * Throws a UserError (code `AccessDenied`) otherwise.
 */
export async function resolveInsideRoot(root: string, relativePath: string, options: InsideRootOptions = {}): Promise<string> {
  const segments = segmentsOf(root, relativePath);
  const realRoot = await realpath(root);
  let current = realRoot;
  for (let i = 0; i < segments.length; i++) {
    const next = join(current, segments[i]!);
    const st = await lstat(next).catch(() => undefined);
    if (!st) return join(next, ...segments.slice(i + 1));
    if (st.isSymbolicLink()) {
      const shown = segments.slice(0, i + 1).join('/');
      if (options.noFinalSymlink && i === segments.length - 1) throw outside(root, relativePath, shown);
      const real = await realpath(next).catch(() => undefined);
      if (real === undefined || !inside(realRoot, real)) throw outside(root, relativePath, shown);
      current = real;
    } else current = next;
  }
  return current;
}
