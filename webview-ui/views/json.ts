// Folded, syntax-coloured JSON with a copy button. Objects and arrays fold with <details>; deep or
// long ones start folded so a 6 MB event does not drown the page.
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { h, icon } from '../dom';
import { formatBytes } from '../model/format';
import { truncatedMarker } from '../model/records';

const MAX_ITEMS = 200;
const MAX_STRING = 4000;

/**
 * `truncatedBytes` is the record's word that this value was cut (`record.truncated.event`…): the
 * block then says so and shows the start the history kept, instead of the marker as if it were data.
 * `omitted`: the value is whole in the host, left out of a brief record (`record.omitted`), and asked for.
 */
export function jsonBlock(title: string, value: unknown, testId: string, truncatedBytes?: number, omitted = false): HTMLElement {
  const marker = truncatedBytes !== undefined ? truncatedMarker(value) : undefined;
  if (marker) {
    return h(
      'section',
      { class: 'block', data: { testid: testId, truncated: String(marker.bytes) } },
      h(
        'div',
        { class: 'block-head' },
        h('h3', null, title),
        omitted
          ? h('span', { class: 'tag', data: { testid: `${testId}-loading` } }, `${formatBytes(marker.bytes)}, loading…`)
          : h('span', { class: 'tag truncated', data: { testid: `${testId}-truncated` } }, `truncated, ${marker.bytes} bytes (${formatBytes(marker.bytes)})`),
        copyButton(() => marker.preview, `Copy the start of the ${title.toLowerCase()}`),
      ),
      h('pre', { class: 'json truncated-preview' }, `${marker.preview}…`),
    );
  }
  const text = safeStringify(value);
  return h(
    'section',
    { class: 'block', data: { testid: testId } },
    h(
      'div',
      { class: 'block-head' },
      h('h3', null, title),
      copyButton(() => text, `Copy ${title.toLowerCase()}`),
    ),
    h('div', { class: 'json' }, jsonNode(value, 0)),
  );
}

/** A record's event: cut by the history (`truncated`), left out of a brief copy (`omitted`), or whole. */
export function eventBlock(title: string, record: InvocationRecord, testId: string): HTMLElement {
  return jsonBlock(title, record.event, testId, record.truncated?.event ?? record.omitted?.event, record.omitted !== undefined);
}

export function copyButton(text: () => string, label: string): HTMLButtonElement {
  const btn = h('button', { class: 'icon-btn', title: label, attrs: { type: 'button', 'aria-label': label } }, icon('copy'));
  btn.addEventListener('click', () => {
    void copyText(text()).then((ok) => {
      btn.replaceChildren(icon(ok ? 'check' : 'error'));
      setTimeout(() => btn.replaceChildren(icon('copy')), 1200);
    });
  });
  return btn;
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API refused (e.g. not focused): fall back to a selection copy.
    const area = h('textarea', { class: 'offscreen' });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

export function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? 'undefined';
  } catch {
    return String(value);
  }
}

function jsonNode(value: unknown, depth: number): Node {
  if (value === null) return h('span', { class: 'j-null' }, 'null');
  switch (typeof value) {
    case 'string': {
      const shown = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length - MAX_STRING} more characters)` : value;
      return h('span', { class: 'j-str' }, JSON.stringify(shown));
    }
    case 'number':
      return h('span', { class: 'j-num' }, String(value));
    case 'boolean':
      return h('span', { class: 'j-bool' }, String(value));
    case 'undefined':
      return h('span', { class: 'j-null' }, 'undefined');
    case 'object':
      break;
    default:
      return h('span', null, String(value));
  }
  const isArray = Array.isArray(value);
  const entries: [string, unknown][] = isArray ? (value as unknown[]).map((v, i) => [String(i), v]) : Object.entries(value as object);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return h('span', { class: 'j-punct' }, open + close);
  const details = h('details', { class: 'j-fold' });
  details.open = depth < 2 && entries.length <= 50;
  const preview = `${open} ${entries.length} ${isArray ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'key' : 'keys'} ${close}`;
  details.appendChild(h('summary', null, h('span', { class: 'j-punct when-open' }, open), h('span', { class: 'j-preview when-closed' }, preview)));
  const list = h('div', { class: 'j-body' });
  for (const [k, v] of entries.slice(0, MAX_ITEMS)) {
    list.appendChild(
      h(
        'div',
        { class: 'j-entry' },
        isArray ? null : [h('span', { class: 'j-key' }, JSON.stringify(k)), h('span', { class: 'j-punct' }, ': ')],
        jsonNode(v, depth + 1),
      ),
    );
  }
  if (entries.length > MAX_ITEMS) list.appendChild(h('div', { class: 'j-more' }, `… ${entries.length - MAX_ITEMS} more (copy to see all)`));
  details.appendChild(list);
  details.appendChild(h('span', { class: 'j-punct when-open' }, close));
  return details;
}
