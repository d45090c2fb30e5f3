// Command-line parsing shared by every subcommand: node's parseArgs, with its errors turned into
// a one-line usage message and exit code 2 (the CLI contract).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { join, resolve } from 'node:path';
import { UsageError } from '../protocol/errors';

export { UsageError };

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends FlagSpec>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${message}\nusage: ${usage}`);
  }
}

/** Parses an integer flag within [min, max]; names the allowed range when it is not. */
export function integerFlag(value: string | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

/** `KEY=VALUE` pairs from repeated flags. */
export function keyValueFlags(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${flag} takes KEY=VALUE, got '${v}'`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/** `--aws-profile NAME`: a profile name as the AWS CLI accepts it; empty means none. */
export function profileFlag(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (!/^[A-Za-z0-9_.@+=,-]{1,128}$/.test(value.trim())) throw new UsageError(`--aws-profile: '${value}' is not a profile name`);
  return value.trim();
}

/** The flags every command that talks to a running `serve` takes (`stream`, `sqs`, `schedule`). */
export const RUNNING_HOST_FLAGS = {
  'state-dir': { type: 'string' },
  root: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The state folder of the running `serve` to talk to (its `host.json` is there): `--state-dir`, else `<--root>/.lambda-workbench`. */
export function runningHostStateDir(values: { root?: string | undefined; 'state-dir'?: string | undefined }): string {
  const root = resolve(values.root ?? process.cwd());
  return values['state-dir'] ? resolve(values['state-dir']) : join(root, '.lambda-workbench');
}
