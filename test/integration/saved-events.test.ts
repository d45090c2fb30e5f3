// Saved events as plain JSON files under events/<FunctionName>/: the `events.*` methods on a real
// workspace folder — list (invalid files reported, never skipped), get, save, rename, delete, and
// names that would escape the workspace refused.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import type { HostContext, MethodHandlers } from '../../runtime-host/host-context';
import { SavedEventsSource } from '../../runtime-host/events/saved-events';
import { RpcErrorCode } from '../../runtime-host/protocol/methods';
import { UserError } from '../../runtime-host/runtime/types';
import { RpcError } from '../../runtime-host/server/json-rpc';
import { startServe } from './serve-helpers';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function workspace(): Promise<{
  root: string;
  m: Required<
    Pick<
      MethodHandlers,
      'events.listSaved' | 'events.getSaved' | 'events.save' | 'events.rename' | 'events.delete' | 'events.listTemplates' | 'events.generate'
    >
  >;
}> {
  const root = mkdtempSync(join(tmpdir(), 'lw-saved-'));
  dirs.push(root);
  const source = new SavedEventsSource();
  // The saved-events source reads only `root` from the host context.
  await source.start({ root } as HostContext);
  return { root, m: source.methods() as never };
}

test('save writes pretty JSON at events/<Function>/<name>.json; list and get read it back', async () => {
  const { root, m } = await workspace();
  const info = await m['events.save']({ function: 'OrdersFunction', name: 'big-order', event: { orderId: 7, items: [1, 2] } });
  assert.deepEqual(info, { function: 'OrdersFunction', name: 'big-order', path: 'events/OrdersFunction/big-order.json' });
  assert.equal(readFileSync(join(root, 'events/OrdersFunction/big-order.json'), 'utf8'), '{\n  "orderId": 7,\n  "items": [\n    1,\n    2\n  ]\n}\n');
  await m['events.save']({ function: 'OrdersFunction', name: 'a-small.json', event: 'text' });
  await m['events.save']({ function: 'Users', name: 'x', event: null });
  assert.deepEqual(await m['events.listSaved']({}), [
    { function: 'OrdersFunction', name: 'a-small', path: 'events/OrdersFunction/a-small.json' },
    { function: 'OrdersFunction', name: 'big-order', path: 'events/OrdersFunction/big-order.json' },
    { function: 'Users', name: 'x', path: 'events/Users/x.json' },
  ]);
  assert.deepEqual(await m['events.listSaved']({ function: 'Users' }), [{ function: 'Users', name: 'x', path: 'events/Users/x.json' }]);
  assert.deepEqual(await m['events.listSaved']({ function: 'Nobody' }), []);
  assert.deepEqual(await m['events.getSaved']({ function: 'OrdersFunction', name: 'big-order' }), { orderId: 7, items: [1, 2] });
  assert.equal(await m['events.getSaved']({ function: 'Users', name: 'x' }), null);
  // Overwrite in place.
  await m['events.save']({ function: 'Users', name: 'x', event: { v: 2 } });
  assert.deepEqual(await m['events.getSaved']({ function: 'Users', name: 'x' }), { v: 2 });
});

test('an invalid file is listed with its path and the JSON parser message; get reports it as a UserError', async () => {
  const { root, m } = await workspace();
  mkdirSync(join(root, 'events/Fn'), { recursive: true });
  writeFileSync(join(root, 'events/Fn/broken.json'), '{"a": 1,,}');
  writeFileSync(join(root, 'events/Fn/good.json'), '{"a": 1}');
  writeFileSync(join(root, 'events/Fn/notes.txt'), 'not an event');
  let parserMessage = '';
  try {
    JSON.parse('{"a": 1,,}');
  } catch (err) {
    parserMessage = (err as Error).message;
  }
  assert.deepEqual(await m['events.listSaved']({ function: 'Fn' }), [
    { function: 'Fn', name: 'broken', path: 'events/Fn/broken.json', error: parserMessage },
    { function: 'Fn', name: 'good', path: 'events/Fn/good.json' },
  ]);
  await assert.rejects(
    m['events.getSaved']({ function: 'Fn', name: 'broken' }),
    (err: unknown) => err instanceof UserError && err.message === `events/Fn/broken.json: ${parserMessage}`,
  );
  await assert.rejects(
    m['events.getSaved']({ function: 'Fn', name: 'missing' }),
    (err: unknown) => err instanceof UserError && err.message === "no saved event 'missing' for Fn" && err.code === 'ResourceNotFound',
  );
});

