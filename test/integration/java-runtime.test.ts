// Java functions (java11–java25) through `lambda-workbench invoke`, the invoker and `serve`. The fixture project
// (test/fixtures/java/basic) is copied to a temporary folder and compiled there with the JDK's javac against
// our own aws-lambda-java-core API, as `mvn package` would leave it: target/classes and target/dependency/*.jar.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { findJdk, javaBootstrapClasses, type Jdk } from '../../runtime-host/runtime/java-toolchain';
import { UserError } from '../../runtime-host/runtime/types';
import { functionLines, initLines, invokeCliAt, repoRoot } from './node-bootstrap-helpers';
import { removeDir, helloExampleTests, startServe, type ServeProcess } from './serve-helpers';

const fixtures = join(repoRoot, 'test', 'fixtures', 'java');
const apiSources = join(repoRoot, 'runtime-host', 'runtime', 'java-bootstrap');
const temps: string[] = [];
const temp = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `lw-java-${name}-`));
  temps.push(dir);
  return dir;
};
after(() => temps.forEach(removeDir));

const jdk: Jdk = findJdk({}, 'java21');

function run(command: string, args: string[]): void {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
}

function javaFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.java'))
    .map((f) => join(dir, f));
}

/** Compiles `sources` against our aws-lambda-java-core API (not copied into the output), as a project depending on the real jar would. */
function javac(out: string, sources: string[], classpath: string[] = []): void {
  run(jdk.javac, ['-implicit:none', '-sourcepath', apiSources, ...(classpath.length ? ['-cp', classpath.join(':')] : []), '-d', out, ...sources]);
}

function jar(file: string, classes: string): void {
  run(join(jdk.home, 'bin', 'jar'), ['cf', file, '-C', classes, '.']);
}

/**
 * A copy of fixtures/java/basic as `mvn package` leaves it, with dependency jars: a library, stand-ins for
 * aws-lambda-java-events classes, and a stray aws-lambda-java-core.
 */
function builtProject(): string {
  const dir = temp('project');
  cpSync(join(fixtures, 'basic'), dir, { recursive: true });
  const dependency = join(dir, 'target', 'dependency');
  mkdirSync(dependency, { recursive: true });
  const scratch = temp('scratch');
  javac(join(scratch, 'lib'), javaFiles(join(fixtures, 'greeting-lib')));
  jar(join(dependency, 'greeting.jar'), join(scratch, 'lib'));
  javac(join(scratch, 'core'), javaFiles(join(fixtures, 'fake-core')));
  jar(join(dependency, 'aws-lambda-java-core-1.2.3.jar'), join(scratch, 'core'));
  javac(join(scratch, 'events'), javaFiles(join(fixtures, 'events-lib')));
  jar(join(dependency, 'events.jar'), join(scratch, 'events'));
  javac(join(dir, 'target', 'classes'), javaFiles(join(dir, 'src')), [join(dependency, 'greeting.jar'), join(dependency, 'events.jar')]);
  return dir;
}

let project = '';
before(() => {
  project = builtProject();
});

const java = (handler: string, args: string[] = [], event?: unknown) => invokeCliAt(project, handler, args, event);
const TRACE_FRAME = /^java\.base\//;

