// The sample-event library: every template the picker, `lambda-workbench event` and
// `invoke --event <template>` offer. Generated offline; fresh ids and timestamps on every call.
import type { EventTemplateInfo } from '../../protocol/methods';
import { UserError } from '../../runtime/types';
import { httpTemplates } from './http';
import { messagingTemplates } from './messaging';
import { storageTemplates } from './storage';
import type { EventTemplate } from './types';

export { s3EventKey } from './storage';
export type { EventTemplate } from './types';

const TEMPLATES: EventTemplate[] = [...storageTemplates, ...messagingTemplates, ...httpTemplates];
const BY_NAME = new Map(TEMPLATES.map((t) => [t.name, t]));

export function listTemplates(): EventTemplateInfo[] {
  return TEMPLATES.map(({ name, source, description, params }) => ({ name, source, description, params: params.map((p) => ({ ...p })) }));
}

export function hasTemplate(name: string): boolean {
  return BY_NAME.has(name);
}

/** Builds a fresh event. Unknown template or parameter → UserError naming what is allowed. */
export function generateEvent(name: string, params: Record<string, string> = {}): unknown {
  const template = BY_NAME.get(name);
  if (!template) {
    throw new UserError(`unknown event template '${name}'`, `templates: ${TEMPLATES.map((t) => t.name).join(', ')}`);
  }
  const allowed = template.params.map((p) => p.name);
  const values: Record<string, string> = {};
  for (const p of template.params) values[p.name] = p.default;
  for (const [k, v] of Object.entries(params)) {
    if (!allowed.includes(k)) {
      throw new UserError(`template '${name}' has no parameter '${k}'`, `parameters of ${name}: ${allowed.join(', ')}`);
    }
    values[k] = v;
  }
  try {
    return template.generate(values);
  } catch (err) {
    if (err instanceof RangeError) throw new UserError(`template '${name}': ${err.message}`);
    throw err;
  }
}
