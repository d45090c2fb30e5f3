import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { functionFromHandler, inferRuntime, nameFromHandler } from '../../runtime-host/functions/handler-function';
import { nodeMemoryFlags } from '../../runtime-host/runtime/launch';
import { UserError } from '../../runtime-host/runtime/types';

test('a handler string gets Lambda defaults and a derived name', () => {
  const fn = functionFromHandler({ handler: 'src/app.handler', root: 'project' });
  assert.deepEqual(fn, {
    name: 'app-handler',
    handler: 'src/app.handler',
    codeUri: resolve('project'),
    runtime: 'nodejs22.x',
    runtimeFamily: 'nodejs',
    supported: true,
    memorySizeMB: 128,
    timeoutSeconds: 3,
    architecture: 'x86_64',
    environment: {},
    events: [],
    origin: { kind: 'handler' },
  });
  assert.equal(functionFromHandler({ handler: 'a.b', root: '.', name: 'Mine', memory: 10240, timeout: 900 }).name, 'Mine');
  assert.equal(nameFromHandler('api/v1/users.list.get'), 'users-list-get');
});

test('memory and timeout outside Lambda’s ranges are user errors that name the range', () => {
  for (const memory of [127, 10241, 256.5]) {
    assert.throws(
      () => functionFromHandler({ handler: 'a.b', root: '.', memory }),
      (e: unknown) => e instanceof UserError && /from 128 to 10240/.test(e.message),
    );
  }
  for (const timeout of [0, 901]) {
    assert.throws(
      () => functionFromHandler({ handler: 'a.b', root: '.', timeout }),
      (e: unknown) => e instanceof UserError && /from 1 to 900/.test(e.message),
    );
  }
  assert.throws(() => functionFromHandler({ handler: 'a.b', root: '.', name: 'bad name!' }), UserError);
});

test("node's memory flags follow Lambda's integer arithmetic", () => {
  assert.deepEqual(nodeMemoryFlags(128), ['--max-semi-space-size=6', '--max-old-space-size=116']);
  assert.deepEqual(nodeMemoryFlags(1769), ['--max-semi-space-size=88', '--max-old-space-size=1593']);
  assert.deepEqual(nodeMemoryFlags(10240), ['--max-semi-space-size=512', '--max-old-space-size=9216']);
});

test('the runtime follows the code: a .rb file → ruby3.3 (both handler forms), a go.mod → provided.al2023', () => {
  const fixtures = join(__dirname, '..', 'fixtures');
  assert.equal(inferRuntime('app.handler', join(fixtures, 'ruby', 'basic')), 'ruby3.3');
  assert.equal(inferRuntime('app.Shop::Orders.total', join(fixtures, 'ruby', 'basic')), 'ruby3.3');
  assert.equal(inferRuntime('lib/greeting.for', join(fixtures, 'ruby', 'basic')), 'ruby3.3');
  assert.equal(inferRuntime('bootstrap', join(fixtures, 'go', 'hello')), 'provided.al2023');
  assert.equal(inferRuntime('missing.handler', join(fixtures, 'ruby', 'basic')), 'nodejs22.x');
});

test('the runtime follows the code: a Java class of a Maven project, or any `Class::method`, → java21', () => {
  const fixtures = join(__dirname, '..', 'fixtures');
  assert.equal(inferRuntime('example.Hello', join(fixtures, 'java', 'basic')), 'java21');
  assert.equal(inferRuntime('example.Orders::total', join(fixtures, 'java', 'basic')), 'java21');
  assert.equal(inferRuntime('com.example.Handler::handleRequest', join(fixtures, 'handlers')), 'java21');
  // Without a build file or `::`, a dotted name is not taken for a Java class.
  assert.equal(inferRuntime('com.example.Handler', join(fixtures, 'handlers')), 'nodejs22.x');
});
