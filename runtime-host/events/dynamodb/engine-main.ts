// The DynamoDB engine process: dynalite (DynamoDB's API over LevelDB) on 127.0.0.1, its data in the
// folder given as the first argument. The host starts it as a child (events/dynamodb/engine.ts), so a
// crash or a long scan in the engine never stops the host. It says `{"port":N}` on stdout once it
// listens, and ends when its stdin closes: the host is gone, however it ended.
// Bundled into dist/runtime/dynamodb-engine.js with dynalite and level; only LevelDB's native binding
// is a file beside it (dist/runtime/classic-level/prebuilds, see scripts/build.mjs).
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

interface LevelDb {
  open(): Promise<void>;
  close(): Promise<void>;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;
const { ClassicLevel } = require('classic-level') as { ClassicLevel: new (path: string) => LevelDb };
/* eslint-enable @typescript-eslint/no-require-imports */

const OPEN_ATTEMPTS = 50;

/** A previous engine whose host was killed may still hold LevelDB's lock for a moment: wait for it to end. */
async function waitForStore(path: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const db = new ClassicLevel(path);
    try {
      await db.open();
      await db.close();
      return;
    } catch (err) {
      if (attempt >= OPEN_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function main(): Promise<void> {
  const path = process.argv[2];
  if (!path) throw new Error('usage: dynamodb-engine <data folder>');
  mkdirSync(path, { recursive: true });
  await waitForStore(path);
  // Tables are ACTIVE at once: a local table has nothing to provision.
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.keepAliveTimeout = 60_000;
  // Like every listener of the host: only requests naming 127.0.0.1:<port> (the host's), never a page's DNS name.
  const [dynamoDb] = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  let port = 0;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.host !== `127.0.0.1:${port}`) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('not this engine');
      return;
    }
    dynamoDb!(req, res);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    // LevelDB's log makes an abrupt end safe; do not outlive the host by more than a moment.
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`dynamodb engine: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
