// Environment variable overrides: SAM's env.json shape (`{"<LogicalId>": {...}, "Parameters": {...}}`)
// and `.env` files. Unlike SAM, an override may add a variable the template does not declare.
import { readFileSync } from 'node:fs';
import type { FunctionInfo } from '../protocol/functions';
import { UserError } from '../runtime/types';
import { refuseReserved, reservedMessage, reservedNames } from './reserved-variables';
import { isRecord } from '../util/values';

export interface EnvOverrides {
  /** Applies to every function (env.json `Parameters`, or a whole `.env` file). */
  all: Record<string, string>;
  /** By function name (template logical id). */
  byFunction: Record<string, Record<string, string>>;
}

export const EMPTY_OVERRIDES: EnvOverrides = Object.freeze({ all: {}, byFunction: {} }) as EnvOverrides;

/** Scalars become strings; null entries are ignored (the template value stays). */
function variables(v: Record<string, unknown>, where: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (value === null) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[k] = String(value);
    else throw new UserError(`${file}: ${where}.${k} must be a string, number or boolean`, 'environment variables are plain text values');
  }
  return out;
}

export function parseEnvJson(text: string, file: string): EnvOverrides {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    let where = '';
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      where = `:${line}:${Number(pos[1]) - before.lastIndexOf('\n')}`;
    }
    throw new UserError(
      `${file}${where}: not valid JSON (${message})`,
      'env.json has the shape {"<FunctionLogicalId>": {"VAR": "value"}, "Parameters": {"VAR": "value"}}',
    );
  }
  if (!isRecord(parsed))
    throw new UserError(`${file}: expected a JSON object`, 'env.json has the shape {"<FunctionLogicalId>": {"VAR": "value"}, "Parameters": {"VAR": "value"}}');
  const out: EnvOverrides = { all: {}, byFunction: {} };
  for (const [key, value] of Object.entries(parsed)) {
    if (!isRecord(value))
      throw new UserError(
        `${file}: "${key}" must be an object of variables`,
        'env.json has the shape {"<FunctionLogicalId>": {"VAR": "value"}, "Parameters": {"VAR": "value"}}',
      );
    if (key === 'Parameters') out.all = variables(value, key, file);
    else out.byFunction[key] = variables(value, key, file);
  }
  return out;
}

/** `KEY=value` lines; `#` comments, `export ` prefixes, single/double quotes (double quotes understand \n). */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    if (value.startsWith('"') && value.lastIndexOf('"') > 0) {
      value = value.slice(1, value.lastIndexOf('"')).replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else if (value.startsWith("'") && value.lastIndexOf("'") > 0) {
      value = value.slice(1, value.lastIndexOf("'"));
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    out[m[1]!] = value;
  }
  return out;
}

/**
 * An env file of either kind: JSON (env.json shape) when it starts with `{`, else `.env` lines.
 * Reserved variables are refused (a UserError), or — when `dropReserved` is given, for a `.env` the user did
 * not name — left out and reported through it.
 */
export function loadEnvFile(file: string, dropReserved?: (message: string) => void): EnvOverrides {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(
      `cannot read env file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'pass --env-file with an env.json or .env file',
    );
  }
  const overrides = text.trimStart().startsWith('{') ? parseEnvJson(text, file) : { all: parseDotEnv(text), byFunction: {} };
  const sections: [Record<string, string>, string][] = [
    [overrides.all, file],
    ...Object.entries(overrides.byFunction).map(([fn, vars]) => [vars, `${file} (${fn})`] as [Record<string, string>, string]),
  ];
  for (const [vars, where] of sections) {
    if (!dropReserved) {
      refuseReserved(vars, where);
      continue;
    }
    const names = reservedNames(vars);
    if (names.length === 0) continue;
    for (const n of names) delete vars[n];
    dropReserved(`${reservedMessage(names, where)}; left out`);
  }
  return overrides;
}

/** Later overrides win; within one, the function's own section wins over `Parameters`. */
export function applyOverrides(fn: FunctionInfo, overrides: EnvOverrides[]): FunctionInfo {
  const environment = { ...fn.environment };
  for (const o of overrides) {
    Object.assign(environment, o.all, o.byFunction[fn.name] ?? {});
  }
  return { ...fn, environment };
}