describe('java runtime: handlers and context', { timeout: 300_000 }, () => {
  test('package.Class (RequestHandler): the event as a Map, context fields, environment, println and LambdaLogger lines', async () => {
    const { exitCode, output } = await java('example.Hello', ['--name', 'java-fn', '--memory', '512'], {
      order: 1,
      big: 10000000000,
      f: 1.5,
      s: 'x',
      list: [1],
      obj: {},
    });
    assert.equal(exitCode, 0, JSON.stringify(output));
    const result = output.result as Record<string, Record<string, unknown>>;
    assert.deepEqual(result.event, { order: 1, big: 10000000000, f: 1.5, s: 'x', list: [1], obj: {} });
    // Lambda's reader gives an untyped target Integer, Long, Double, String, ArrayList and LinkedHashMap.
    assert.deepEqual(result.eventTypes, [
      'java.lang.Integer',
      'java.lang.Long',
      'java.lang.Double',
      'java.lang.String',
      'java.util.ArrayList',
      'java.util.LinkedHashMap',
    ]);
    assert.equal(result.greeting as unknown, 'hello from java');
    assert.deepEqual(result.context, {
      functionName: 'java-fn',
      functionVersion: '$LATEST',
      memoryLimitInMB: 512,
      awsRequestId: output.requestId,
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:java-fn',
      logGroupName: '/aws/lambda/java-fn',
      logStreamName: result.context.logStreamName,
      remainingPositive: true,
      identityId: null,
      identityPoolId: null,
      clientCustom: null,
      xrayTraceIdSet: true,
    });
    assert.match(String(result.context.logStreamName), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.deepEqual(result.env, {
      handler: 'example.Hello',
      taskRoot: project,
      executionEnv: 'AWS_Lambda_java21',
      traceProperty: true,
      contextLoaderIsFunctions: true,
    });
    // One LambdaLogger call is one record; the function's own aws-lambda-java-core jar does not replace the runtime's.
    assert.deepEqual(functionLines(output), [
      'println from the handler',
      'logged by LambdaLogger\rsecond line',
      '[INFO] logged at INFO',
      '[DEBUG] logged at DEBUG',
    ]);
    assert.ok(initLines(output).includes('init output'));
    assert.equal(
      output.logs[0],
      `INIT_START Runtime Version: java:21.v${jdk.major}-local\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:lambda-workbench-local-java-${jdk.version}`,
    );
  });

  test('AWS_LAMBDA_LOG_LEVEL drops lower levels; AWS_LAMBDA_LOG_FORMAT=JSON makes each record a JSON object', async () => {
    const text = await java('example.Hello', ['--env', 'AWS_LAMBDA_LOG_LEVEL=INFO'], {});
    assert.deepEqual(functionLines(text.output), ['println from the handler', 'logged by LambdaLogger\rsecond line', '[INFO] logged at INFO']);
    const json = await java('example.Hello', ['--env', 'AWS_LAMBDA_LOG_FORMAT=JSON', '--env', 'AWS_LAMBDA_LOG_LEVEL=INFO'], {});
    const records = json.output.logs.filter((l) => l.startsWith('{"timestamp"')).map((l) => JSON.parse(l) as Record<string, string>);
    assert.deepEqual(
      records.map((r) => [r.message, r.level, r.AWSRequestId]),
      [
        ['logged by LambdaLogger\nsecond line', 'UNDEFINED', json.output.requestId],
        ['logged at INFO', 'INFO', json.output.requestId],
      ],
    );
    assert.match(records[0]!.timestamp!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  test('Class::method with a bean: setters fill it (unknown properties ignored, "3" read as 3), getters write the result without nulls', async () => {
    const { output } = await java('example.Orders::total', [], {
      id: 'o-1',
      note: 'gift',
      extra: true,
      items: [
        { sku: 'a', quantity: 2, price: 1.5 },
        { sku: 'b', quantity: '3', price: 2 },
      ],
    });
    assert.deepEqual(output.result, { orderId: 'o-1 (gift)', count: 5, total: 9, paid: true, skus: ['a', 'b'] });
  });

  test('strings, void (null), static methods, a single value for a list, records', async () => {
    assert.equal((await java('example.Orders::greet', [], 'duke')).output.result, 'hello duke');
    const nothing = await java('example.Orders::nothing', [], { a: 1 });
    assert.equal(nothing.output.result, null);
    assert.deepEqual(functionLines(nothing.output), ['nothing returned for 1 keys']);
    assert.equal((await java('example.Orders::count', [], [1, 2, 3])).output.result, 6);
    assert.equal((await java('example.Orders::count', [], 5)).output.result, 5);
    assert.deepEqual((await java('example.Orders::mirror', [], { x: 1, y: 2 })).output.result, { x: 2, y: 1 });
  });

  test('aws-lambda-java-events classes: their JSON names bind regardless of case and dashes, Joda times from strings; S3Event is refused', async () => {
    const sqs = await java('example.Events::sqs', [], {
      Records: [{ messageId: 'm1', body: 'hi', eventSourceARN: 'arn:aws:sqs:us-east-1:1:q', attributes: { ApproximateReceiveCount: '1' } }],
    });
    assert.deepEqual(sqs.output.result, ['m1 hi arn:aws:sqs:us-east-1:1:q 1']);
    const scheduled = await java('example.Events::scheduled', [], { 'detail-type': 'Scheduled Event', time: '2026-01-02T03:04:05Z' });
    assert.deepEqual(scheduled.output.result, { detailType: 'Scheduled Event', year: 2026, time: '2026-01-02T03:04:05Z' });
    const s3 = await java('example.Events::s3', [], { Records: [] });
    assert.equal(s3.output.error?.errorMessage, 'An error occurred during JSON parsing');
    assert.match(functionLines(s3.output)[0] ?? '', /Lambda Workbench cannot build `com\.amazonaws\.services\.lambda\.runtime\.events\.S3Event`/);
  });

  test("a layer's java/lib jars are on the class path, after the function's own", async () => {
    const dir = temp('layered');
    cpSync(project, dir, { recursive: true, preserveTimestamps: true });
    const layer = temp('layer');
    mkdirSync(join(layer, 'java', 'lib'), { recursive: true });
    renameSync(join(dir, 'target', 'dependency', 'greeting.jar'), join(layer, 'java', 'lib', 'greeting.jar'));
    const { output } = await invokeCliAt(dir, 'example.Hello', ['--layer', layer], {});
    assert.equal((output.result as { greeting: string }).greeting, 'hello from java');
  });

  test('stream handlers get the raw event bytes and answer with the bytes they write', async () => {
    const whole = await java('example.Streams', [], { a: 'b' });
    assert.deepEqual(whole.output.result, { raw: '{"a":"b"}', requestId: whole.output.requestId });
    assert.deepEqual((await java('example.Streams::echo', [], [1, 'two'])).output.result, [1, 'two']);
  });

  test('warm environment: statics survive; identity and client context come from the invoke', async () => {
    const invoker = new LambdaInvoker();
    try {
      const fn = functionFromHandler({ handler: 'example.Hello', root: project, name: 'java-warm' });
      assert.equal(fn.runtime, 'java21');
      assert.equal(fn.runtimeFamily, 'java');
      const first = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
      const second = await invoker.invoke({
        fn,
        event: {},
        trigger: 'manual',
        identity: { cognitoIdentityId: 'id-9', cognitoIdentityPoolId: 'pool-9' },
        clientContext: { custom: { a: 1, b: 'two' } },
      });
      assert.equal(first.status, 'success', JSON.stringify(first.error));
      assert.equal(first.cold, true);
      assert.equal(second.cold, false);
      assert.equal((first.result as { invocations: number }).invocations, 1);
      const r2 = second.result as { invocations: number; context: Record<string, unknown> };
      assert.equal(r2.invocations, 2);
      assert.equal(r2.context.identityId, 'id-9');
      assert.equal(r2.context.identityPoolId, 'pool-9');
      assert.deepEqual(r2.context.clientCustom, { a: '1', b: 'two' });
    } finally {
      await invoker.shutdown();
    }
  });
});

describe('java runtime: errors', { timeout: 300_000 }, () => {
  test("an exception: errorType is its class, stackTrace Java's frames down to the handler, the error logged with its trace", async () => {
    const { exitCode, output } = await java('example.Errors::fails', [], { id: 7 });
    assert.equal(exitCode, 1);
    assert.equal(output.error?.errorType, 'example.Errors$OrderException');
    assert.equal(output.error?.errorMessage, 'order 7 is not valid');
    const trace = output.error?.trace ?? [];
    assert.deepEqual(trace.slice(0, 2), ['example.Errors.validate(Errors.java:18)', 'example.Errors.fails(Errors.java:14)']);
    // A method handler is called by reflection: the JDK's frames stay, the runtime's are cut.
    assert.ok(trace.length > 2 && trace.slice(2).every((f) => TRACE_FRAME.test(f)), trace.join('\n'));
    const lines = functionLines(output);
    assert.equal(lines.length, 1);
    assert.deepEqual(lines[0]!.split('\r').slice(0, 4), [
      'order 7 is not valid: example.Errors$OrderException',
      'example.Errors$OrderException: order 7 is not valid',
      '\tat example.Errors.validate(Errors.java:18)',
      '\tat example.Errors.fails(Errors.java:14)',
    ]);
    assert.equal(output.report.errorType, 'example.Errors$OrderException');
  });

  test('a RequestHandler that throws: its frame and its bridge method, nothing of the runtime', async () => {
    const { output } = await java('example.Validator', [], { id: 7 });
    assert.deepEqual(output.error, {
      errorType: 'java.lang.IllegalArgumentException',
      errorMessage: 'missing field: [id]',
      trace: ['example.Validator.handleRequest(Validator.java:10)', 'example.Validator.handleRequest(Validator.java:7)'],
    });
  });

  test('an event that does not fit the declared type, and a result that cannot be written: RuntimeException, as Lambda reports them', async () => {
    const input = await java('example.Errors::takesNumber', [], { id: 7 });
    assert.deepEqual(input.output.error, { errorType: 'java.lang.RuntimeException', errorMessage: 'An error occurred during JSON parsing', trace: [] });
    assert.match(functionLines(input.output)[0] ?? '', /\rCaused by: .*Cannot deserialize value of type `java\.lang\.Integer` from Object value/);
    const result = await java('example.Errors::unserializable', [], {});
    assert.deepEqual(result.output.error, {
      errorType: 'java.lang.RuntimeException',
      errorMessage: 'An error occurred during JSON serialization of response',
      trace: [],
    });
  });

  test('a class that is not there: ClassNotFoundException, reported by the invocation (init succeeded)', async () => {
    const { output } = await java('example.Missing::handle', [], {});
    assert.deepEqual(output.error, { errorType: 'java.lang.ClassNotFoundException', errorMessage: 'Class not found: example.Missing', trace: [] });
    assert.equal(
      output.logs.some((l) => l.startsWith('INIT_REPORT')),
      false,
    );
  });

  test('no usable method, or a class that is no handler: the runtime says so (Runtime.BadFunctionCode)', async () => {
    const method = await java('example.Errors::missing', [], {});
    assert.deepEqual(method.output.error, {
      errorType: 'Runtime.BadFunctionCode',
      errorMessage: 'No public method named missing with appropriate method signature found on class example.Errors',
      trace: [],
    });
    const type = await java('example.Errors', [], {});
    assert.equal(type.output.error?.errorMessage, 'Class does not implement an appropriate handler interface: example.Errors');
  });

  test('a static initializer that throws fails init: ExceptionInInitializerError, the cause in the log, INIT_REPORT', async () => {
    const { output } = await java('example.BrokenInit', [], 'x');
    assert.deepEqual(output.error, { errorType: 'java.lang.ExceptionInInitializerError', errorMessage: 'Error loading class example.BrokenInit', trace: [] });
    const init = initLines(output);
    const logged = init.findIndex((l) => l.startsWith('Error loading class example.BrokenInit: java.lang.ExceptionInInitializerError\r'));
    assert.ok(init.indexOf('init starts') >= 0 && init.indexOf('init starts') < logged, init.join('\n'));
    assert.ok(
      init[logged]!.includes('\rCaused by: java.lang.IllegalStateException: missing configuration\r\tat example.BrokenInit.configure(BrokenInit.java:13)'),
    );
    assert.ok(
      output.logs.some((l) =>
        /^INIT_REPORT Init Duration: \d+\.\d{2} ms\tPhase: init\tStatus: error\tError Type: java\.lang\.ExceptionInInitializerError$/.test(l),
      ),
    );
  });

  test("a handler's constructor that throws fails init with its own exception", async () => {
    const { output } = await java('example.ThrowingConstructor', [], 'x');
    assert.deepEqual(output.error, { errorType: 'java.lang.IllegalStateException', errorMessage: 'no database', trace: [] });
    assert.ok(output.logs.some((l) => l.startsWith('INIT_REPORT ')));
  });

  test('System.exit in the handler: Runtime.ExitError with the status', async () => {
    const { output } = await java('example.Errors::exits', [], {});
    assert.equal(output.error?.errorType, 'Runtime.ExitError');
    assert.equal(output.error?.errorMessage, `RequestId: ${output.requestId} Error: Runtime exited with error: exit status 3`);
    assert.ok(functionLines(output).includes('exiting with 3'));
  });
});

describe('java runtime: limits and the JVM', { timeout: 300_000 }, () => {
  test('timeout: a CPU-bound loop is killed at the deadline', async () => {
    const { exitCode, output } = await java('example.Limits::spins', ['--timeout', '1'], {});
    assert.equal(exitCode, 1);
    assert.deepEqual(output.error, {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${output.requestId} Error: Task timed out after 1.00 seconds`,
      trace: [],
    });
    assert.equal(output.report.status, 'timeout');
  });

  test('the heap past -XX:MaxHeapSize: java.lang.OutOfMemoryError from the handler, then the environment ends (the next invoke is cold)', async () => {
    const invoker = new LambdaInvoker();
    try {
      const fn = functionFromHandler({ handler: 'example.Limits::heap', root: project, name: 'java-heap', memory: 512, timeout: 60 });
      const failed = await invoker.invoke({ fn, event: { mb: 1000 }, trigger: 'manual' });
      assert.equal(failed.status, 'error');
      assert.equal(failed.error?.errorType, 'java.lang.OutOfMemoryError');
      assert.equal(failed.error?.errorMessage, 'Java heap space');
      assert.match(failed.error?.trace[0] ?? '', /^example\.Limits\.heap\(Limits\.java:\d+\)$/);
      const next = await invoker.invoke({ fn, event: { mb: 1 }, trigger: 'manual' });
      assert.equal(next.status, 'success', JSON.stringify(next.error));
      assert.equal(next.cold, true);
    } finally {
      await invoker.shutdown();
    }
  });

  test('out of memory: heap and direct memory past the memory size kill the environment', async () => {
    const { exitCode, output } = await java('example.Limits::allocates', ['--memory', '128', '--timeout', '60'], { mb: 400 }); // 7% of a core: reaching the limit may take seconds
    assert.equal(exitCode, 1);
    assert.equal(output.error?.errorType, 'Runtime.OutOfMemory');
    assert.equal(output.report.maxMemoryUsedMB, 128);
  });

  test('Max Memory Used is measured: holding 90 MB more shows about 90 MB more', async () => {
    const small = await java('example.Limits::holds', ['--memory', '512'], { mb: 10 });
    const large = await java('example.Limits::holds', ['--memory', '512'], { mb: 100 });
    assert.equal(small.output.result, 10);
    assert.equal(large.output.result, 100);
    const delta = large.output.report.maxMemoryUsedMB - small.output.report.maxMemoryUsedMB;
    // The JVM's young generation may hold a little more than the live data.
    assert.ok(
      delta >= 85 && delta <= 120,
      `expected ~90 MB more, got ${delta} (${small.output.report.maxMemoryUsedMB} → ${large.output.report.maxMemoryUsedMB})`,
    );
  });

  test("Lambda's JVM flags for the memory size, and JAVA_TOOL_OPTIONS picked up by the JVM", async () => {
    const { output } = await java('example.Limits::jvm', ['--memory', '512', '--env', 'JAVA_TOOL_OPTIONS=-Dlw.tool=on'], {});
    const result = output.result as { inputArguments: string[]; toolProperty: string; fileEncoding: string; accented: string };
    for (const flag of ['-XX:MaxHeapSize=445645k', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1']) assert.ok(result.inputArguments.includes(flag), flag);
    assert.equal(result.toolProperty, 'on');
    assert.ok(initLines(output).includes('Picked up JAVA_TOOL_OPTIONS: -Dlw.tool=on'));
    // UTF-8 as on Lambda, whatever the machine's locale.
    assert.equal(result.fileEncoding, 'UTF-8');
    assert.equal(result.accented, 'é');
  });

  test('java11 gets its own flags: C2 only, metaspace and code cache capped', async () => {
    const invoker = new LambdaInvoker();
    try {
      const fn = functionFromHandler({ handler: 'example.Limits::jvm', root: project, name: 'java-11', memory: 512, runtime: 'java11' });
      const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
      assert.equal(record.status, 'success', JSON.stringify(record.error));
      const args = (record.result as { inputArguments: string[] }).inputArguments;
      for (const flag of ['-XX:MaxHeapSize=445645k', '-XX:MaxMetaspaceSize=52429k', '-XX:ReservedCodeCacheSize=26214k', '-XX:-TieredCompilation']) {
        assert.ok(args.includes(flag), `${flag} in ${args.join(' ')}`);
      }
    } finally {
      await invoker.shutdown();
    }
  });
});

describe('java runtime: build state, toolchain, debug mode', { timeout: 300_000 }, () => {
  test('classes older than a source are refused with the build command; after a build they run', async () => {
    const dir = temp('stale');
    cpSync(project, dir, { recursive: true, preserveTimestamps: true });
    const source = join(dir, 'src', 'main', 'java', 'example', 'Hello.java');
    // Hello.java was edited now; the last build was a minute ago.
    const now = new Date();
    utimesSync(source, now, now);
    const classes = join(dir, 'target', 'classes');
    const built = new Date(now.getTime() - 60_000);
    for (const f of readdirSync(classes, { recursive: true, encoding: 'utf8' })) utimesSync(join(classes, f), built, built);
    const invoker = new LambdaInvoker();
    try {
      const fn = functionFromHandler({ handler: 'example.Hello', root: dir, name: 'java-stale' });
      await assert.rejects(invoker.invoke({ fn, event: {}, trigger: 'manual' }), (err: unknown) => {
        assert.ok(err instanceof UserError, String(err));
        assert.ok(
          err.message.startsWith(
            "function 'java-stale': the compiled code (target/classes) is older than its sources: src/main/java/example/Hello.java changed ",
          ),
          err.message,
        );
        assert.equal(err.hint, `rebuild it: mvn package in ${dir}`);
        return true;
      });
      javac(join(dir, 'target', 'classes'), [source], [join(dir, 'target', 'dependency', 'greeting.jar')]);
      const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
      assert.equal(record.status, 'success', JSON.stringify(record.error));
    } finally {
      await invoker.shutdown();
    }
  });

  test('no compiled classes: a user error that says to build first', async () => {
    const dir = temp('unbuilt');
    cpSync(join(fixtures, 'basic'), dir, { recursive: true });
    const invoker = new LambdaInvoker();
    try {
      const fn = functionFromHandler({ handler: 'example.Hello', root: dir, name: 'java-unbuilt' });
      await assert.rejects(
        invoker.invoke({ fn, event: {}, trigger: 'manual' }),
        (err: unknown) =>
          err instanceof UserError &&
          err.message.startsWith(`function 'java-unbuilt' has no compiled Java classes in ${dir}`) &&
          /^build it first: mvn package/.test(err.hint ?? ''),
      );
    } finally {
      await invoker.shutdown();
    }
  });

  test('our runtime is compiled once, into a folder named after its sources', async () => {
    const classes = await javaBootstrapClasses(jdk, {});
    const main = join(classes, 'lambdaworkbench', 'runtime', 'Bootstrap.class');
    assert.ok(existsSync(main));
    assert.ok(existsSync(join(classes, 'com', 'amazonaws', 'services', 'lambda', 'runtime', 'RequestHandler.class')));
    assert.match(relative(join(classes, '..', '..'), classes), /^[0-9a-f]{16}\/classes$/);
    const built = statSync(main).mtimeMs;
    assert.equal(await javaBootstrapClasses(jdk, {}), classes);
    assert.equal(statSync(main).mtimeMs, built);
  });

  test('no JDK: a user error naming where it looked and what to install', () => {
    assert.throws(
      () => findJdk({ hostEnv: { PATH: '/nonexistent-bin' } }, 'java21'),
      (err: unknown) =>
        err instanceof UserError &&
        err.message === 'no JDK found for java21 (looked for javac on PATH)' &&
        /apt-get install openjdk-17-jdk-headless/.test(err.hint ?? ''),
    );
  });

  test("debug mode: the JVM's JDWP agent listens on the environment's loopback port, silently, and the debug invoke runs", async () => {
    const invoker = new LambdaInvoker();
    try {
      const fn = functionFromHandler({ handler: 'example.Hello', root: project, name: 'java-debug' });
      const target = await invoker.prepareDebug(fn);
      assert.equal(target.kind, 'jdwp');
      assert.equal(target.host, '127.0.0.1');
      // JDWP's handshake: the agent answers the 14 bytes it is sent.
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(target.port, target.host, () => socket.write('JDWP-Handshake'));
        let got = '';
        socket.on('data', (chunk) => {
          got += chunk.toString('latin1');
          if (got.length >= 14) {
            socket.destroy();
            resolve(got.slice(0, 14));
          }
        });
        socket.on('error', reject);
      });
      assert.equal(answer, 'JDWP-Handshake');
      const record = await invoker.invoke({ fn, event: { name: 'debugger' }, trigger: 'debug', debug: true });
      assert.equal(record.status, 'success', JSON.stringify(record.error));
      assert.equal(record.cold, true);
      assert.ok(!record.logs.some((l) => l.includes('Listening for transport')), "the agent's notice is not function output");
    } finally {
      await invoker.shutdown();
    }
  });
});

describe('java runtime: examples/hello-java served', { timeout: 300_000 }, () => {
  let serve: ServeProcess;
  before(async () => {
    const dir = temp('hello');
    cpSync(join(repoRoot, 'examples', 'hello-java'), dir, { recursive: true });
    javac(join(dir, 'target', 'classes'), javaFiles(join(dir, 'src')));
    serve = await startServe(['--root', dir, '--state-dir', temp('state')], { timeoutMs: 60_000 });
  });
  after(async () => {
    await serve?.stop();
  });

  helloExampleTests(() => serve, { functionName: 'HelloJava', name: 'duke', routeTitle: "answers with the Java handler's response", jsonContentType: true });
});
