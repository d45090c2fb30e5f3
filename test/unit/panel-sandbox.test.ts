// The panel's words for a record's sandbox: which limits were enforced and how, and the warning for
// background work the freeze stopped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeSandbox } from '../../webview-ui/model/sandbox';

test('a cgroup sandbox: kernel memory limit, the CPU share, frozen by the freezer', () => {
  const s = describeSandbox({ kind: 'cgroup-v1', memory: 'kernel', cpuCores: 0.072, freeze: 'cgroup' });
  assert.equal(s.label, 'cgroup v1');
  assert.deepEqual(s.limits, [
    'memory: kernel limit (OOM kill)',
    'CPU: 7.2% of a core (1,769 MB = one core of this machine)',
    'frozen between invocations (cgroup freezer)',
  ]);
  assert.equal(s.warning, undefined);
});

test('the process fallback says what it cannot enforce; a debugger keeps it unfrozen; the OOM mechanism is named', () => {
  const s = describeSandbox({ kind: 'process', memory: 'polling', freeze: 'debugger', oomBy: 'polling' });
  assert.deepEqual(s.limits, [
    'memory: polled from /proc by the host',
    'CPU: not limited',
    'not frozen: a debugger is attached',
    'out of memory: killed by the host',
  ]);
  assert.equal(
    describeSandbox({ kind: 'cgroup-v2', memory: 'kernel', cpuCores: 1.69, freeze: 'none', oomBy: 'kernel' }).limits[1],
    'CPU: 1.69 cores (1,769 MB = one core of this machine)',
  );
});

test('background work left pending is counted by kind in the warning', () => {
  const s = describeSandbox({ kind: 'cgroup-v1', memory: 'kernel', cpuCores: 1, freeze: 'cgroup', backgroundWork: ['Timeout', 'TCPSocketWrap', 'Timeout'] });
  assert.match(s.warning ?? '', /^Background work was frozen: the function answered with 2 timers and 1 socket still pending\./);
  assert.match(
    describeSandbox({ kind: 'process', memory: 'polling', freeze: 'sigstop', backgroundWork: ['Timeout'] }).warning ?? '',
    /with 1 timer still pending/,
  );
});
