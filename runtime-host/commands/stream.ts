// `lambda-workbench stream put <stream> --partition-key K --data D` and `stream list`: talk to the
// running host found through `<stateDir>/host.json` over the WebSocket protocol.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { TOKEN_QUERY_PARAM, type MethodName, type ParamsOf, type ResultOf, type RpcResponse } from '../protocol';
import { parseFlags, RUNNING_HOST_FLAGS, runningHostStateDir, UsageError } from './args';

const USAGE =
  'lambda-workbench stream put <stream> --partition-key K --data D [--data-base64] [--state-dir DIR] [--root DIR] [--json]\n' +
  '       lambda-workbench stream list [--state-dir DIR] [--root DIR] [--json]';

interface HostInfo {
  ws: string;
  token: string;
  invokeApi?: string;
  pid?: number;
}

/** A mistake or a missing host: one message (+ hint), exit code 2. */
export class HostError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      'partition-key': { type: 'string' },
      data: { type: 'string' },
      'data-base64': { type: 'boolean' },
      ...RUNNING_HOST_FLAGS,
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  const [sub, ...rest] = positionals;
  const stateDir = runningHostStateDir(values);
  try {
    if (sub === 'put') {
      if (rest.length !== 1) throw new UsageError(`stream put takes one stream name\nusage: ${USAGE}`);
      if (values['partition-key'] === undefined) throw new UsageError(`--partition-key is required\nusage: ${USAGE}`);
      if (values.data === undefined) throw new UsageError(`--data is required\nusage: ${USAGE}`);
      const host = await findHost(stateDir);
      const [result] = await call(host, 'stream.putRecords', {
        stream: rest[0]!,
        records: [{ partitionKey: values['partition-key'], data: values.data, ...(values['data-base64'] ? { dataBase64: true } : {}) }],
      });
      if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write(`${result!.shardId}\t${result!.sequenceNumber}\n`);
      return 0;
    }
    if (sub === 'list') {
      if (rest.length !== 0) throw new UsageError(`stream list takes no arguments\nusage: ${USAGE}`);
      const host = await findHost(stateDir);
      const streams = await call(host, 'stream.list', undefined);
      if (values.json) process.stdout.write(`${JSON.stringify(streams)}\n`);
      else
        for (const s of streams)
          process.stdout.write(`${s.name}\t${s.kind}\t${s.shards} shard(s)\t${s.records ?? 0} record(s)\t${(s.functions ?? []).join(',')}\n`);
      return 0;
    }
    throw new UsageError(`${sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`} (put, list)\nusage: ${USAGE}`);
  } catch (err) {
    if (err instanceof HostError) {
      process.stderr.write(`lambda-workbench: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      return 2;
    }
    throw err;
  }
}

function alive(pid: number | undefined): boolean {
  if (!pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function findHost(stateDir: string): Promise<HostInfo> {
  const file = join(stateDir, 'host.json');
  const hint = `start one with: lambda-workbench serve --root <project>  (or pass --state-dir / --root of the running host)`;
  let info: HostInfo;
  try {
    info = JSON.parse(await readFile(file, 'utf8')) as HostInfo;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new HostError(`no running host found: ${file} does not exist`, hint);
    throw new HostError(`cannot read ${file}: ${(err as Error).message}`, hint);
  }
  if (typeof info.ws !== 'string' || typeof info.token !== 'string') throw new HostError(`${file} is not a host file (no ws/token)`, hint);
  if (!alive(info.pid)) throw new HostError(`no running host found: the host that wrote ${file} (pid ${info.pid}) is gone`, hint);
  return info;
}

export function call<M extends MethodName>(host: HostInfo, method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
  const url = new URL(host.ws);
  if (!url.searchParams.has(TOKEN_QUERY_PARAM)) url.searchParams.set(TOKEN_QUERY_PARAM, host.token);
  return new Promise((resolvePromise, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new HostError(`the host at ${host.ws} did not answer within 30 s`));
    }, 30_000);
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      socket.close();
      fn();
    };
    socket.on('open', () => socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method, ...(params !== undefined ? { params } : {}) })));
    socket.on('message', (raw) => {
      let msg: RpcResponse | { method: string };
      try {
        msg = JSON.parse(raw.toString()) as RpcResponse | { method: string };
      } catch {
        return;
      }
      if (!('id' in msg) || msg.id !== 1) return; // notifications
      if ('error' in msg) finish(() => reject(new HostError(msg.error.message, msg.error.data?.hint)));
      else finish(() => resolvePromise(msg.result as ResultOf<M>));
    });
    socket.on('error', (err) =>
      finish(() => reject(new HostError(`cannot reach the host at ${host.ws}: ${err.message}`, 'is it still running? restart it with lambda-workbench serve'))),
    );
  });
}
