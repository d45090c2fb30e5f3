// What the invocation store's tests share: throwaway state folders (removed after the file's tests),
// a complete record to put, with overrides on top, and a check that sealed values are used as their bytes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { InvocationRecord } from '../../runtime-host/protocol/records';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A new empty state folder under the system's temp folder. */
export function tempStateDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** A finished invocation of `Fn` whose event names its id. */
export function storeRecord(id: string, fields: Partial<InvocationRecord> = {}): InvocationRecord {
  return {
    id,
    kind: 'invocation',
    requestId: id,
    functionName: 'Fn',
    trigger: 'manual',
    status: 'success',
    cold: false,
    runtime: 'nodejs22.x',
    architecture: 'x86_64',
    memorySizeMB: 128,
    timeoutSeconds: 3,
    timestamps: { queuedAt: 1 },
    billingRule: 'per-ms-with-init',
    event: { n: id },
    logs: [`START RequestId: ${id} Version: $LATEST`],
    ...fields,
  };
}

/** What `make` returns, checked to have been made without parsing anything (a kept event used as its bytes). */
export function withoutParsing<T>(make: () => T, what: string): T {
  const parse = JSON.parse;
  let parses = 0;
  JSON.parse = (...args: Parameters<typeof parse>): unknown => {
    parses++;
    return parse(...args);
  };
  try {
    const made = make();
    assert.equal(parses, 0, what);
    return made;
  } finally {
    JSON.parse = parse;
  }
}
