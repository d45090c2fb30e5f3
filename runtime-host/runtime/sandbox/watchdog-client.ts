// One watchdog process per host, outside every sandbox and in its own session: it holds the read end
// of a pipe from the host, and when the host is gone (even by SIGKILL, when nothing of the host can
// run) the pipe closes and the watchdog kills what the host left — every environment cgroup, or every
// process group it was told about — including environments that were frozen and cannot notice.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { distAsset } from '../assets';

let watchdog: ChildProcess | undefined;
let spawned = false;
/** Folders the watchdog knows already (it is told each once, with the first environment). */
const told = new Set<string>();

/** Starts the host's watchdog (once) and tells it the host's cgroup folders it does not know yet. */
export function startWatchdog(cgroupHostDirs: string[]): void {
  if (!spawned) {
    spawned = true;
    spawnWatchdog();
  }
  for (const dir of cgroupHostDirs) {
    if (told.has(dir)) continue;
    told.add(dir);
    send(`c${dir}\n`);
  }
}

function spawnWatchdog(): void {
  const script = distAsset('runtime/sandbox-watchdog.js');
  if (!existsSync(script)) return;
  try {
    watchdog = spawn(process.execPath, [script], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      // The host may run inside Electron (VS Code): its binary is node only with this set.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
  } catch {
    return;
  }
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  // Neither the process nor its pipe may keep the host alive.
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref();
}

/** Tells the watchdog about a process group to kill if the host dies; returns the call that forgets it. */
export function watchProcessGroup(pid: number): () => void {
  send(`+${pid}\n`);
  return () => send(`-${pid}\n`);
}

function send(line: string): void {
  const stdin = watchdog?.stdin;
  if (stdin && !stdin.destroyed) stdin.write(line);
}
