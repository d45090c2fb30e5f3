// Lambda's limits through real processes: timeout (incl. a CPU-bound loop and a spawned child),
// memory measurement and the out-of-memory kill, crashes, payload limits, init failures.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { LambdaInvoker, toInvokeOutput } from '../../runtime-host/runtime/invoker';
import { UserError } from '../../runtime-host/runtime/types';
import { alive, fixtureFunction, REPORT, waitFor } from './runtime-helpers';

const invoker = new LambdaInvoker();
after(() => invoker.shutdown());

const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

test('timeout: a CPU-bound loop is killed at the deadline, Sandbox.Timedout, REPORT Status: timeout, next invoke cold', async () => {
  const fn = fixtureFunction('basic/app.cpuLoop', { name: 'spinner', timeout: 1 });
  const pidsBefore = new Set(invoker.environmentPids());
  let pid: number | undefined;
  invoker.on('log', function watch(_id, line) {
    if (line.startsWith('START ')) pid = invoker.environmentPids().find((p) => !pidsBefore.has(p));
  });
  const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  assert.equal(record.status, 'timeout');
  assert.deepEqual(record.error, {
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${record.requestId} Error: Task timed out after 1.00 seconds`,
    trace: [],
  });
  assert.equal(record.durationMs, 1000);
  const n = record.logs.length;
  assert.match(record.logs[n - 4]!, /\tINFO\tspinning$/);
  assert.match(record.logs[n - 3]!, new RegExp(`^${ISO} ${record.requestId} Task timed out after 1\\.00 seconds$`));
  assert.equal(record.logs[n - 2], `END RequestId: ${record.requestId}`);
  const report = REPORT.exec(record.logs[n - 1]!);
  assert.ok(report, record.logs[n - 1]);
  assert.equal(report[2], '1000.00');
  assert.equal(report[8], 'Status: timeout');
  assert.equal(toInvokeOutput(record).report.status, 'timeout');
  assert.ok(pid, 'saw the environment');
  await waitFor(() => !alive(pid!), 'the spinning process to die');
  assert.equal(invoker.environmentCount('spinner'), 0);
  const next = await invoker.invoke({ fn: fixtureFunction('basic/app.handler', { name: 'spinner', timeout: 1 }), event: {}, trigger: 'manual' });
  assert.equal(next.cold, true);
  assert.equal(next.status, 'success');
});

test('timeout kills the whole process tree, children included', async () => {
  const fn = fixtureFunction('basic/app.spawnAndHang', { name: 'forker', timeout: 1 });
  const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  assert.equal(record.status, 'timeout');
  const childLine = record.logs.find((l) => /\tINFO\tchild \d+$/.test(l));
  assert.ok(childLine, 'the fixture logged its child pid');
  const childPid = Number(/child (\d+)$/.exec(childLine)![1]);
  await waitFor(() => !alive(childPid), 'the grandchild process to die');
});

test('Max Memory Used is the measured resident peak of the environment (within a few MB) and never goes down', async () => {
  const fn = fixtureFunction('basic/app.allocate', { name: 'allocator', memory: 1024 });
  const baseline = await invoker.invoke({ fn, event: { mb: 0 }, trigger: 'manual' });
  assert.equal(baseline.status, 'success');
  const base = baseline.maxMemoryUsedMB!;
  assert.ok(base > 20 && base < 200, `a node process uses tens of MB, got ${base}`);
  const big = await invoker.invoke({ fn, event: { mb: 300 }, trigger: 'manual' });
  assert.equal(big.status, 'success');
  const rssMB = (big.result as { rssMB: number }).rssMB;
  // The process's own view of its resident memory when it returned, against the host's peak.
  assert.ok(Math.abs(big.maxMemoryUsedMB! - rssMB) <= 6, `max used ${big.maxMemoryUsedMB} MB vs rss ${rssMB} MB`);
  assert.ok(big.maxMemoryUsedMB! - base >= 295 && big.maxMemoryUsedMB! - base <= 320, `grew by ${big.maxMemoryUsedMB! - base} MB for 300 MB`);
  assert.match(big.logs.at(-1)!, new RegExp(`\\tMax Memory Used: ${big.maxMemoryUsedMB} MB\\t$`));
  const after = await invoker.invoke({ fn, event: { mb: 0 }, trigger: 'manual' });
  assert.ok(after.maxMemoryUsedMB! >= big.maxMemoryUsedMB!, 'the peak so far, not the current use');
});

test('passing the memory size kills the environment: Runtime.OutOfMemory, Max Memory Used = Memory Size, next invoke cold', async () => {
  // A generous timeout: at 128 MB the function has 7% of a core, and on a machine slow at page faults reaching
  // the limit can take seconds of that share; the test is about the kill, not the time it takes.
  const fn = fixtureFunction('basic/app.allocate', { name: 'hog', memory: 128, timeout: 60 });
  const record = await invoker.invoke({ fn, event: { mb: 400 }, trigger: 'manual' });
  assert.equal(record.status, 'outOfMemory');
  assert.deepEqual(record.error, {
    errorType: 'Runtime.OutOfMemory',
    errorMessage: `RequestId: ${record.requestId} Error: Runtime exited with error: signal: killed`,
    trace: [],
  });
  assert.equal(record.maxMemoryUsedMB, 128);
  const n = record.logs.length;
  assert.equal(record.logs[n - 4], `RequestId: ${record.requestId} Error: Runtime exited with error: signal: killed`);
  assert.equal(record.logs[n - 3], 'Runtime.OutOfMemory');
  assert.equal(record.logs[n - 2], `END RequestId: ${record.requestId}`);
  assert.match(
    record.logs[n - 1]!,
    /\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t(Init Duration: \S+ ms\t)?Status: error\tError Type: Runtime\.OutOfMemory$/,
  );
  const output = toInvokeOutput(record);
  assert.equal(output.report.status, 'error');
  assert.equal(output.report.errorType, 'Runtime.OutOfMemory');
  const next = await invoker.invoke({ fn, event: { mb: 1 }, trigger: 'manual' });
  assert.equal(next.cold, true);
  assert.equal(next.status, 'success');
});

test('process.exit(3) during an invocation → Runtime.ExitError "exit status 3", and the host carries on', async () => {
  const fn = fixtureFunction('basic/app.exit', { name: 'quitter' });
  const record = await invoker.invoke({ fn, event: { code: 3 }, trigger: 'manual' });
  assert.equal(record.status, 'error');
  assert.deepEqual(record.error, {
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${record.requestId} Error: Runtime exited with error: exit status 3`,
    trace: [],
  });
  const n = record.logs.length;
  assert.match(record.logs[n - 5]!, /\tINFO\texiting$/, 'output written before the exit is kept, before END');
  assert.equal(record.logs[n - 4], `RequestId: ${record.requestId} Error: Runtime exited with error: exit status 3`);
  assert.equal(record.logs[n - 3], 'Runtime.ExitError');
  assert.match(record.logs[n - 1]!, /\tStatus: error\tError Type: Runtime\.ExitError$/);
  const next = await invoker.invoke({ fn: fixtureFunction('basic/app.handler', { name: 'quitter' }), event: {}, trigger: 'manual' });
  assert.equal(next.cold, true);
});

