// `lambda-workbench <command> …`: arguments → services. Each command lives in commands/<name>.ts
// and returns its exit code; usage errors exit 2 with one line, never a stack trace.
import { UsageError } from './commands/args';

interface Command {
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  invoke: { summary: 'invoke a handler once, as Lambda would', load: () => import('./commands/invoke') },
  serve: { summary: 'run the host: WebSocket protocol, Invoke API, HTTP API, dashboard', load: () => import('./commands/serve') },
  event: { summary: 'list or generate sample events', load: () => import('./commands/event') },
  tune: { summary: 'run a function at several memory sizes: duration, billed duration and cost of each', load: () => import('./commands/tune') },
  stream: { summary: 'put records to a Kinesis/DynamoDB stream of a running host', load: () => import('./commands/stream') },
  sqs: { summary: 'send messages to, list or purge the SQS queues of a running host', load: () => import('./commands/sqs') },
  schedule: { summary: 'list the schedules of a running host, or fire one now', load: () => import('./commands/schedule') },
  execution: {
    summary: 'durable executions of a running host: list, history, stop, complete a callback, skip waits',
    load: () => import('./commands/execution'),
  },
  test: {
    summary: 'invoke every saved event and compare with its expected response (exit 1 on a failure; --reporter junit for CI)',
    load: () => import('./commands/test'),
  },
};

function help(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: lambda-workbench <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    // Read at run time: dist/cli.js sits next to the package.json it reports.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    process.stdout.write(`${(require('../package.json') as { version: string }).version}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`lambda-workbench: unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  return (await command.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`lambda-workbench: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`lambda-workbench: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 70;
    }
  },
);
