// What one sample-event template is: its picker entry (protocol EventTemplateInfo) plus a generator
// that fills fresh ids and timestamps on every call.
import type { EventTemplateInfo } from '../../protocol/methods';

export interface EventTemplate extends EventTemplateInfo {
  generate(params: Record<string, string>): unknown;
}

/** Helpers for the `params` list: name, default, description. */
export function param(name: string, defaultValue: string, description: string) {
  return { name, default: defaultValue, description };
}
