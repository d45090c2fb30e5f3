// The runtime's own AWS SDK: a handler that requires @aws-sdk/* without bundling it works as on Lambda's
// Node.js runtimes, resolved after the function's own node_modules and its layers; without it, the
// import fails as Lambda would fail it; an install that cannot happen says why and what to do.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installRuntimeSdk } from '../../runtime-host/runtime/runtime-sdk';
import { copyFixture, removeDir, repoRoot } from './serve-helpers';

// Outside the repository, so nothing resolves from the repository's own node_modules.
let fixture: string;
const cli = join(repoRoot, 'dist', 'cli.js');
let sdkFolder: string;
let closedPort: number;

before(async () => {
  fixture = copyFixture('runtime-sdk-project');
  // A runtime SDK folder made of the real packages this repository installs (as the cache folder would hold them).
  sdkFolder = mkdtempSync(join(tmpdir(), 'lw-runtime-sdk-'));
  mkdirSync(join(sdkFolder, 'node_modules'));
  symlinkSync(join(repoRoot, 'node_modules', '@aws-sdk'), join(sdkFolder, 'node_modules', '@aws-sdk'));
  // A loopback port with nothing listening: the client's call fails fast, after it really ran.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
});

after(() => {
  rmSync(sdkFolder, { recursive: true, force: true });
  removeDir(fixture);
});

function invoke(root: string, handler: string, extra: string[], event: unknown = {}) {
  const r = spawnSync(process.execPath, [cli, 'invoke', handler, '--root', root, '--event', '-', '--json', ...extra], {
    encoding: 'utf8',
    input: JSON.stringify(event),
  });
  return {
    status: r.status,
    out: JSON.parse(r.stdout || 'null') as { result?: Record<string, string>; error?: { errorType: string; errorMessage: string } },
    stderr: r.stderr,
  };
}

describe("the runtime's AWS SDK", () => {
  it('a real client from the runtime SDK loads and calls its endpoint', () => {
    const { status, out, stderr } = invoke(join(fixture, 'src'), 'app.handler', ['--runtime-sdk', sdkFolder], { endpoint: `http://127.0.0.1:${closedPort}` });
    assert.equal(status, 0, stderr);
    assert.equal(out.result?.called, true);
    assert.equal(out.result?.error, 'ECONNREFUSED');
    assert.ok(out.result?.from?.includes('@aws-sdk/client-s3'), out.result?.from);
  });

  it('without it, the require fails as Runtime.ImportModuleError', () => {
    const { status, out } = invoke(join(fixture, 'src'), 'app.handler', ['--runtime-sdk', 'off']);
    assert.equal(status, 1);
    assert.equal(out.error?.errorType, 'Runtime.ImportModuleError');
    assert.match(out.error!.errorMessage, /Cannot find module '@aws-sdk\/client-s3'/);
  });

  it("the function's own node_modules come first, then its layers, then the runtime's SDK", () => {
    const { status, out, stderr } = invoke(join(fixture, 'own'), 'app.which', ['--runtime-sdk', sdkFolder, '--layer', join(fixture, 'layer')]);
    assert.equal(status, 0, stderr);
    assert.equal(out.result?.s3, join(fixture, 'own/node_modules/@aws-sdk/client-s3/index.js'));
    assert.equal(out.result?.sqs, join(fixture, 'layer/nodejs/node_modules/@aws-sdk/client-sqs/index.js'));
  });

  it('an install that cannot run says why and how to install it by hand', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'lw-runtime-sdk-missing-'));
    const told: string[] = [];
    try {
      const modules = await installRuntimeSdk(folder, { info: () => {}, warn: (m) => told.push(m) }, join(folder, 'no-such-npm'));
      assert.equal(modules, undefined);
      assert.equal(told.length, 1);
      assert.match(told[0]!, /the runtime's AWS SDK could not be installed \(.*ENOENT.*\).*npm install --prefix ".*" @aws-sdk\/client-s3/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
