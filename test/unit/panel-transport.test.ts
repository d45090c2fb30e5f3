// The postMessage carrier the panel uses inside VS Code, driven through a real EventTarget the way
// the webview's window delivers the extension's messages. (The WebSocket carrier runs in the browser
// tests against a real host.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExtensionToWebviewMessage, WebviewToExtensionMessage } from '../../runtime-host/protocol/webview';
import { PostMessageTransport, RpcError, type VsCodeApi } from '../../webview-ui/transport';

function setup() {
  const posted: WebviewToExtensionMessage[] = [];
  const other: ExtensionToWebviewMessage[] = [];
  const api: VsCodeApi = { postMessage: (m) => void posted.push(m), getState: () => undefined, setState: () => undefined };
  const target = new EventTarget();
  const transport = new PostMessageTransport(api, target as unknown as Window, (m) => other.push(m));
  const deliver = (data: ExtensionToWebviewMessage) => target.dispatchEvent(new MessageEvent('message', { data }));
  return { posted, other, transport, deliver };
}

describe('panel postMessage transport', () => {
  it('announces itself, then wraps requests in rpc envelopes and resolves with the relayed result', async () => {
    const { posted, transport, deliver } = setup();
    assert.deepEqual(posted, [{ type: 'ready' }]);
    const pending = transport.request('getInvocation', { id: 'abc' });
    assert.deepEqual(posted[1], { type: 'rpc', message: { jsonrpc: '2.0', id: 1, method: 'getInvocation', params: { id: 'abc' } } });
    const noParams = transport.request('listFunctions', undefined);
    assert.deepEqual(posted[2], { type: 'rpc', message: { jsonrpc: '2.0', id: 2, method: 'listFunctions' } });
    deliver({ type: 'rpc', message: { jsonrpc: '2.0', id: 2, result: [] } });
    deliver({ type: 'rpc', message: { jsonrpc: '2.0', id: 1, result: { id: 'abc' } } });
    assert.deepEqual(await pending, { id: 'abc' });
    assert.deepEqual(await noParams, []);
  });

  it('turns a JSON-RPC error into an RpcError carrying the hint', async () => {
    const { transport, deliver } = setup();
    const pending = transport.request('invoke', { function: 'Nope' });
    deliver({
      type: 'rpc',
      message: { jsonrpc: '2.0', id: 1, error: { code: -32000, message: "unknown function 'Nope'", data: { hint: 'functions: Greet' } } },
    });
    await assert.rejects(
      pending,
      (err: unknown) => err instanceof RpcError && err.code === -32000 && err.message === "unknown function 'Nope'" && err.hint === 'functions: Greet',
    );
  });

  it('passes notifications to listeners and other messages to the panel', () => {
    const { transport, deliver, other } = setup();
    const seen: [string, unknown][] = [];
    transport.onNotification((method, params) => seen.push([method, params]));
    deliver({ type: 'rpc', message: { jsonrpc: '2.0', method: 'invocation.log', params: { id: 'a', line: 'hello' } } });
    deliver({ type: 'select', id: 'a' });
    deliver({ type: 'state', state: { version: 1 } });
    assert.deepEqual(seen, [['invocation.log', { id: 'a', line: 'hello' }]]);
    assert.deepEqual(other, [
      { type: 'select', id: 'a' },
      { type: 'state', state: { version: 1 } },
    ]);
  });

  it('fails pending requests when the host stops and follows the host state', async () => {
    const { transport, deliver } = setup();
    const states: string[] = [];
    transport.onStateChange((s) => states.push(s));
    const pending = transport.request('listInvocations', undefined);
    deliver({ type: 'host', state: 'stopped' });
    await assert.rejects(pending, /closed/);
    deliver({ type: 'host', state: 'starting' });
    deliver({ type: 'host', state: 'ready' });
    assert.deepEqual(states, ['closed', 'connecting', 'open']);
    assert.equal(transport.state, 'open');
  });

  it('hands "debug with this event" to the extension', () => {
    const { posted, transport } = setup();
    transport.debug({ function: 'Greet', event: { a: 1 }, trigger: 'debug' });
    assert.deepEqual(posted.at(-1), { type: 'debug', params: { function: 'Greet', event: { a: 1 }, trigger: 'debug' } });
  });

  it('ignores messages that are not envelopes and responses nobody waits for', async () => {
    const { transport, deliver } = setup();
    deliver(null as unknown as ExtensionToWebviewMessage);
    deliver({ type: 'rpc', message: { jsonrpc: '2.0', id: 99, result: 1 } });
    const pending = transport.request('listFunctions', undefined);
    deliver({ type: 'rpc', message: { jsonrpc: '2.0', id: 1, result: ['ok'] } });
    assert.deepEqual(await pending, ['ok']);
  });
});