test('a native crash (abort) → Runtime.ExitError "signal: aborted"', async () => {
  const record = await invoker.invoke({ fn: fixtureFunction('basic/app.abort', { name: 'aborter' }), event: {}, trigger: 'manual' });
  assert.equal(record.error?.errorType, 'Runtime.ExitError');
  assert.equal(record.error?.errorMessage, `RequestId: ${record.requestId} Error: Runtime exited with error: signal: aborted`);
});

test('an uncaught exception outside the handler fails the invocation with that error; the next invoke is cold', async () => {
  const fn = fixtureFunction('basic/app.uncaught', { name: 'thrower' });
  const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  assert.equal(record.status, 'error');
  assert.equal(record.error?.errorType, 'RangeError');
  assert.equal(record.error?.errorMessage, 'thrown outside the handler');
  assert.ok(
    record.logs.some((l) => l.includes('Uncaught Exception')),
    'logged as Uncaught Exception',
  );
  const next = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  assert.equal(next.cold, true);
});

test('every outcome measures Max Memory Used: a timeout, an exit and an uncaught exception report about what a success does', async () => {
  const success = await invoker.invoke({ fn: fixtureFunction('basic/app.handler', { name: 'measured' }), event: {}, trigger: 'manual' });
  assert.equal(success.status, 'success');
  const base = success.maxMemoryUsedMB!;
  assert.ok(base > 10, `a Node runtime holds more than 10 MB, measured ${base} MB`);
  const failures = [
    await invoker.invoke({ fn: fixtureFunction('basic/app.cpuLoop', { name: 'measured-timeout', timeout: 1 }), event: {}, trigger: 'manual' }),
    await invoker.invoke({ fn: fixtureFunction('basic/app.exit', { name: 'measured-exit' }), event: { code: 3 }, trigger: 'manual' }),
    await invoker.invoke({ fn: fixtureFunction('basic/app.uncaught', { name: 'measured-uncaught' }), event: {}, trigger: 'manual' }),
  ];
  for (const record of failures) {
    assert.notEqual(record.status, 'success');
    const used = record.maxMemoryUsedMB ?? 0;
    assert.ok(used >= base - 10, `${record.functionName} (${record.status}): Max Memory Used ${used} MB, a success ${base} MB`);
    const report = REPORT.exec(record.logs[record.logs.length - 1]!);
    assert.equal(report?.[5], String(used), 'the REPORT line says the same');
  }
});

