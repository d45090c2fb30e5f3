// Where the sandbox puts cgroups (below the host's own, per controller) and the CPU quota per memory
// size, from the kernel's own text: pure functions, no cgroup touched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCgroupLayout } from '../../runtime-host/runtime/sandbox/cgroup-fs';
import { cfsQuotaUs, cpuCoresFor } from '../../runtime-host/runtime/sandbox/cpu';

test('cgroup v1 with a controller per mount and the host in a nested memory cgroup (this kind of machine)', () => {
  const mountinfo = [
    '30 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
    '31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
    '32 30 0:28 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '33 30 0:29 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer',
    '34 30 0:30 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
    '35 30 0:31 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  ].join('\n');
  const membership = ['8:pids:/', '6:freezer:/', '4:memory:/process_api/abc', '1:cpu:/', '0::/'].join('\n');
  const layout = parseCgroupLayout(mountinfo, membership);
  assert.equal(layout.v1.get('memory'), '/sys/fs/cgroup/memory/process_api/abc');
  assert.equal(layout.v1.get('cpu'), '/sys/fs/cgroup/cpu');
  assert.equal(layout.v1.get('freezer'), '/sys/fs/cgroup/freezer');
  assert.equal(layout.v1.get('pids'), '/sys/fs/cgroup/pids');
  assert.equal(layout.v2, '/sys/fs/cgroup/unified');
});

test('co-mounted controllers (cpu,cpuacct) and a container whose mount root is its own cgroup', () => {
  const mountinfo = [
    '40 30 0:40 /docker/xyz /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct',
    '41 30 0:41 /docker/xyz /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory',
  ].join('\n');
  const membership = ['3:cpu,cpuacct:/docker/xyz', '2:memory:/docker/xyz/inner'].join('\n');
  const layout = parseCgroupLayout(mountinfo, membership);
  assert.equal(layout.v1.get('cpu'), '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(layout.v1.get('cpuacct'), '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(layout.v1.get('memory'), '/sys/fs/cgroup/memory/inner');
  assert.equal(layout.v2, undefined);
});

test('cgroup v2 only: the host in a user scope', () => {
  const layout = parseCgroupLayout(
    '25 1 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate',
    '0::/user.slice/user-1000.slice/user@1000.service/app.slice/term.scope',
  );
  assert.equal(layout.v1.size, 0);
  assert.equal(layout.v2, '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/term.scope');
});

test("CPU share: 1,769 MB is one core, in proportion below, capped at the machine's cores and at Lambda's six", () => {
  assert.equal(cfsQuotaUs(1769, 2), 100_000);
  assert.equal(cfsQuotaUs(128, 2), 7236);
  assert.equal(cfsQuotaUs(512, 2), 28_943);
  assert.equal(cfsQuotaUs(3008, 2), 170_040);
  assert.equal(cfsQuotaUs(10_240, 2), 200_000, 'never more than the machine has');
  assert.equal(cpuCoresFor(10_240, 64), 10_240 / 1769);
  assert.equal(cpuCoresFor(20_000, 64), 6, "Lambda's most");
});
