// One host per state folder: two hosts appending to one history and watching one set of buckets would
// interleave records and deliver every S3 event twice. The lock is a file holding the owner's pid (and,
// once it listens, its WebSocket URL); a lock whose process is gone is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../runtime/types';

export const LOCK_FILE = 'serve.lock';

interface LockContent {
  pid: number;
  /** /proc start time of the pid, so a recycled pid is not mistaken for the owner. */
  startTime?: string;
  ws?: string;
}

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(lock: LockContent): boolean {
  try {
    process.kill(lock.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTimeOf(lock.pid);
  return lock.startTime === undefined || now === undefined || now === lock.startTime;
}

function readLock(file: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number' && Number.isInteger(parsed.pid) && parsed.pid > 0 ? (parsed as LockContent) : undefined;
  } catch {
    return undefined;
  }
}

export class StateLock {
  private constructor(
    private readonly file: string,
    private readonly content: LockContent,
  ) {}

  /** Takes the lock on `stateDir`, or throws a UserError naming the host that holds it. */
  static acquire(stateDir: string): StateLock {
    const file = join(stateDir, LOCK_FILE);
    const content: LockContent = { pid: process.pid, ...(startTimeOf(process.pid) ? { startTime: startTimeOf(process.pid)! } : {}) };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        try {
          writeSync(fd, `${JSON.stringify(content)}\n`);
        } finally {
          closeSync(fd);
        }
        return new StateLock(file, content);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readLock(file);
      if (holder && alive(holder)) {
        throw new UserError(
          `another lambda-workbench serve (pid ${holder.pid}${holder.ws ? `, ${holder.ws}` : ', still starting'}) is using the state folder ${stateDir}`,
          'stop that one first, or give this one its own --state-dir',
        );
      }
      // Stale (its process is gone) or unreadable (a crash mid-write): take it over.
      rmSync(file, { force: true });
    }
    throw new UserError(`could not lock the state folder ${stateDir}`, 'another host is starting there at the same moment; try again');
  }

  /** Adds the WebSocket URL once the host listens, so a second `serve` can name it. */
  update(ws: string): void {
    this.content.ws = ws;
    writeFileSync(this.file, `${JSON.stringify(this.content)}\n`, { mode: 0o600 });
  }

  release(): void {
    // Only our own lock: a host that lost it (the folder was wiped and reused) leaves the new owner's alone.
    if (readLock(this.file)?.pid === process.pid) rmSync(this.file, { force: true });
  }
}