test('an unhandled rejection → Runtime.UnhandledPromiseRejection', async () => {
  const record = await invoker.invoke({ fn: fixtureFunction('basic/app.unhandledRejection', { name: 'rejecter' }), event: {}, trigger: 'manual' });
  assert.equal(record.status, 'error');
  assert.equal(record.error?.errorType, 'Runtime.UnhandledPromiseRejection');
  assert.equal(record.error?.errorMessage, 'Error: nobody awaited me');
});

test('request payload limits: 6 MB synchronous, 1 MB asynchronous (RequestEntityTooLargeException)', async () => {
  // Parsing and echoing 6 MB at 128 MB (7% of a core) takes seconds on a slow machine: a generous timeout.
  const fn = fixtureFunction('basic/app.echo', { name: 'payloads', timeout: 60 });
  // {"s":"…"} is 8 bytes plus the string.
  const exactly = { s: 'x'.repeat(6_291_456 - 8) };
  const over = { s: 'x'.repeat(6_291_456 - 7) };
  await assert.rejects(invoker.invoke({ fn, event: over, trigger: 'manual' }), (err: unknown) => {
    assert.ok(err instanceof UserError);
    assert.equal(err.code, 'RequestTooLarge');
    assert.equal(err.message, 'Request must be smaller than 6291456 bytes for the InvokeFunction operation');
    return true;
  });
  const ok = await invoker.invoke({ fn, event: exactly, trigger: 'manual' });
  assert.equal(ok.status, 'success');
  assert.equal((ok.result as { s: string }).s.length, exactly.s.length);
  await assert.rejects(invoker.invoke({ fn, event: { s: 'x'.repeat(1_048_576) }, trigger: 'manual', invocationType: 'Event' }), (err: unknown) => {
    assert.ok(err instanceof UserError);
    assert.equal(err.message, 'Request must be smaller than 1048576 bytes for the InvokeFunction operation');
    return true;
  });
  const asyncOk = await invoker.invoke({ fn, event: { s: 'x'.repeat(1_048_576 - 8) }, trigger: 'manual', invocationType: 'Event' });
  assert.equal(asyncOk.status, 'success');
});

test('a response over 6291556 bytes → Function.ResponseSizeTooLarge; the environment stays warm', async () => {
  const fn = fixtureFunction('basic/app.bigResponse', { name: 'bigmouth', timeout: 60 });
  // The JSON string adds two quote characters.
  const record = await invoker.invoke({ fn, event: { bytes: 6_291_556 }, trigger: 'manual' });
  assert.equal(record.status, 'error');
  assert.deepEqual(record.error, {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: 'Response payload size (6291558 bytes) exceeded maximum allowed payload size (6291556 bytes).',
    trace: [],
  });
  assert.match(record.logs.at(-1)!, /\tStatus: error\tError Type: Function\.ResponseSizeTooLarge$/);
  const fits = await invoker.invoke({ fn, event: { bytes: 6_291_554 }, trigger: 'manual' });
  assert.equal(fits.status, 'success');
  assert.equal(fits.cold, false);
  assert.equal((fits.result as string).length, 6_291_554);
});

