// A tiny element builder: enough to write views as functions without a framework. Never sets a
// `style` attribute (the CSP forbids inline styles); dynamic geometry goes through `setStyle`.

type Child = Node | string | number | false | null | undefined | Child[];

export interface Props {
  class?: string;
  title?: string;
  /** data-* attributes */
  data?: Record<string, string | number | undefined>;
  attrs?: Record<string, string | boolean | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (e: HTMLElementEventMap[K]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    if (props.class) el.className = props.class;
    if (props.title) el.title = props.title;
    if (props.data) for (const [k, v] of Object.entries(props.data)) if (v !== undefined) el.dataset[k] = String(v);
    if (props.attrs) {
      for (const [k, v] of Object.entries(props.attrs)) {
        if (v === undefined || v === false) continue;
        el.setAttribute(k, v === true ? '' : v);
      }
    }
    if (props.on) for (const [k, fn] of Object.entries(props.on)) el.addEventListener(k, fn as EventListener);
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** A codicon (`<i class="codicon codicon-<name>">`). */
export function icon(name: string, label?: string): HTMLElement {
  const el = h('i', { class: `codicon codicon-${name}`, attrs: { 'aria-hidden': label ? undefined : 'true', 'aria-label': label } });
  return el;
}

export function setStyle(el: HTMLElement, props: Record<string, string>): void {
  for (const [k, v] of Object.entries(props)) el.style.setProperty(k, v);
}

export function replaceChildren(el: Element, ...children: Child[]): void {
  el.textContent = '';
  append(el, children);
}

export function button(
  label: string,
  iconName: string,
  onClick: () => void,
  opts: { secondary?: boolean; title?: string; testId?: string; disabled?: boolean } = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      class: opts.secondary ? 'btn secondary' : 'btn',
      title: opts.title ?? label,
      data: { testid: opts.testId },
      attrs: { type: 'button', disabled: opts.disabled },
      on: { click: () => onClick() },
    },
    icon(iconName),
    label ? h('span', null, label) : null,
  );
}
