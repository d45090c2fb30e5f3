// `lambda-workbench schedule list` and `schedule fire <name>`: the template's schedules on the
// running host found through `<stateDir>/host.json`, over the WebSocket protocol.
import { parseFlags, RUNNING_HOST_FLAGS, runningHostStateDir, UsageError } from './args';
import { call, findHost, HostError } from './stream';

const USAGE =
  'lambda-workbench schedule list [--state-dir DIR] [--root DIR] [--json]\n' +
  '       lambda-workbench schedule fire <name> [--state-dir DIR] [--root DIR] [--json]';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
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
    if (sub === 'list') {
      if (rest.length !== 0) throw new UsageError(`schedule list takes no arguments\nusage: ${USAGE}`);
      const host = await findHost(stateDir);
      const result = await call(host, 'schedule.list', undefined);
      if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        if (result.paused) process.stdout.write('(paused: serve runs with --schedules off)\n');
        for (const s of result.schedules) {
          const when = s.problem ? `never: ${s.problem}` : !s.enabled ? 'disabled' : (s.nextFireTime ?? '-');
          process.stdout.write(`${s.name}\t${s.function}\t${s.expression}${s.timeZone ? ` ${s.timeZone}` : ''}\t${when}\n`);
        }
      }
      return 0;
    }
    if (sub === 'fire') {
      if (rest.length !== 1) throw new UsageError(`schedule fire takes one schedule name\nusage: ${USAGE}`);
      const host = await findHost(stateDir);
      const result = await call(host, 'schedule.fire', { name: rest[0]! });
      process.stdout.write(`${values.json ? JSON.stringify(result) : result.recordId}\n`);
      return 0;
    }
    throw new UsageError(`${sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`} (list, fire)\nusage: ${USAGE}`);
  } catch (err) {
    if (err instanceof HostError) {
      process.stderr.write(`lambda-workbench: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      return 2;
    }
    throw err;
  }
}
