// `lambda-workbench sqs send <queue> --body B`, `sqs list` and `sqs purge <queue>`: talk to the
// running host found through `<stateDir>/host.json` over the WebSocket protocol.
import type { SqsSendParams } from '../protocol';
import { integerFlag, keyValueFlags, parseFlags, RUNNING_HOST_FLAGS, runningHostStateDir, UsageError } from './args';
import { call, findHost, HostError } from './stream';

const USAGE =
  'lambda-workbench sqs send <queue> --body B [--group-id G] [--deduplication-id D] [--delay-seconds N] [--attribute K=V]... [--state-dir DIR] [--root DIR] [--json]\n' +
  '       lambda-workbench sqs list [--state-dir DIR] [--root DIR] [--json]\n' +
  '       lambda-workbench sqs purge <queue> [--state-dir DIR] [--root DIR]';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      body: { type: 'string' },
      'group-id': { type: 'string' },
      'deduplication-id': { type: 'string' },
      'delay-seconds': { type: 'string' },
      attribute: { type: 'string', multiple: true },
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
    if (sub === 'send') {
      if (rest.length !== 1) throw new UsageError(`sqs send takes one queue name\nusage: ${USAGE}`);
      if (values.body === undefined) throw new UsageError(`--body is required\nusage: ${USAGE}`);
      const attributes = keyValueFlags(values.attribute, 'attribute');
      const params: SqsSendParams = {
        queue: rest[0]!,
        body: values.body,
        ...(values['group-id'] !== undefined ? { groupId: values['group-id'] } : {}),
        ...(values['deduplication-id'] !== undefined ? { deduplicationId: values['deduplication-id'] } : {}),
        ...(values['delay-seconds'] !== undefined ? { delaySeconds: integerFlag(values['delay-seconds'], 'delay-seconds', 0, 900, 0) } : {}),
        ...(Object.keys(attributes).length > 0
          ? { messageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) }
          : {}),
      };
      const host = await findHost(stateDir);
      const result = await call(host, 'sqs.send', params);
      if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else
        process.stdout.write(
          `${result.messageId}${result.sequenceNumber ? `\t${result.sequenceNumber}` : ''}${result.duplicate ? '\t(duplicate: not queued again)' : ''}\n`,
        );
      return 0;
    }
    if (sub === 'list') {
      if (rest.length !== 0) throw new UsageError(`sqs list takes no arguments\nusage: ${USAGE}`);
      const host = await findHost(stateDir);
      const queues = await call(host, 'sqs.list', undefined);
      if (values.json) process.stdout.write(`${JSON.stringify(queues)}\n`);
      else
        for (const q of queues)
          process.stdout.write(`${q.name}\t${q.visible} visible\t${q.inFlight} in flight\t${q.delayed} delayed\t${q.functions.join(',')}\t${q.url}\n`);
      return 0;
    }
    if (sub === 'purge') {
      if (rest.length !== 1) throw new UsageError(`sqs purge takes one queue name\nusage: ${USAGE}`);
      const host = await findHost(stateDir);
      const { purged } = await call(host, 'sqs.purge', { queue: rest[0]! });
      process.stdout.write(`${values.json ? JSON.stringify({ purged }) : `purged ${purged} message(s)`}\n`);
      return 0;
    }
    throw new UsageError(`${sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`} (send, list, purge)\nusage: ${USAGE}`);
  } catch (err) {
    if (err instanceof HostError) {
      process.stderr.write(`lambda-workbench: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      return 2;
    }
    throw err;
  }
}
