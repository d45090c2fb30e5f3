// Saved events: plain JSON files `events/<FunctionName>/<name>.json` under the project root, so a
// team shares them through git. Listed, read, saved, renamed and deleted through the protocol
// (`events.*`); an invalid file is listed with the JSON parser's message, never skipped. The picker
// also offers the project's loose event files (`events/*.json`, `<CodeUri>/events/*.json`) and the
// events the function's own triggers produce (trigger-events.ts).
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { EventSource, HostContext, MethodHandlers } from '../host-context';
import { EXPECTED_RESPONSE_SUFFIX } from '../protocol/event-tests';
import type { EventFileInfo, FunctionEvents, SavedEventInfo } from '../protocol/methods';
import { resolveInsideRoot } from '../runtime/inside-root';
import { MethodParams } from '../server/method-params';
import { UserError } from '../runtime/types';
import { generateEvent, listTemplates } from './templates';
import { generateTriggerEvent, listTriggerEvents } from './trigger-events';

export const SAVED_EVENTS_DIR = 'events';

/** A name the user typed: one path segment, never `.`/`..`, no separators, no absolute paths. */
export function validateSegment(value: unknown, what: 'function' | 'event'): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UserError(`${what} name is required`, `give the ${what} name as a non-empty string`);
  }
  const name = what === 'event' ? value.replace(/\.json$/i, '') : value;
  if (
    name === '' ||
    name === '.' ||
    name === '..' ||
    name.includes('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    isAbsolute(name) ||
    name.startsWith('.') ||
    name.length > 200 ||
    // `<name>.expected.json` is the expected response of the event `<name>` (events/event-tests).
    (what === 'event' && /\.expected$/i.test(name))
  ) {
    throw new UserError(
      `invalid ${what} name '${value}'`,
      `a ${what} name is one file name: no '/', '\\', leading '.', '..' or '.expected' ending (saved events stay under ${SAVED_EVENTS_DIR}/)`,
    );
  }
  return name;
}

function jsonErrorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class SavedEvents {
  private readonly dir: string;

  constructor(private readonly root: string) {
    this.dir = join(root, SAVED_EVENTS_DIR);
  }

  private info(fn: string, name: string, error?: string): SavedEventInfo {
    const path = [SAVED_EVENTS_DIR, fn, `${name}.json`].join('/');
    return error === undefined ? { function: fn, name, path } : { function: fn, name, path, error };
  }

  /** The file for a validated function/event pair; refuses anything resolving outside the project (symlinks included, the file's own too). */
  private async fileFor(fn: string, name: string): Promise<string> {
    try {
      await resolveInsideRoot(this.root, [SAVED_EVENTS_DIR, fn, `${name}.json`].join('/'));
    } catch (err) {
      if (err instanceof UserError)
        throw new UserError(`${this.info(fn, name).path} resolves outside the project`, 'saved events must live inside the workspace');
      throw err;
    }
    return join(this.dir, fn, `${name}.json`);
  }

  async list(fnFilter?: unknown): Promise<SavedEventInfo[]> {
    const functions = fnFilter !== undefined && fnFilter !== null ? [validateSegment(fnFilter, 'function')] : await this.functionDirs();
    const out: SavedEventInfo[] = [];
    for (const fn of functions) {
      const dir = join(this.dir, fn);
      // A folder that is a symlink out of the project is not listed (nor read).
      if (
        !(await resolveInsideRoot(this.root, `${SAVED_EVENTS_DIR}/${fn}`).then(
          () => true,
          () => false,
        ))
      )
        continue;
      let names: string[];
      try {
        names = (await readdir(dir, { withFileTypes: true }))
          .filter((d) => d.isFile() && d.name.endsWith('.json') && !d.name.endsWith(EXPECTED_RESPONSE_SUFFIX))
          .map((d) => d.name);
      } catch {
        continue;
      }
      for (const file of names.sort()) {
        const name = file.slice(0, -'.json'.length);
        try {
          JSON.parse(await readFile(join(dir, file), 'utf8'));
          out.push(this.info(fn, name));
        } catch (err) {
          out.push(this.info(fn, name, jsonErrorMessage(err)));
        }
      }
    }
    return out;
  }

  private async functionDirs(): Promise<string[]> {
    try {
      return (await readdir(this.dir, { withFileTypes: true }))
        .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
        .map((d) => d.name)
        .sort();
    } catch {
      return [];
    }
  }

  async get(fnName: unknown, eventName: unknown): Promise<unknown> {
    const fn = validateSegment(fnName, 'function');
    const name = validateSegment(eventName, 'event');
    const file = await this.fileFor(fn, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new UserError(`no saved event '${name}' for ${fn}`, `expected ${this.info(fn, name).path}`, 'ResourceNotFound');
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new UserError(`${this.info(fn, name).path}: ${jsonErrorMessage(err)}`, 'fix the JSON in that file');
    }
  }

  async save(fnName: unknown, eventName: unknown, event: unknown): Promise<SavedEventInfo> {
    const fn = validateSegment(fnName, 'function');
    const name = validateSegment(eventName, 'event');
    if (event === undefined) throw new UserError('event is required', 'pass the event JSON to save');
    const file = await this.fileFor(fn, name);
    await mkdir(join(this.dir, fn), { recursive: true });
    // Write then rename so a reader (or git) never sees half a file.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, `${JSON.stringify(event, null, 2)}\n`, 'utf8');
    await rename(tmp, file);
    return this.info(fn, name);
  }

  /**
   * `*.json` directly in each folder (project-relative, `events` first, then each CodeUri's `events`),
   * each listed once; folders outside the project or reached through a symlink out of it are skipped.
   */
  async files(folders: string[]): Promise<EventFileInfo[]> {
    const out: EventFileInfo[] = [];
    const seen = new Set<string>();
    for (const folder of folders) {
      let dir: string;
      try {
        dir = await resolveInsideRoot(this.root, folder);
      } catch {
        continue;
      }
      let names: string[];
      try {
        names = (await readdir(dir, { withFileTypes: true }))
          .filter((d) => d.isFile() && d.name.endsWith('.json') && !d.name.endsWith(EXPECTED_RESPONSE_SUFFIX))
          .map((d) => d.name);
      } catch {
        continue;
      }
      for (const file of names.sort()) {
        const path = [...folder.split(/[\\/]+/).filter((x) => x && x !== '.'), file].join('/');
        if (seen.has(path)) continue;
        seen.add(path);
        const name = file.slice(0, -'.json'.length);
        try {
          JSON.parse(await readFile(join(dir, file), 'utf8'));
          out.push({ name, path });
        } catch (err) {
          out.push({ name, path, error: jsonErrorMessage(err) });
        }
      }
    }
    return out;
  }

  /** An event file inside the project, parsed: only `.json` files, never outside the root (symlinks included). */
  async getFile(path: string): Promise<unknown> {
    if (!/\.json$/i.test(path)) throw new UserError(`'${path}' is not a JSON file`, 'event files end in .json');
    const file = await resolveInsideRoot(this.root, path);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new UserError(`no event file ${path}`, 'events.forFunction lists the event files', 'ResourceNotFound');
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new UserError(`${path}: ${jsonErrorMessage(err)}`, 'fix the JSON in that file');
    }
  }

  async rename(fnName: unknown, eventName: unknown, newEventName: unknown): Promise<SavedEventInfo> {
    const fn = validateSegment(fnName, 'function');
    const name = validateSegment(eventName, 'event');
    const newName = validateSegment(newEventName, 'event');
    const from = await this.fileFor(fn, name);
    const to = await this.fileFor(fn, newName);
    if (!existsSync(from)) throw new UserError(`no saved event '${name}' for ${fn}`, `expected ${this.info(fn, name).path}`, 'ResourceNotFound');
    if (name !== newName && existsSync(to)) {
      throw new UserError(`a saved event '${newName}' already exists for ${fn}`, 'choose another name or delete that event first');
    }
    await rename(from, to);
    let error: string | undefined;
    try {
      JSON.parse(await readFile(to, 'utf8'));
    } catch (err) {
      error = jsonErrorMessage(err);
    }
    return this.info(fn, newName, error);
  }

  async delete(fnName: unknown, eventName: unknown): Promise<{ deleted: boolean }> {
    const fn = validateSegment(fnName, 'function');
    const name = validateSegment(eventName, 'event');
    const file = await this.fileFor(fn, name);
    try {
      if (!(await stat(file)).isFile()) return { deleted: false };
    } catch {
      return { deleted: false };
    }
    await rm(file);
    return { deleted: true };
  }
}

