// Go functions on provided.al2023: the host builds the sources with the local Go toolchain into
// <stateDir>/go-build/<function>/bootstrap (GOOS=linux, the function's architecture) and runs that
// as the custom runtime. The fixture speaks the Runtime API with net/http (no module downloads).
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { loadSamTemplate } from '../../runtime-host/functions/sam-template';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { UserError } from '../../runtime-host/runtime/types';
import { DapClient } from './dap-client';
import { repoRoot } from './node-bootstrap-helpers';
import { removeDir, helloExampleTests, startServe, type ServeProcess } from './serve-helpers';

const fixtures = join(repoRoot, 'test', 'fixtures', 'go');
const temps: string[] = [];
const temp = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `lw-go-${name}-`));
  temps.push(dir);
  return dir;
};
after(() => temps.forEach(removeDir));

/** Whether a process runs the executable at `path` (by /proc/<pid>/exe). */
function processRunning(path: string): boolean {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/exe`) === path) return true;
    } catch {
      // gone, or not ours to read
    }
  }
  return false;
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A copy of the fixture's Go sources, so tests may edit them. */
function goProject(): string {
  const dir = temp('src');
  cpSync(join(fixtures, 'hello'), dir, { recursive: true });
  return dir;
}

describe('go on provided.al2023', { timeout: 600_000 }, () => {
  test('Metadata BuildMethod go1.x: built into the state folder for linux/amd64, then invoked cold and warm; errors are the function error', async () => {
    const template = loadSamTemplate(join(fixtures, 'template.yaml'), { region: 'us-east-1', accountId: '123456789012' });
    const fn = template.functions.find((f) => f.name === 'HelloGo')!;
    assert.equal(fn.buildMethod, 'go1.x');
    assert.equal(fn.runtimeFamily, 'provided');
    assert.equal(fn.supported, true);
    const stateDir = temp('state');
    const invoker = new LambdaInvoker({ stateDir });
    try {
      const first = await invoker.invoke({ fn, event: { n: 1 }, trigger: 'manual' });
      assert.equal(first.status, 'success', JSON.stringify(first.error));
      assert.deepEqual(first.result, { event: { n: 1 }, invocations: 1, function: 'HelloGo', goos: 'linux', goarch: 'amd64' });
      assert.equal(first.cold, true);
      assert.ok(existsSync(join(stateDir, 'go-build', 'HelloGo', 'bootstrap')));
      assert.equal(existsSync(join(fixtures, 'hello', 'bootstrap')), false, 'nothing is written into the code folder');

      const second = await invoker.invoke({ fn, event: { n: 2 }, trigger: 'manual' });
      assert.equal(second.cold, false);
      assert.equal((second.result as { invocations: number }).invocations, 2);

      const failed = await invoker.invoke({ fn, event: { fail: true }, trigger: 'manual' });
      assert.equal(failed.status, 'error');
      assert.equal(failed.error?.errorType, 'errorString');
      assert.equal(failed.error?.errorMessage, 'the event asked to fail');
    } finally {
      await invoker.shutdown();
    }
  });

  test('a go.mod in the code folder is enough; rebuilt only when a source is newer than the binary', async () => {
    const src = goProject();
    const stateDir = temp('state');
    const fn = functionFromHandler({ handler: 'bootstrap', root: src, name: 'go-fn' });
    assert.equal(fn.runtime, 'provided.al2023');
    const binary = join(stateDir, 'go-build', 'go-fn', 'bootstrap');
    const coldStart = async () => {
      const invoker = new LambdaInvoker({ stateDir });
      try {
        const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
        assert.equal(record.status, 'success', JSON.stringify(record.error));
        assert.equal(record.cold, true);
        return statSync(binary).mtimeMs;
      } finally {
        await invoker.shutdown();
      }
    };
    const built = await coldStart();
    assert.equal(await coldStart(), built, 'unchanged sources: the binary is reused');
    const main = join(src, 'main.go');
    writeFileSync(main, readFileSync(main, 'utf8').replace('"function":    os.Getenv("AWS_LAMBDA_FUNCTION_NAME")', '"function":    "edited"'));
    const later = new Date(built + 5_000);
    utimesSync(main, later, later);
    const rebuilt = await coldStart();
    assert.ok(rebuilt > built, 'an edited source rebuilds the binary');
    const invoker = new LambdaInvoker({ stateDir });
    try {
      const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
      assert.equal((record.result as { function: string }).function, 'edited');
    } finally {
      await invoker.shutdown();
    }
  });

  test('a compile error is a user error carrying the compiler output', async () => {
    const src = goProject();
    writeFileSync(join(src, 'main.go'), 'package main\n\nfunc main() {\n\tundefinedCall()\n}\n');
    const invoker = new LambdaInvoker({ stateDir: temp('state') });
    try {
      const fn = functionFromHandler({ handler: 'bootstrap', root: src, name: 'go-broken' });
      await assert.rejects(invoker.invoke({ fn, event: {}, trigger: 'manual' }), (err: unknown) => {
        assert.ok(err instanceof UserError, String(err));
        assert.ok(err.message.startsWith(`go build failed for function 'go-broken' (in ${src}):\n`), err.message);
        assert.match(err.message, /undefined: undefinedCall/);
        return true;
      });
    } finally {
      await invoker.shutdown();
    }
  });

  test(
    'a function for another CPU, without qemu to run it: a user error before any build',
    { skip: existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64') },
    async () => {
      const stateDir = temp('state');
      const invoker = new LambdaInvoker({ stateDir });
      try {
        const foreign = process.arch === 'arm64' ? 'x86_64' : 'arm64';
        const fn = functionFromHandler({ handler: 'bootstrap', root: join(fixtures, 'hello'), name: 'go-foreign', architecture: foreign });
        await assert.rejects(
          invoker.invoke({ fn, event: {}, trigger: 'manual' }),
          (err: unknown) => err instanceof UserError && err.message.startsWith(`function 'go-foreign' is built for ${foreign}, and this machine (`),
        );
        assert.equal(existsSync(join(stateDir, 'go-build', 'go-foreign', 'bootstrap')), false);
      } finally {
        await invoker.shutdown();
      }
    },
  );

  test('debug mode: a -N -l build under Delve; a DAP client attaches, stops on a line with its variables, and the paused time is not the timeout', async () => {
    const stateDir = temp('state');
    const invoker = new LambdaInvoker({ stateDir });
    const source = join(fixtures, 'hello', 'main.go');
    const line =
      readFileSync(source, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('invocations++')) + 1;
    let dap: DapClient | undefined;
    try {
      const fn = functionFromHandler({ handler: 'bootstrap', root: join(fixtures, 'hello'), name: 'go-debug', timeout: 1 });
      const target = await invoker.prepareDebug(fn);
      assert.equal(target.kind, 'delve');
      const build = JSON.parse(readFileSync(join(stateDir, 'go-build', 'go-debug', 'debug', 'build.json'), 'utf8')) as { gcflags?: string };
      assert.equal(build.gcflags, 'all=-N -l', 'the debug build has no optimisations or inlining');
      dap = await DapClient.connect(target.port);
      const initialized = dap.waitForEvent('initialized');
      await dap.request('initialize', { adapterID: 'go', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
      const attached = dap.request('attach', { request: 'attach', mode: 'remote', stopOnEntry: false });
      await initialized;
      const { breakpoints } = await dap.request<{ breakpoints: { verified: boolean }[] }>('setBreakpoints', {
        source: { path: source },
        breakpoints: [{ line }],
      });
      assert.equal(breakpoints[0]?.verified, true);
      await dap.request('configurationDone');
      await attached;

      const running = invoker.invoke({ fn, event: { name: 'gopher' }, trigger: 'debug', debug: true });
      const stopped = await dap.waitForEvent('stopped', (m) => m.body?.reason === 'breakpoint');
      invoker.debuggerPaused(target.environmentId);
      const at = await dap.stoppedAt(stopped.body!.threadId!);
      assert.equal(at.path, source);
      assert.equal(at.line, line);
      assert.match(at.variables.event ?? '', /gopher/);
      // Held longer than the 1 s timeout: the clock stands still while paused.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      invoker.debuggerResumed(target.environmentId);
      await dap.request('continue', { threadId: stopped.body!.threadId });
      const record = await running;
      assert.equal(record.status, 'success', JSON.stringify(record.error));
      assert.deepEqual((record.result as { event: unknown }).event, { name: 'gopher' });
      assert.equal(record.cold, true);
      assert.ok((record.pausedMs ?? 0) >= 1400, `pausedMs ${record.pausedMs}`);
      // Delve is not the function: Max Memory Used is the debugged program's (about 25 MB here; with Delve's, about 43).
      assert.ok((record.maxMemoryUsedMB ?? 0) < 35, `Max Memory Used ${record.maxMemoryUsedMB} MB`);
      assert.deepEqual(
        record.logs.filter((l) => /API server listening|layer=rpc|dlv/.test(l)),
        [],
        "Delve's own notices are not the function's log",
      );
    } finally {
      dap?.close();
      await invoker.shutdown();
    }
    await waitFor(
      () => !processRunning(join(stateDir, 'go-build', 'go-debug', 'debug', 'bootstrap')),
      10_000,
      'the debugged program ends with its environment',
    );
  });

  test('debug mode without Delve: one user error that says what to install, before any build', async () => {
    const stateDir = temp('state');
    const invoker = new LambdaInvoker({ stateDir, hostEnv: { PATH: '/nonexistent-bin' } });
    try {
      const fn = functionFromHandler({ handler: 'bootstrap', root: join(fixtures, 'hello'), name: 'go-no-dlv' });
      await assert.rejects(
        invoker.prepareDebug(fn),
        (err: unknown) =>
          err instanceof UserError &&
          err.message === "debugging the Go function 'go-no-dlv' needs Delve (dlv), which is not installed (not on PATH, nor in Go's install folder)" &&
          /apt install delve/.test(err.hint ?? ''),
      );
      assert.equal(existsSync(join(stateDir, 'go-build', 'go-no-dlv')), false, 'nothing was built');
    } finally {
      await invoker.shutdown();
    }
  });

  test('debug mode of a custom runtime that is not built from Go: refused, saying why', async () => {
    const invoker = new LambdaInvoker({ stateDir: temp('state') });
    try {
      const fn = functionFromHandler({
        handler: 'bootstrap',
        root: join(repoRoot, 'test', 'fixtures', 'provided', 'echo'),
        name: 'sh-debug',
        runtime: 'provided.al2023',
      });
      await assert.rejects(
        invoker.prepareDebug(fn),
        (err: unknown) => err instanceof UserError && err.message.startsWith("breakpoints in custom runtimes work for Go functions only: 'sh-debug'"),
      );
    } finally {
      await invoker.shutdown();
    }
  });

  test('without the Go toolchain on PATH: a user error that says what to install', async () => {
    const invoker = new LambdaInvoker({ stateDir: temp('state'), hostEnv: { PATH: '/nonexistent-bin' } });
    try {
      const fn = functionFromHandler({ handler: 'bootstrap', root: join(fixtures, 'hello'), name: 'go-no-toolchain' });
      await assert.rejects(
        invoker.invoke({ fn, event: {}, trigger: 'manual' }),
        (err: unknown) =>
          err instanceof UserError &&
          err.message === "function 'go-no-toolchain' is built from Go sources, and the Go toolchain (go) is not on PATH" &&
          err.hint === 'install Go (on Debian: apt-get install golang-go) and make sure `go` is on PATH',
      );
    } finally {
      await invoker.shutdown();
    }
  });
});

describe('go: examples/hello-go served', { timeout: 600_000 }, () => {
  let serve: ServeProcess;
  before(async () => {
    serve = await startServe(['--root', join(repoRoot, 'examples', 'hello-go'), '--state-dir', temp('state')], { timeoutMs: 60_000 });
  });
  after(async () => {
    await serve?.stop();
  });

  helloExampleTests(() => serve, { functionName: 'HelloGo', name: 'gopher', routeTitle: 'is answered by the built Go binary', jsonContentType: false });
});