test('init failure: INIT_REPORT Phase: init, init again inside the invocation (Phase: invoke), that error is the invocation error', async () => {
  const fn = fixtureFunction('init-error/app.handler', { name: 'broken' });
  for (let i = 0; i < 2; i++) {
    const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
    assert.equal(record.status, 'error');
    assert.equal(record.cold, true);
    assert.equal(record.initPhase, 'invoke');
    assert.equal(record.error?.errorType, 'Runtime.ImportModuleError');
    assert.match(record.error!.errorMessage, /Cannot find module '\.\/does-not-exist'/);
    const initReports = record.logs.filter((l) => l.startsWith('INIT_REPORT'));
    assert.equal(initReports.length, 2, record.logs.join('\n'));
    assert.match(initReports[0]!, /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Runtime\.ImportModuleError$/);
    assert.match(initReports[1]!, /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: invoke\tStatus: error\tError Type: Runtime\.ImportModuleError$/);
    const n = record.logs.length;
    assert.equal(record.logs[n - 4], initReports[1]);
    assert.equal(record.logs[n - 3], `START RequestId: ${record.requestId} Version: $LATEST`);
    assert.equal(record.logs[n - 2], `END RequestId: ${record.requestId}`);
    const report = REPORT.exec(record.logs[n - 1]!);
    assert.ok(report, record.logs[n - 1]);
    assert.equal(report[6], undefined, 'the retried init is inside Duration: no Init Duration');
    assert.equal(report[8], 'Status: error\tError Type: Runtime.ImportModuleError');
    assert.equal(record.logs.filter((l) => /\tundefined\tINFO\tinitializing$/.test(l)).length, 2);
    assert.equal(invoker.environmentCount('broken'), 0);
  }
});

test('an init past the init limit runs again inside the first invocation, under its timeout, and the invocation succeeds', async () => {
  const quick = new LambdaInvoker({ initTimeoutMs: 1000 });
  try {
    const fn = fixtureFunction('slow-init/app.handler', { name: 'slowstart', timeout: 10, env: { INIT_SLEEP_MS: '1500' } });
    const record = await quick.invoke({ fn, event: {}, trigger: 'manual' });
    assert.equal(record.status, 'success', JSON.stringify(record.error));
    assert.equal(record.cold, true);
    assert.equal(record.initPhase, 'invoke');
    assert.equal(record.initDurationMs, undefined);
    const logs = record.logs;
    assert.equal(logs.filter((l) => l.startsWith('INIT_START')).length, 1);
    assert.deepEqual(
      logs.filter((l) => l.startsWith('INIT_REPORT')).map((l) => l.replace(/\d+\.\d\d ms/, 'X ms')),
      ['INIT_REPORT Init Duration: X ms\tPhase: init\tStatus: timeout'],
    );
    assert.equal(logs.filter((l) => /\tINFO\tinit starts$/.test(l)).length, 2);
    assert.ok(logs.findIndex((l) => /\tINFO\tinit done$/.test(l)) < logs.findIndex((l) => l.startsWith('START ')));
    const report = REPORT.exec(logs.at(-1)!);
    assert.ok(report, logs.at(-1));
    assert.equal(report[6], undefined);
    assert.ok(Number(report[2]) >= 1500, `Duration ${report[2]} includes the init inside the invocation`);
    const warm = await quick.invoke({ fn, event: {}, trigger: 'manual' });
    assert.equal(warm.cold, false);
    assert.equal((warm.result as { pid: number }).pid, (record.result as { pid: number }).pid);
    assert.ok(!warm.logs.some((l) => l.includes('init starts')));
  } finally {
    await quick.shutdown();
  }
});

test('an init that never ends: Phase: init timeout, then Phase: invoke timeout at the function timeout, the process is killed', async () => {
  const quick = new LambdaInvoker({ initTimeoutMs: 1000 });
  try {
    const record = await quick.invoke({ fn: fixtureFunction('init-hang/app.handler', { name: 'slowinit', timeout: 2 }), event: {}, trigger: 'manual' });
    assert.equal(record.status, 'timeout');
    assert.deepEqual(record.error, {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${record.requestId} Error: Task timed out after 2.00 seconds`,
      trace: [],
    });
    assert.equal(record.durationMs, 2000);
    const initReports = record.logs.filter((l) => l.startsWith('INIT_REPORT'));
    assert.match(initReports[0]!, /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout$/);
    assert.match(initReports[1]!, /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: invoke\tStatus: timeout$/);
    const n = record.logs.length;
    assert.equal(record.logs[n - 4], `START RequestId: ${record.requestId} Version: $LATEST`);
    assert.match(record.logs[n - 3]!, new RegExp(`^${ISO} ${record.requestId} Task timed out after 2\\.00 seconds$`));
    const report = REPORT.exec(record.logs[n - 1]!);
    assert.ok(report, record.logs[n - 1]);
    assert.equal(report[2], '2000.00');
    assert.equal(report[8], 'Status: timeout');
    assert.equal(quick.environmentCount(), 0);
  } finally {
    await quick.shutdown();
  }
});
