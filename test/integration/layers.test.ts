// Layers through a real `serve`: folders from the template (Globals first, then the function's; a later
// layer's files win), a real npm package and a real Python package that only a layer has, `bin` on PATH,
// a custom runtime's bootstrap from a layer, ARNs mapped with --layer and a warning for the rest; and
// `invoke --layer DIR` for a handler-only run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InvokeOutput } from '../../runtime-host/protocol/records';
import { copyFixture, removeDir, repoRoot, RpcClient, startServe, type ServeProcess } from './serve-helpers';

let project: string;
let serve: ServeProcess;
let rpc: RpcClient;
const MAPPED_ARN = 'arn:aws:lambda:us-east-1:123456789012:layer:mapped:3';

/** six.py from Debian's python3-six (setup-system installs it): a real package the interpreter's own path may not have. */
function sixModule(): string {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import six; print(six.__file__)'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `Debian's python3-six is needed (scripts/setup-system.sh installs it): ${r.stderr}`);
  return r.stdout.trim();
}

before(async () => {
  project = copyFixture('layers-project');
  // Real packages, put into the layers the way `sam build` would leave them.
  cpSync(join(repoRoot, 'node_modules', 'tree-kill'), join(project, 'layers/deps/nodejs/node_modules/tree-kill'), { recursive: true });
  const site = join(project, 'layers/pydeps/python/lib/python3.12/site-packages');
  mkdirSync(site, { recursive: true });
  cpSync(sixModule(), join(site, 'six.py'));
  const mapped = join(project, 'mapped-layer/nodejs/node_modules/shared-lib');
  mkdirSync(mapped, { recursive: true });
  writeFileSync(join(mapped, 'index.js'), "module.exports = { from: 'mapped' };\n");
  serve = await startServe(['--root', project, '--layer', `${MAPPED_ARN}=${join(project, 'mapped-layer')}`]);
  rpc = await RpcClient.connect(serve.ready.ws, serve.ready.token);
});

after(async () => {
  rpc?.close();
  await serve?.stop();
  removeDir(project);
});

describe('layers from the template', () => {
  it('Node: a package only the layer has, the later layer winning over Globals', async () => {
    const out = await rpc.request<InvokeOutput>('invoke', { function: 'NodeFn', event: {} });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const result = out.result as Record<string, string>;
    assert.equal(result.sharedLib, 'deps', 'DepsLayer comes after the Globals layer, so its shared-lib wins');
    assert.equal(result.tool, 'from-the-shared-layer', "the Globals layer's bin is on PATH");
    assert.equal(result.treeKill, 'function');
    assert.ok(result.treeKillFrom!.startsWith(join(project, 'layers/deps/nodejs/node_modules')), result.treeKillFrom);
  });

  it("Python: the layer's python/lib/python3.12/site-packages is on sys.path", async () => {
    const out = await rpc.request<InvokeOutput>('invoke', { function: 'PyFn', event: {} });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    assert.ok((out.result as { from: string }).from.startsWith(join(project, 'layers/pydeps/python/lib/python3.12/site-packages')));
  });

  it("a custom runtime runs its layer's bootstrap when its code has none", async () => {
    const out = await rpc.request<InvokeOutput>('invoke', { function: 'ProvidedFn', event: { hello: 'layer' } });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    assert.ok(out.logs.some((l) => l.includes('bootstrap started for handler bootstrap')));
  });

  it('an ARN mapped with --layer is used; one that is not is named in a warning at load', async () => {
    const out = await rpc.request<InvokeOutput>('invoke', { function: 'ArnFn', event: {} });
    assert.equal((out.result as { sharedLib: string }).sharedLib, 'mapped');
    assert.match(
      serve.stderr(),
      /layer arn:aws:lambda:us-east-1:123456789012:layer:unmapped:1 of ArnFn is not in the template and no local folder is set for it/,
    );
    assert.doesNotMatch(serve.stderr(), /layer:mapped:3 of ArnFn/);
  });
});

describe('invoke --layer DIR', () => {
  it('puts a folder on the search paths of a handler-only run', () => {
    const cli = join(repoRoot, 'dist', 'cli.js');
    const run = (extra: string[]) =>
      spawnSync(process.execPath, [cli, 'invoke', 'app.handler', '--root', join(project, 'src'), '--json', ...extra], { encoding: 'utf8', input: '{}' });
    const without = run([]);
    assert.equal(without.status, 1, 'shared-lib is only in a layer');
    const withLayers = run(['--layer', join(project, 'layers/shared'), '--layer', join(project, 'layers/deps')]);
    assert.equal(withLayers.status, 0, withLayers.stderr);
    assert.equal((JSON.parse(withLayers.stdout) as { result: { sharedLib: string } }).result.sharedLib, 'deps');
    assert.ok(existsSync(join(project, 'layers/deps/nodejs/node_modules/tree-kill')));
  });
});
