// Shared by the runtime-*.test.ts files: fixture functions, process checks, condition waits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionFromHandler, type HandlerFunctionInput } from '../../runtime-host/functions/handler-function';
import type { FunctionInfo } from '../../runtime-host/protocol/functions';
import { waitUntil } from '../helpers/wait';

export const CORE_FIXTURES = join(__dirname, '../fixtures/core');

export function fixtureFunction(handler: string, extra: Partial<HandlerFunctionInput> & { reservedConcurrency?: number } = {}): FunctionInfo {
  const { reservedConcurrency, ...rest } = extra;
  const fn = functionFromHandler({ handler, root: CORE_FIXTURES, ...rest });
  return reservedConcurrency === undefined ? fn : { ...fn, reservedConcurrency };
}

/** True while the process exists and is not a zombie (a killed orphan may wait a moment for its reaper). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** `waitUntil` with the description first, as the runtime tests read. */
export function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  return waitUntil(condition, timeoutMs, what, 20);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const REPORT =
  /^REPORT RequestId: (\S+)\tDuration: (\d+\.\d\d) ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB\t(Init Duration: (\d+\.\d\d) ms\t)?(Status: .*)?$/;
