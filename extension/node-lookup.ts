// Finding the node that runs the host and recognising its ready line. Pure (no vscode import) so
// the messages users see when node is missing are unit-tested.
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ReadyLine } from '../runtime-host/protocol';

/** A failure the user can act on (no node, bad setting): shown with its hint and actions, never a stack. */
export class HostUnavailableError extends Error {
  override readonly name = 'HostUnavailableError';
  constructor(
    message: string,
    readonly hint: string,
    readonly action?: 'setNodePath',
  ) {
    super(message);
  }
}

export function parseReadyLine(line: string): ReadyLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as Partial<ReadyLine>;
    if (value.event === 'ready' && typeof value.ws === 'string' && typeof value.token === 'string') return value as ReadyLine;
  } catch {
    // not the ready line
  }
  return undefined;
}

/** The node binary to run the host: the setting, else `node` on PATH. */
export function findNode(setting: string, pathEnv: string = process.env.PATH ?? ''): string {
  if (setting) {
    if (isExecutableFile(setting)) return setting;
    throw new HostUnavailableError(
      `lambdaWorkbench.nodePath is set to "${setting}", which is not an executable file.`,
      'Point it at a Node.js 20 or newer binary, or clear it to use node from PATH.',
      'setNodePath',
    );
  }
  const names = process.platform === 'win32' ? ['node.exe', 'node.cmd'] : ['node'];
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  throw new HostUnavailableError(
    'Lambda Workbench needs Node.js to run functions, and no `node` was found on PATH.',
    'Install Node.js 20 or newer, or set lambdaWorkbench.nodePath to its binary.',
    'setNodePath',
  );
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}