test('rename moves the file, refuses to overwrite; delete reports whether a file was removed', async () => {
  const { root, m } = await workspace();
  await m['events.save']({ function: 'Fn', name: 'one', event: { n: 1 } });
  await m['events.save']({ function: 'Fn', name: 'two', event: { n: 2 } });
  assert.deepEqual(await m['events.rename']({ function: 'Fn', name: 'one', newName: 'first' }), {
    function: 'Fn',
    name: 'first',
    path: 'events/Fn/first.json',
  });
  assert.equal(existsSync(join(root, 'events/Fn/one.json')), false);
  assert.deepEqual(JSON.parse(readFileSync(join(root, 'events/Fn/first.json'), 'utf8')), { n: 1 });
  await assert.rejects(
    m['events.rename']({ function: 'Fn', name: 'first', newName: 'two' }),
    (err: unknown) => err instanceof UserError && err.message === "a saved event 'two' already exists for Fn",
  );
  await assert.rejects(
    m['events.rename']({ function: 'Fn', name: 'ghost', newName: 'x' }),
    (err: unknown) => err instanceof UserError && err.code === 'ResourceNotFound',
  );
  assert.deepEqual(await m['events.delete']({ function: 'Fn', name: 'two' }), { deleted: true });
  assert.deepEqual(await m['events.delete']({ function: 'Fn', name: 'two' }), { deleted: false });
  assert.deepEqual(await m['events.listSaved']({}), [{ function: 'Fn', name: 'first', path: 'events/Fn/first.json' }]);
});

test('names never escape the workspace: separators, .., absolute paths and symlinked folders are refused', async () => {
  const { root, m } = await workspace();
  const bad: [string, string][] = [
    ['../outside', 'x'],
    ['Fn', '../../etc/passwd'],
    ['Fn', '..'],
    ['/abs', 'x'],
    ['Fn', '/tmp/x'],
    ['Fn', 'a\\b'],
    ['Fn', '.hidden'],
    ['', 'x'],
    ['Fn', ''],
  ];
  // An empty name is a missing param (-32602 naming it); any other bad name is the user's error.
  const refused = (err: unknown) =>
    (err instanceof UserError && /(invalid|required)/.test(err.message)) ||
    (err instanceof RpcError && err.code === RpcErrorCode.InvalidParams && /"(function|name)"/.test(err.message));
  for (const [fn, name] of bad) {
    await assert.rejects(m['events.save']({ function: fn, name, event: {} }), refused, `${fn}/${name}`);
    await assert.rejects(m['events.getSaved']({ function: fn, name }), refused, `${fn}/${name}`);
  }
  await assert.rejects(
    m['events.rename']({ function: 'Fn', name: 'a', newName: '../b' }),
    (err: unknown) => err instanceof UserError && err.message === "invalid event name '../b'",
  );
  assert.equal(existsSync(join(root, 'outside')), false);
  // A function folder that is a symlink to somewhere outside the project.
  const outside = mkdtempSync(join(tmpdir(), 'lw-outside-'));
  dirs.push(outside);
  mkdirSync(join(root, 'events'), { recursive: true });
  symlinkSync(outside, join(root, 'events', 'Linked'));
  await assert.rejects(
    m['events.save']({ function: 'Linked', name: 'x', event: {} }),
    (err: unknown) => err instanceof UserError && /resolves outside the project/.test(err.message),
  );
  assert.equal(existsSync(join(outside, 'x.json')), false);
});

test('events.listTemplates and events.generate are served by the same source', async () => {
  const { m } = await workspace();
  const templates = await m['events.listTemplates'](undefined);
  assert.equal(templates.length, 14);
  const event = (await m['events.generate']({ template: 'sqs', params: { body: 'hi' } })) as { Records: { body: string }[] };
  assert.equal(event.Records[0]!.body, 'hi');
  await assert.rejects(
    m['events.generate']({ template: 'nope' }),
    (err: unknown) => err instanceof UserError && err.message === "unknown event template 'nope'",
  );
});

test('over the protocol of a real serve: events.save / listSaved / rename / getSaved / delete, UserErrors as JSON-RPC errors', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lw-saved-serve-'));
  dirs.push(root);
  const serve = await startServe(['--root', root, '--state-dir', join(root, '.state')], { timeoutMs: 60_000 });
  try {
    const ready = serve.ready;
    const ws = new WebSocket(`${ready.ws}?token=${ready.token}`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let nextId = 1;
    const call = async (method: string, params: unknown) => {
      const id = nextId++;
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      for (;;) {
        const msg = JSON.parse((await new Promise<Buffer>((resolve) => ws.once('message', resolve))).toString());
        if (msg.id === id) return msg as { result?: unknown; error?: { code: number; message: string; data?: { hint?: string } } };
      }
    };
    assert.deepEqual((await call('events.save', { function: 'Api', name: 'get-user', event: { path: '/users/1' } })).result, {
      function: 'Api',
      name: 'get-user',
      path: 'events/Api/get-user.json',
    });
    assert.equal(readFileSync(join(root, 'events/Api/get-user.json'), 'utf8'), '{\n  "path": "/users/1"\n}\n');
    writeFileSync(join(root, 'events/Api/bad.json'), '{oops');
    const listed = (await call('events.listSaved', { function: 'Api' })).result as { name: string; error?: string }[];
    assert.deepEqual(
      listed.map((e) => [e.name, typeof e.error]),
      [
        ['bad', 'string'],
        ['get-user', 'undefined'],
      ],
    );
    assert.deepEqual((await call('events.rename', { function: 'Api', name: 'get-user', newName: 'user-1' })).result, {
      function: 'Api',
      name: 'user-1',
      path: 'events/Api/user-1.json',
    });
    assert.deepEqual((await call('events.getSaved', { function: 'Api', name: 'user-1' })).result, { path: '/users/1' });
    const escape = await call('events.save', { function: 'Api', name: '../../x', event: {} });
    assert.equal(escape.error?.code, -32000);
    assert.equal(escape.error?.message, "invalid event name '../../x'");
    assert.match(escape.error?.data?.hint ?? '', /one file name/);
    assert.deepEqual((await call('events.delete', { function: 'Api', name: 'user-1' })).result, { deleted: true });
    const templates = (await call('events.listTemplates', undefined)).result as unknown[];
    assert.equal(templates.length, 14);
    ws.close();
  } finally {
    await serve.stop();
  }
});

