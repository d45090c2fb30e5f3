// `--event FILE|-|TEMPLATE|JSON`: where an invocation's event comes from, in one place for every
// command that takes one.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { generateEvent, hasTemplate } from '../events/templates';
import { UsageError } from './args';

/**
 * The event for `--event <arg>`: a JSON file, `-` for stdin, a sample-event template name, or the JSON
 * itself (an object or array, as `aws lambda invoke --payload` takes it); absent → `{}` (what the Lambda
 * console sends by default). A file of that name always wins.
 */
export async function loadEvent(arg: string | undefined, cwd: string): Promise<unknown> {
  if (arg === undefined) return {};
  let text: string;
  let what: string;
  if (arg === '-') {
    what = 'stdin';
    text = await readStdin();
  } else {
    const path = resolve(cwd, arg);
    what = `event file '${arg}'`;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A file that exists wins; otherwise a sample-event template name (`s3-put`, `http-api`, …).
      if (code === 'ENOENT' && hasTemplate(arg)) return generateEvent(arg);
      // Not a file: JSON longer than a file name may be is ENAMETOOLONG, and one with a `/` may be ENOTDIR.
      if (code !== 'EISDIR' && isInlineJson(arg)) {
        what = 'the inline event';
        text = arg;
      } else if (code === 'ENOENT') {
        throw new UsageError(
          `--event: ${what} does not exist and is not a sample event template (give a JSON file, a template name from 'lambda-workbench event list', the JSON itself, or - for stdin)`,
        );
      } else if (code === 'EISDIR') {
        throw new UsageError(`--event: ${what} is a directory (give a JSON file, or - for stdin)`);
      } else {
        throw new UsageError(`--event: cannot read ${what}: ${(err as Error).message}`);
      }
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--event: ${what} is not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
}

/** An object or array written out on the command line. */
function isInlineJson(arg: string): boolean {
  return /^\s*[[{]/.test(arg);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
