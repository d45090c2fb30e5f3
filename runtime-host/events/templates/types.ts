// What one sample-event template is: its picker entry (protocol EventTemplateInfo) plus a generator
// that fills fresh ids and timestamps on every call.
import type { EventTemplateInfo, EventTemplateParam } from '../../protocol/methods';

export interface EventTemplate extends EventTemplateInfo {
  generate(params: Record<string, string>): unknown;
}

/** Helpers for the `params` list: name, default, description. */
export function param(name: string, defaultValue: string, description: string): EventTemplateParam {
  return { name, default: defaultValue, description };
}

/** A parameter rarely changed (region, account id, ids in ARNs): kept at its default unless given. */
export function advancedParam(name: string, defaultValue: string, description: string): EventTemplateParam {
  return { name, default: defaultValue, description, advanced: true };
}