test("over a real serve: events.forFunction lists the function's trigger events, its saved events and the project's event files", async () => {
  const root = mkdtempSync(join(tmpdir(), 'lw-for-function-'));
  dirs.push(root);
  mkdirSync(join(root, 'src', 'events'), { recursive: true });
  mkdirSync(join(root, 'events', 'Hello'), { recursive: true });
  writeFileSync(join(root, 'src', 'hello.js'), 'exports.handler = async (event) => event;\n');
  writeFileSync(
    join(root, 'template.yaml'),
    [
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  Hello:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      CodeUri: src/',
      '      Handler: hello.handler',
      '      Runtime: nodejs22.x',
      '      Events:',
      '        Greet:',
      '          Type: HttpApi',
      '          Properties:',
      '            Path: /hello/{name}',
      '            Method: get',
      '',
    ].join('\n'),
  );
  writeFileSync(join(root, 'events', 'Hello', 'ada.json'), '{"name":"Ada"}');
  writeFileSync(join(root, 'events', 'shared.json'), '{"shared":true}');
  writeFileSync(join(root, 'src', 'events', 'local.json'), '{oops');
  const outside = mkdtempSync(join(tmpdir(), 'lw-outside-'));
  dirs.push(outside);
  writeFileSync(join(outside, 'secret.json'), '{"secret":true}');
  symlinkSync(join(outside, 'secret.json'), join(root, 'events', 'secret.json'));
  const serve = await startServe(['--root', root, '--state-dir', join(root, '.state')], { timeoutMs: 60_000 });
  try {
    const ws = new WebSocket(`${serve.ready.ws}?token=${serve.ready.token}`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let nextId = 1;
    const call = async (method: string, params: unknown) => {
      const id = nextId++;
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      for (;;) {
        const msg = JSON.parse((await new Promise<Buffer>((resolve) => ws.once('message', resolve))).toString());
        if (msg.id === id) return msg as { result?: unknown; error?: { code: number; message: string } };
      }
    };
    const events = (await call('events.forFunction', { function: 'Hello' })).result as {
      triggers: { id: string; label: string; params: { name: string }[] }[];
      saved: { name: string }[];
      files: { name: string; path: string; error?: string }[];
    };
    assert.deepEqual(
      events.triggers.map((t) => [t.id, t.label, t.params.map((p) => p.name)]),
      [['HttpApi GET /hello/{name}', 'GET /hello/{name} (HttpApi)', ['name']]],
    );
    assert.deepEqual(
      events.saved.map((s) => s.name),
      ['ada'],
    );
    // events/*.json, then the CodeUri's events/*.json (an invalid one with its parser message); the symlink out of the project is not offered.
    assert.deepEqual(
      events.files.map((f) => [f.path, typeof f.error]),
      [
        ['events/shared.json', 'undefined'],
        ['src/events/local.json', 'string'],
      ],
    );
    const event = (await call('events.generateForFunction', { function: 'Hello', trigger: 'HttpApi GET /hello/{name}', params: { name: 'Grace' } })).result as {
      pathParameters: Record<string, string>;
    };
    assert.deepEqual(event.pathParameters, { name: 'Grace' });
    assert.deepEqual((await call('events.getFile', { path: 'events/shared.json' })).result, { shared: true });
    assert.equal((await call('events.getFile', { path: 'events/secret.json' })).error?.code, -32000);
    assert.equal((await call('events.getFile', { path: '../x.json' })).error?.code, -32000);
    assert.equal((await call('events.getFile', { path: 'template.yaml' })).error?.message, "'template.yaml' is not a JSON file");
    ws.close();
  } finally {
    await serve.stop();
  }
});