function paramsObject(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new UserError('params must be an object of strings', 'e.g. {"bucket": "photos"}');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' ? x : String(x);
  return out;
}

const EXAMPLE = '{"function":"HelloFunction","name":"big-order"}';

/** The `events.*` protocol methods, contributed to `serve` as an event source. */
export class SavedEventsSource implements EventSource {
  readonly name = 'saved-events';
  private store?: SavedEvents;
  private context?: HostContext;

  async start(context: HostContext): Promise<void> {
    this.store = new SavedEvents(context.root);
    this.context = context;
  }

  /** Triggers, saved events and loose event files for one function, in the picker's order. */
  private async forFunction(fnName: string, rootParam: string | undefined): Promise<FunctionEvents> {
    const context = this.context!;
    const fn = context.functions.get(fnName);
    const saved = await this.events.list(fnName);
    const triggers = listTriggerEvents(fnName, context);
    // The function's task root: its CodeUri, or the root a handler-only function was given.
    const codeUri = fn?.codeUri ?? (rootParam !== undefined ? (isAbsolute(rootParam) ? rootParam : join(context.root, rootParam)) : undefined);
    const folders = [SAVED_EVENTS_DIR];
    if (codeUri !== undefined) {
      const rel = relative(context.root, codeUri);
      if (!rel.startsWith('..') && !isAbsolute(rel)) folders.push([...rel.split(sep).filter(Boolean), SAVED_EVENTS_DIR].join('/'));
    }
    return { triggers, saved, files: await this.events.files(folders) };
  }

  async stop(): Promise<void> {}

  private get events(): SavedEvents {
    if (!this.store) throw new Error('saved-events source used before start()');
    return this.store;
  }

  methods(): MethodHandlers {
    return {
      'events.listTemplates': async () => listTemplates(),
      // Params are checked here as well as by the dispatcher: a client may send none at all.
      'events.generate': async (params) => {
        const p = new MethodParams(params, 'events.generate', '{"template":"s3-put","params":{"bucket":"photos"}}');
        return generateEvent(
          p.string('template', 'a template name from events.listTemplates'),
          paramsObject(p.optionalObject('params', 'an object of strings')),
        );
      },
      'events.listSaved': async (params) =>
        this.events.list(new MethodParams(params, 'events.listSaved', '{"function":"HelloFunction"}').optionalString('function')),
      'events.getSaved': async (params) => {
        const p = new MethodParams(params, 'events.getSaved', EXAMPLE);
        return this.events.get(p.string('function', 'a function name'), p.string('name', 'an event name'));
      },
      'events.save': async (params) => {
        const p = new MethodParams(params, 'events.save', '{"function":"HelloFunction","name":"big-order","event":{}}');
        const fn = p.string('function', 'a function name');
        const name = p.string('name', 'an event name');
        return this.events.save(fn, name, p.value('event', 'the event JSON to save'));
      },
      'events.rename': async (params) => {
        const p = new MethodParams(params, 'events.rename', '{"function":"HelloFunction","name":"old","newName":"new"}');
        return this.events.rename(p.string('function', 'a function name'), p.string('name', 'an event name'), p.string('newName', 'the new event name'));
      },
      'events.delete': async (params) => {
        const p = new MethodParams(params, 'events.delete', EXAMPLE);
        return this.events.delete(p.string('function', 'a function name'), p.string('name', 'an event name'));
      },
      'events.forFunction': async (params) => {
        const p = new MethodParams(params, 'events.forFunction', '{"function":"HelloFunction"}');
        return this.forFunction(validateSegment(p.string('function', 'a function name'), 'function'), p.optionalString('root'));
      },
      'events.generateForFunction': async (params) => {
        const p = new MethodParams(
          params,
          'events.generateForFunction',
          '{"function":"HelloFunction","trigger":"HttpApi GET /hello/{name}","params":{"name":"Ada"}}',
        );
        return generateTriggerEvent(
          p.string('function', 'a function name'),
          p.string('trigger', 'a trigger id from events.forFunction'),
          paramsObject(p.optionalObject('params', 'an object of strings')),
          this.context!,
        );
      },
      'events.getFile': async (params) => {
        const p = new MethodParams(params, 'events.getFile', '{"path":"events/s3-put.json"}');
        return this.events.getFile(p.string('path', 'a project-relative path of a .json file'));
      },
    };
  }
}
