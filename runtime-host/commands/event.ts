// `lambda-workbench event list` and `lambda-workbench event generate <template> [--param k=v]...`:
// the sample-event library on the command line. Usage errors exit 2 with one line.
import { generateEvent, listTemplates } from '../events/templates';
import { UserError } from '../runtime/types';
import { keyValueFlags, parseFlags, UsageError } from './args';

const USAGE = 'lambda-workbench event list | lambda-workbench event generate <template> [--param KEY=VALUE]...';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    const { positionals } = parseFlags(rest, {}, USAGE);
    if (positionals.length) throw new UsageError(`event list takes no arguments, got '${positionals[0]}'\nusage: ${USAGE}`);
    const rows = [['NAME', 'SOURCE', 'DESCRIPTION', 'PARAMS']];
    for (const t of listTemplates()) rows.push([t.name, t.source, t.description, t.params.map((p) => p.name).join(', ')]);
    process.stdout.write(`${table(rows)}\n`);
    return 0;
  }
  if (sub === 'generate') {
    const { values, positionals } = parseFlags(rest, { param: { type: 'string', multiple: true, short: 'p' } }, USAGE);
    if (positionals.length !== 1) {
      throw new UsageError(`event generate takes one template name${positionals.length ? `, got ${positionals.length}` : ''}\nusage: ${USAGE}`);
    }
    const params = keyValueFlags(values.param as string[] | undefined, 'param');
    let event: unknown;
    try {
      event = generateEvent(positionals[0]!, params);
    } catch (err) {
      if (err instanceof UserError) throw new UsageError(err.hint ? `${err.message} (${err.hint})` : err.message);
      throw err;
    }
    process.stdout.write(`${JSON.stringify(event, null, 2)}\n`);
    return 0;
  }
  throw new UsageError(sub ? `unknown event subcommand '${sub}' (list, generate)\nusage: ${USAGE}` : `missing subcommand\nusage: ${USAGE}`);
}
