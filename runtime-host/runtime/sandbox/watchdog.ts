// The watchdog process (see watchdog-client.ts). stdin lines: `c<folder>` a cgroup folder of the host,
// `+<pid>` / `-<pid>` a process group to kill or forget. When stdin ends, the host is gone: kill all of
// it and remove the folders, then exit. node: built-ins only.
import { killTree } from '../process-tree';
import { killAndRemoveSync } from './cgroup-fs';

const cgroupDirs = new Set<string>();
const groups = new Set<number>();
let buffered = '';
let done = false;

function cleanUp(): void {
  if (done) return;
  done = true;
  for (const pid of groups) void killTree(pid);
  if (cgroupDirs.size) killAndRemoveSync([...cgroupDirs], 5000);
  process.exit(0);
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  let i: number;
  while ((i = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, i);
    buffered = buffered.slice(i + 1);
    if (line[0] === 'c') {
      cgroupDirs.add(line.slice(1));
      continue;
    }
    const pid = Number(line.slice(1));
    if (!(pid > 0)) continue;
    if (line[0] === '+') groups.add(pid);
    else if (line[0] === '-') groups.delete(pid);
  }
});
process.stdin.on('end', cleanUp);
process.stdin.on('close', cleanUp);
process.stdin.on('error', cleanUp);
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, cleanUp);
