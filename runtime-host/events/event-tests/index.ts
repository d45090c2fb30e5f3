// Saved events as tests: `events/<Fn>/<name>.expected.json` next to an event pins the response the
// function must give it (see protocol/event-tests.ts for the file). `events.check` judges a response,
// `events.acceptExpected` writes the file from one; `lambda-workbench test` uses the same two functions.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventSource, HostContext, MethodHandlers } from '../../host-context';
import { EXPECTED_RESPONSE_SUFFIX, type EventCheck, type ExpectedResponseFile, type ResponseUnderTest } from '../../protocol/event-tests';
import { resolveInsideRoot } from '../../runtime/inside-root';
import { UserError } from '../../runtime/types';
import { MethodParams } from '../../server/method-params';
import { SAVED_EVENTS_DIR, validateSegment } from '../saved-events';
import { compareResponse, describeDifferences, readExpected } from './compare';

export function expectedPathOf(fn: string, name: string): string {
  return [SAVED_EVENTS_DIR, fn, `${name}${EXPECTED_RESPONSE_SUFFIX}`].join('/');
}

async function expectedFile(root: string, fnName: unknown, eventName: unknown): Promise<{ fn: string; name: string; rel: string; file: string }> {
  const fn = validateSegment(fnName, 'function');
  const name = validateSegment(eventName, 'event');
  const rel = expectedPathOf(fn, name);
  try {
    await resolveInsideRoot(root, rel);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${rel} resolves outside the project`, 'expected responses must live inside the workspace');
    throw err;
  }
  return { fn, name, rel, file: join(root, rel) };
}

/** The response as a test sees it: a function error is its type and message (never the trace). */
export function responseOf(output: { result?: unknown; error?: { errorType: string; errorMessage: string } }): ResponseUnderTest {
  return output.error ? { error: { errorType: output.error.errorType, errorMessage: output.error.errorMessage } } : { result: output.result ?? null };
}

/** Judges one response to a saved event against its expected-response file (a missing file: success passes). */
export async function checkSavedEvent(root: string, fnName: unknown, eventName: unknown, response: ResponseUnderTest): Promise<EventCheck> {
  const { fn, name, rel, file } = await expectedFile(root, fnName, eventName);
  const base = { function: fn, name, expectedPath: rel };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const error = response.error;
    return {
      ...base,
      status: error ? 'failed' : 'passed',
      hasExpected: false,
      message: error
        ? `${error.errorType}: ${error.errorMessage}`
        : `succeeded; no expected response (${rel}) — accept the result as expected to compare with it`,
      differences: [],
    };
  }
  let parsed: ReturnType<typeof readExpected>;
  try {
    parsed = readExpected(JSON.parse(text), rel);
  } catch (err) {
    const message =
      err instanceof UserError ? `${err.message}${err.hint ? ` (${err.hint})` : ''}` : `${rel}: ${err instanceof Error ? err.message : String(err)}`;
    return { ...base, status: 'error', hasExpected: true, message, differences: [] };
  }
  const { differences, expectedText, actualText } = compareResponse(parsed.expected, parsed.ignore, response);
  const ignoring = parsed.ignoreText.length ? ` (ignoring ${parsed.ignoreText.join(', ')})` : '';
  return {
    ...base,
    status: differences.length ? 'failed' : 'passed',
    hasExpected: true,
    message: differences.length ? describeDifferences(differences) : `matches ${rel}${ignoring}`,
    differences,
    expectedText,
    actualText,
  };
}

/** Writes (or replaces) the expected-response file from a response; the `$ignore` list of an existing file is kept. */
export async function acceptExpected(root: string, fnName: unknown, eventName: unknown, response: ResponseUnderTest): Promise<{ path: string }> {
  const { fn, rel, file } = await expectedFile(root, fnName, eventName);
  let ignore: string[] | undefined;
  try {
    const previous = JSON.parse(await readFile(file, 'utf8')) as ExpectedResponseFile;
    if (Array.isArray(previous.$ignore) && previous.$ignore.every((p) => typeof p === 'string') && previous.$ignore.length) ignore = previous.$ignore;
  } catch {
    // none yet, or unreadable: written afresh
  }
  const content: ExpectedResponseFile = {
    ...(ignore ? { $ignore: ignore } : {}),
    ...(response.error ? { error: { errorType: response.error.errorType, errorMessage: response.error.errorMessage } } : { result: response.result ?? null }),
  };
  await mkdir(join(root, SAVED_EVENTS_DIR, fn), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(content, null, 2)}\n`, 'utf8');
  await rename(tmp, file);
  return { path: rel };
}

function responseParam(p: MethodParams): ResponseUnderTest {
  const value = p.value('response', 'the response: {"result": …} or {"error": {"errorType": …, "errorMessage": …}}');
  const r = value as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ('error' in r && r.error !== undefined && typeof r.error !== 'object')) {
    throw new UserError('response must be {"result": …} or {"error": {"errorType": …, "errorMessage": …}}', 'pass what the invocation answered');
  }
  const error = r.error as { errorType?: unknown; errorMessage?: unknown } | undefined;
  return error ? { error: { errorType: String(error.errorType ?? ''), errorMessage: String(error.errorMessage ?? '') } } : { result: r.result ?? null };
}

const EXAMPLE = '{"function":"HelloFunction","name":"big-order","response":{"result":{"statusCode":200}}}';

/** `events.check` and `events.acceptExpected`, contributed to `serve` as an event source. */
export class EventTestsSource implements EventSource {
  readonly name = 'event-tests';
  private root: string | undefined;

  async start(context: HostContext): Promise<void> {
    this.root = context.root;
  }

  async stop(): Promise<void> {}

  private get projectRoot(): string {
    if (!this.root) throw new Error('event-tests source used before start()');
    return this.root;
  }

  methods(): MethodHandlers {
    return {
      'events.check': async (params) => {
        const p = new MethodParams(params, 'events.check', EXAMPLE);
        return checkSavedEvent(this.projectRoot, p.string('function', 'a function name'), p.string('name', 'an event name'), responseParam(p));
      },
      'events.acceptExpected': async (params) => {
        const p = new MethodParams(params, 'events.acceptExpected', EXAMPLE);
        return acceptExpected(this.projectRoot, p.string('function', 'a function name'), p.string('name', 'an event name'), responseParam(p));
      },
    };
  }
}
