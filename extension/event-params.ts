// An event's parameters in one line of text, so the picker asks for them in a single input: one
// parameter is just its value (`Ada`); several are `name=value` pairs joined by `&` (`key=a.jpg&size=10`),
// with `%` and `&` in values written as `%25` and `%26`. Parameters marked advanced (region, account…)
// are left out of the prefilled line but may be typed. Pure: no vscode import.
import type { EventTemplateParam } from '../runtime-host/protocol';

/** The parameters the input shows (advanced ones left out, unless that leaves none). */
export function shownParams(params: readonly EventTemplateParam[]): EventTemplateParam[] {
  const basic = params.filter((p) => !p.advanced);
  return basic.length ? basic : [...params];
}

const encodeValue = (v: string): string => v.replace(/%/g, '%25').replace(/&/g, '%26');

function decodeValue(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** The prefilled line for these values (defaults where a value is missing). */
export function formatParams(params: readonly EventTemplateParam[], values: Readonly<Record<string, string>> = {}): string {
  const shown = shownParams(params);
  if (shown.length === 1) return values[shown[0]!.name] ?? shown[0]!.default;
  return shown.map((p) => `${p.name}=${encodeValue(values[p.name] ?? p.default)}`).join('&');
}

export type ParsedParams = { ok: true; values: Record<string, string> } | { ok: false; message: string };

/** Reads the line back: every parameter that is not named keeps its default. */
export function parseParams(params: readonly EventTemplateParam[], text: string): ParsedParams {
  const values: Record<string, string> = Object.fromEntries(params.map((p) => [p.name, p.default]));
  const shown = shownParams(params);
  if (shown.length === 1 && !params.some((p) => text.startsWith(`${p.name}=`))) {
    values[shown[0]!.name] = text;
    return { ok: true, values };
  }
  if (text.trim() === '') return { ok: true, values };
  for (const pair of text.split('&')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) return { ok: false, message: `"${pair}" is not name=value (parameters: ${params.map((p) => p.name).join(', ')})` };
    const name = pair.slice(0, eq).trim();
    if (!(name in values)) return { ok: false, message: `no parameter "${name}" (parameters: ${params.map((p) => p.name).join(', ')})` };
    values[name] = decodeValue(pair.slice(eq + 1));
  }
  return { ok: true, values };
}

/** Only the values that differ from the defaults: what a remembered choice keeps. */
export function changedValues(params: readonly EventTemplateParam[], values: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of params) if (values[p.name] !== undefined && values[p.name] !== p.default) out[p.name] = values[p.name]!;
  return out;
}
