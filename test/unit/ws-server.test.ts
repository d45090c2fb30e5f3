// The host's WebSocket endpoint on its own: what each client is sent (brief records to those that asked)
// and how (the notifications of one event-loop turn in one write).
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { BRIEF_RECORDS_QUERY, TOKEN_QUERY_PARAM } from '../../runtime-host/protocol/index';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { JsonRpcDispatcher } from '../../runtime-host/server/json-rpc';
import { WsServer } from '../../runtime-host/server/ws-server';
import { record } from './panel/records';

const token = 'a'.repeat(64);
let server: WsServer;

before(async () => {
  server = new WsServer({
    token,
    dispatcher: new JsonRpcDispatcher(),
    brief: (method, params) =>
      method === 'invocation.finished' ? ({ ...(params as InvocationRecord), event: 'brief', omitted: { event: 1 } } as typeof params) : params,
  });
  await server.listen();
});

after(() => server.close());

/** A client and the notifications it received, in order. */
async function connect(brief: boolean): Promise<{ ws: WebSocket; received: { method: string; params: InvocationRecord }[] }> {
  const url = new URL(server.url);
  url.searchParams.set(TOKEN_QUERY_PARAM, token);
  if (brief) url.searchParams.set(BRIEF_RECORDS_QUERY.name, BRIEF_RECORDS_QUERY.value);
  const ws = new WebSocket(url);
  const received: { method: string; params: InvocationRecord }[] = [];
  ws.on('message', (data) => received.push(JSON.parse(String(data)) as { method: string; params: InvocationRecord }));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, received };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('WebSocket notifications', () => {
  it('go to a client that asked for brief records in their brief form, to the others whole', async () => {
    const [plain, brief] = [await connect(false), await connect(true)];
    try {
      server.broadcast('invocation.finished', record({ id: 'r1', event: { whole: true } }));
      await until(() => plain.received.length === 1 && brief.received.length === 1);
      assert.deepEqual(plain.received[0]!.params.event, { whole: true });
      assert.deepEqual([brief.received[0]!.params.event, brief.received[0]!.params.omitted], ['brief', { event: 1 }]);
    } finally {
      plain.ws.close();
      brief.ws.close();
    }
  });

  it('of one event-loop turn go out in one write, in order', async () => {
    const client = await connect(false);
    await until(() => server.clientCount() === 1);
    const writes = { count: 0 };
    const proto = Socket.prototype as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
    const originals = { _write: proto._write, _writev: proto._writev };
    for (const name of ['_write', '_writev'] as const) {
      proto[name] = function (this: Socket, ...args: unknown[]) {
        writes.count++;
        return originals[name].apply(this, args);
      };
    }
    try {
      for (const id of ['a', 'b', 'c']) server.broadcast('invocation.started', record({ id, status: 'running' }));
      await until(() => client.received.length === 3);
    } finally {
      Object.assign(proto, originals);
      client.ws.close();
    }
    assert.deepEqual(
      client.received.map((n) => n.params.id),
      ['a', 'b', 'c'],
    );
    assert.equal(writes.count, 1, 'three notifications, one write');
  });
});
