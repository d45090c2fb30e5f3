// `lambda-workbench execution list|history|stop|callback|skip-waits`: the durable executions of a running
// host (found through `<stateDir>/host.json`), over the WebSocket protocol — what the panel shows and does.
import type { DurableExecutionView } from '../protocol/durable';
import { parseFlags, RUNNING_HOST_FLAGS, runningHostStateDir, UsageError } from './args';
import { call, findHost, HostError } from './stream';

const USAGE =
  'lambda-workbench execution list [--function NAME] [--state-dir DIR] [--root DIR] [--json]\n' +
  '       lambda-workbench execution history <name|arn> [--function NAME] [--json]\n' +
  '       lambda-workbench execution stop <name|arn> [--function NAME] [--error-type TYPE] [--error MESSAGE]\n' +
  '       lambda-workbench execution callback <callback-id> (--result JSON | --error MESSAGE [--error-type TYPE] | --heartbeat)\n' +
  '       lambda-workbench execution skip-waits <name|arn> [--function NAME] [--always]';

const FLAGS = {
  ...RUNNING_HOST_FLAGS,
  function: { type: 'string' },
  result: { type: 'string' },
  error: { type: 'string' },
  'error-type': { type: 'string' },
  heartbeat: { type: 'boolean' },
  always: { type: 'boolean' },
} as const;

const time = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, USAGE);
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  const [sub, ...rest] = positionals;
  const stateDir = runningHostStateDir(values);
  const fn = values.function !== undefined ? { function: values.function } : {};
  const one = (what: string): string => {
    if (rest.length !== 1) throw new UsageError(`execution ${sub} takes one ${what}\nusage: ${USAGE}`);
    return rest[0]!;
  };
  const print = (value: unknown, text: string) => process.stdout.write(values.json ? `${JSON.stringify(value)}\n` : text);
  try {
    switch (sub) {
      case 'list': {
        if (rest.length !== 0) throw new UsageError(`execution list takes no arguments\nusage: ${USAGE}`);
        const list = await call(await findHost(stateDir), 'durable.list', values.function !== undefined ? { function: values.function } : undefined);
        print(
          list,
          list
            .map((e) => {
              const pending = e.pendingCallbacks.length ? `\tcallbacks: ${e.pendingCallbacks.map((c) => c.callbackId).join(' ')}` : '';
              return `${e.name}\t${e.functionName}\t${e.status}\t${time(e.startedAt)}\t${e.invocationCount} invocation${e.invocationCount === 1 ? '' : 's'}${pending}\n`;
            })
            .join(''),
        );
        return 0;
      }
      case 'history': {
        const view = await call(await findHost(stateDir), 'durable.get', { execution: one('execution name or ARN'), ...fn });
        print(view, historyText(view));
        return 0;
      }
      case 'stop': {
        const error = {
          ...(values['error-type'] !== undefined ? { errorType: values['error-type'] } : {}),
          ...(values.error !== undefined ? { errorMessage: values.error } : {}),
        };
        const summary = await call(await findHost(stateDir), 'durable.stop', {
          execution: one('execution name or ARN'),
          ...fn,
          ...(Object.keys(error).length ? { error } : {}),
        });
        print(summary, `${summary.name}\t${summary.status}\n`);
        return 0;
      }
      case 'callback': {
        const callbackId = one('callback id');
        const given = [values.result !== undefined, values.error !== undefined, values.heartbeat === true].filter(Boolean).length;
        if (given !== 1) throw new UsageError(`execution callback needs one of --result JSON, --error MESSAGE or --heartbeat\nusage: ${USAGE}`);
        let result: unknown;
        if (values.result !== undefined) {
          try {
            result = JSON.parse(values.result);
          } catch (err) {
            throw new UsageError(`--result must be JSON (quote a string as '"text"'): ${(err as Error).message}`);
          }
        }
        const summary = await call(await findHost(stateDir), 'durable.callback', {
          callbackId,
          ...(values.result !== undefined ? { result } : {}),
          ...(values.error !== undefined
            ? { error: { errorMessage: values.error, ...(values['error-type'] !== undefined ? { errorType: values['error-type'] } : {}) } }
            : {}),
          ...(values.heartbeat ? { heartbeat: true } : {}),
        });
        print(summary, `${summary.name}\t${summary.status}\n`);
        return 0;
      }
      case 'skip-waits': {
        const out = await call(await findHost(stateDir), 'durable.skipWaits', {
          execution: one('execution name or ARN'),
          ...fn,
          ...(values.always ? { always: true } : {}),
        });
        print(out, `${out.execution.name}\tskipped ${out.skipped} wait${out.skipped === 1 ? '' : 's'}${values.always ? ' (and every later one)' : ''}\n`);
        return 0;
      }
      default:
        throw new UsageError(
          `${sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`} (list, history, stop, callback, skip-waits)\nusage: ${USAGE}`,
        );
    }
  } catch (err) {
    if (err instanceof HostError) {
      process.stderr.write(`lambda-workbench: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      return 2;
    }
    throw err;
  }
}

/** The execution as text: its status, its invocations, then Lambda's history events one per line. */
export function historyText(view: DurableExecutionView): string {
  const lines = [
    `${view.name}  ${view.functionName}:${view.qualifier}  ${view.status}`,
    `  arn       ${view.arn}`,
    `  started   ${time(view.startedAt)}${view.endedAt !== undefined ? `  ended ${time(view.endedAt)}` : ''}`,
    ...(view.result !== undefined ? [`  result    ${view.result}`] : []),
    ...(view.error ? [`  error     ${view.error.ErrorType ?? 'Error'}: ${view.error.ErrorMessage ?? ''}`] : []),
    ...(view.skippedMs ? [`  skipped   ${Math.round(view.skippedMs / 1000)} s of waits`] : []),
    ...view.pendingCallbacks.map((c) => `  callback  ${c.callbackId}${c.name ? ` (${c.name})` : ''} waiting`),
    '',
    ...view.invocations.map(
      (i) => `  invocation ${i.seq}  ${i.outcome.padEnd(9)} ${time(i.startedAt)}  woken by ${i.wokenBy.join(', ')}  record ${i.recordId}`,
    ),
    '',
    ...view.events.map((e) => {
      const name = typeof e.Name === 'string' ? ` ${e.Name}` : '';
      return `  ${String(e.EventId).padStart(4)}  ${time(e.EventTimestamp)}  ${e.EventType}${name}${eventDetail(e)}`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}

function eventDetail(e: Record<string, unknown>): string {
  for (const [k, v] of Object.entries(e)) {
    if (!k.endsWith('Details') || typeof v !== 'object' || v === null) continue;
    const d = v as Record<string, { Payload?: unknown } | unknown>;
    const error = (d.Error as { Payload?: { ErrorMessage?: string } } | undefined)?.Payload?.ErrorMessage;
    if (error) return `  ✗ ${error}`;
    const result = (d.Result as { Payload?: unknown } | undefined)?.Payload;
    if (typeof result === 'string') return `  → ${result.length > 80 ? `${result.slice(0, 77)}…` : result}`;
    if (typeof d.CallbackId === 'string') return `  callback id ${d.CallbackId}`;
    if (typeof d.Duration === 'number') return `  ${d.Duration} s`;
  }
  return '';
}
