// The Executions view: durable executions per function with their status, and one execution drawn
// across its invocations — each operation (step, wait, callback, child context, map/parallel and their
// branches) a row of spans: attempts, retry delays, waits (skipped ones marked), callbacks, and a mark
// where a later invocation replayed it from the checkpoint log. Callbacks can be completed here with a
// JSON result or a failure; a running execution can be stopped or have its waits skipped.
import type { DurableExecutionSummary, DurableExecutionView } from '../../runtime-host/protocol/durable';
import type { MethodName, ParamsOf, ResultOf } from '../../runtime-host/protocol/methods';
import { button, h, icon, replaceChildren, setStyle } from '../dom';
import { durationText, kindLabel, layoutExecution, type ExecutionLayout } from '../model/durable';

export interface DurableViewHost {
  request<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  /** Shows an invocation record in the History view. */
  openRecord(id: string): void;
  toast(message: unknown): void;
}

const STATUS_CLASS: Record<DurableExecutionSummary['status'], string> = {
  RUNNING: 'status-running',
  SUCCEEDED: 'status-success',
  FAILED: 'status-error',
  TIMED_OUT: 'status-timeout',
  STOPPED: 'status-interrupted',
};

const time = (ms: number) => new Date(ms).toLocaleTimeString(undefined, { hour12: false });

export class DurableView {
  readonly element: HTMLElement;
  private readonly listEl: HTMLElement;
  private readonly detailEl: HTMLElement;
  private executions: DurableExecutionSummary[] = [];
  private selectedArn: string | undefined;
  private view: DurableExecutionView | undefined;
  private selectedOp: string | undefined;
  private loaded = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly host: DurableViewHost) {
    this.listEl = h('div', { class: 'dx-list', data: { testid: 'durable-list' } });
    this.detailEl = h('div', { class: 'dx-detail' });
    this.element = h('div', { class: 'dx-pane' }, this.listEl, this.detailEl);
    this.render();
  }

  /** The tab was opened: load the executions (once; notifications keep them current after that). */
  async show(): Promise<void> {
    if (this.loaded) return;
    await this.reload();
  }

  async reload(): Promise<void> {
    try {
      this.executions = await this.host.request('durable.list', undefined);
      this.loaded = true;
      if (!this.selectedArn && this.executions[0]) this.selectedArn = this.executions[0].arn;
      this.renderList();
      await this.refreshSelected();
    } catch (err) {
      this.host.toast(err);
    }
  }

  /** Selects an execution by ARN or name (e.g. from a record of it in the History view). */
  async select(ref: string): Promise<void> {
    if (!this.loaded) await this.reload();
    const found = this.executions.find((e) => e.arn === ref || e.name === ref);
    if (!found) return;
    this.selectedArn = found.arn;
    this.selectedOp = undefined;
    this.renderList();
    await this.refreshSelected();
  }

  /** A `durable.changed` notification. */
  onChanged(summary: DurableExecutionSummary): void {
    const i = this.executions.findIndex((e) => e.arn === summary.arn);
    if (i >= 0) this.executions[i] = summary;
    else this.executions.unshift(summary);
    this.selectedArn ??= summary.arn;
    if (!this.loaded) return;
    this.renderList();
    if (summary.arn === this.selectedArn) {
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => void this.refreshSelected(), 60);
    }
  }

  /** Redraws the running parts (spans still growing) without asking the host. */
  tick(): void {
    if (this.view?.status === 'RUNNING') this.renderDetail();
  }

  private async refreshSelected(): Promise<void> {
    if (!this.selectedArn) {
      this.view = undefined;
      this.renderDetail();
      return;
    }
    try {
      this.view = await this.host.request('durable.get', { execution: this.selectedArn });
    } catch (err) {
      this.view = undefined;
      this.host.toast(err);
    }
    this.renderDetail();
  }

  private render(): void {
    this.renderList();
    this.renderDetail();
  }

  private renderList(): void {
    if (this.executions.length === 0) {
      replaceChildren(
        this.listEl,
        h(
          'div',
          { class: 'empty' },
          icon('debug-step-over'),
          h(
            'p',
            null,
            this.loaded ? 'No durable executions yet. Invoke a function with DurableConfig (qualified, e.g. :$LATEST) to start one.' : 'Loading executions…',
          ),
        ),
      );
      return;
    }
    const byFunction = new Map<string, DurableExecutionSummary[]>();
    for (const e of this.executions) byFunction.set(e.functionName, [...(byFunction.get(e.functionName) ?? []), e]);
    replaceChildren(
      this.listEl,
      [...byFunction.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([fn, list]) =>
          h(
            'section',
            { class: 'dx-group', data: { testid: 'durable-group', function: fn } },
            h('h4', null, icon('symbol-method'), ` ${fn}`),
            list.map((e) =>
              h(
                'button',
                {
                  class: `dx-item${e.arn === this.selectedArn ? ' selected' : ''}`,
                  data: { testid: 'durable-item', name: e.name, status: e.status },
                  attrs: { type: 'button', 'aria-pressed': e.arn === this.selectedArn ? 'true' : 'false' },
                  title: e.arn,
                  on: { click: () => void this.select(e.arn) },
                },
                h('span', { class: `badge ${STATUS_CLASS[e.status]}` }, e.status.toLowerCase().replace('_', ' ')),
                h('span', { class: 'dx-name' }, e.name),
                h('span', { class: 'dx-meta muted' }, `${time(e.startedAt)} · ${e.invocationCount} inv.`),
                e.pendingCallbacks.length
                  ? h('span', { class: 'dx-flag', title: 'waiting for a callback' }, icon('bell'), ` ${e.pendingCallbacks.length}`)
                  : null,
              ),
            ),
          ),
        ),
    );
  }

  private renderDetail(): void {
    const v = this.view;
    if (!v) {
      replaceChildren(
        this.detailEl,
        h('div', { class: 'empty' }, icon('debug-step-over'), h('p', null, 'Select an execution to see it across its invocations.')),
      );
      return;
    }
    const scroll = this.detailEl.scrollTop;
    const layout = layoutExecution(v, Date.now());
    replaceChildren(
      this.detailEl,
      h(
        'div',
        { class: 'dx-execution', data: { testid: 'durable-detail', arn: v.arn, status: v.status } },
        this.header(v),
        this.timeline(v, layout),
        this.operationDetail(v),
      ),
    );
    this.detailEl.scrollTop = scroll;
  }

  private header(v: DurableExecutionView): HTMLElement {
    const running = v.status === 'RUNNING';
    const sleeping = running && (v.nextWakeAt !== undefined || v.pendingCallbacks.length > 0);
    return h(
      'div',
      { class: 'dx-head' },
      h(
        'div',
        { class: 'block-head' },
        h('h3', null, v.name),
        h('span', { class: `badge ${STATUS_CLASS[v.status]}`, data: { testid: 'durable-status' } }, v.status.toLowerCase().replace('_', ' ')),
        h('span', { class: 'muted' }, `${v.functionName}:${v.qualifier}`),
        h(
          'div',
          { class: 'actions' },
          running && v.nextWakeAt !== undefined
            ? button('Skip waits', 'debug-continue', () => void this.skipWaits(v), {
                secondary: true,
                testId: 'dx-skip',
                title: 'Complete this execution’s waits and retry delays now',
              })
            : null,
          running ? button('Stop', 'debug-stop', () => void this.stop(v), { secondary: true, testId: 'dx-stop' }) : null,
          button('Execution record', 'history', () => this.host.openRecord(v.recordId), { secondary: true, testId: 'dx-record' }),
        ),
      ),
      h(
        'dl',
        { class: 'dx-facts' },
        fact('Started', new Date(v.startedAt).toLocaleString()),
        v.endedAt !== undefined ? fact('Duration', durationText(v.endedAt - v.startedAt)) : fact('Running for', durationText(Date.now() - v.startedAt)),
        fact('Invocations', String(v.invocations.length)),
        v.skippedMs ? fact('Waits skipped', durationText(v.skippedMs)) : null,
        sleeping && v.nextWakeAt !== undefined ? fact('Next wake', new Date(v.nextWakeAt).toLocaleString()) : null,
        fact('Timeout', durationText(v.executionTimeoutSeconds * 1000)),
        v.result !== undefined ? fact('Result', v.result, 'dx-result-text') : null,
        v.error ? fact('Error', `${v.error.ErrorType ?? 'Error'}: ${v.error.ErrorMessage ?? ''}`, 'dx-error-text') : null,
      ),
      v.pendingCallbacks.length
        ? h(
            'div',
            { class: 'dx-callbacks' },
            v.pendingCallbacks.map((c) =>
              h(
                'div',
                { class: 'dx-callback', data: { testid: 'dx-callback', callbackId: c.callbackId } },
                icon('bell'),
                h('span', null, ` Waiting for callback${c.name ? ` ${c.name}` : ''} since ${time(c.startedAt)} `),
                h('code', { class: 'dx-callback-id', title: 'The callback id (SendDurableExecutionCallbackSuccess / Failure take it)' }, c.callbackId),
                button('Complete…', 'check', () => this.openCallbackDialog(c.callbackId), { testId: 'dx-complete' }),
              ),
            ),
          )
        : null,
    );
  }

  private timeline(v: DurableExecutionView, layout: ExecutionLayout): HTMLElement {
    const axis = h('div', { class: 'dx-axis' });
    for (const s of layout.segments) {
      const inv = s.kind === 'invocation' ? v.invocations.find((i) => i.seq === s.seq) : undefined;
      const next = v.invocations.find((i) => i.seq === s.seq + 1);
      const skipped = s.kind === 'gap' && (next?.skippedMs ?? 0) > 0;
      const el =
        s.kind === 'invocation' && inv
          ? h(
              'button',
              {
                class: `dx-seg dx-inv outcome-${inv.outcome}`,
                data: { testid: 'dx-invocation', seq: inv.seq, outcome: inv.outcome },
                attrs: { type: 'button' },
                title: `Invocation ${inv.seq}: ${inv.outcome} after ${durationText((inv.endedAt ?? Date.now()) - inv.startedAt)}, woken by ${inv.wokenBy.join(', ')} — open its record`,
                on: { click: () => inv.recordId && this.host.openRecord(inv.recordId) },
              },
              `#${inv.seq} ${inv.outcome === 'running' ? '…' : inv.outcome.toLowerCase()}`,
            )
          : h(
              'div',
              {
                class: `dx-seg dx-gap${skipped ? ' skipped' : ''}`,
                data: { testid: 'dx-gap', skipped: skipped ? 'true' : 'false' },
                title: skipped
                  ? `Slept ${durationText(s.endAt - s.startAt)} instead of ${durationText(next!.skippedMs!)} (waits skipped): not billed`
                  : `Slept ${durationText(s.endAt - s.startAt)}${next ? '' : ' so far'}: not billed`,
              },
              icon(skipped ? 'debug-continue' : 'watch'),
              ` ${durationText(skipped ? next!.skippedMs! : s.endAt - s.startAt)}`,
            );
      setStyle(el, { left: `${s.leftPct}%`, width: `${s.widthPct}%` });
      axis.appendChild(el);
    }
    const rows = layout.rows.map((row) => {
      const track = h('div', { class: 'dx-track' });
      for (const s of layout.segments.filter((x) => x.kind === 'gap')) {
        const band = h('div', { class: 'dx-band' });
        setStyle(band, { left: `${s.leftPct}%`, width: `${s.widthPct}%` });
        track.appendChild(band);
      }
      for (const sp of row.spans) {
        const el = h('div', { class: `dx-span kind-${sp.kind}`, data: { testid: 'dx-span', kind: sp.kind, attempt: sp.attempt }, title: sp.title });
        setStyle(el, { left: `${sp.leftPct}%`, width: `${sp.widthPct}%` });
        track.appendChild(el);
      }
      for (const r of row.replays) {
        const el = h('div', {
          class: 'dx-replay',
          data: { testid: 'dx-replay', seq: r.seq },
          title: `replayed from the checkpoint log by invocation ${r.seq}`,
        });
        setStyle(el, { left: `${r.leftPct}%` });
        track.appendChild(el);
      }
      const op = row.op;
      return h(
        'div',
        {
          class: `dx-row depth-${Math.min(row.depth, 6)}${op.id === this.selectedOp ? ' selected' : ''}`,
          data: { testid: 'dx-row', name: row.label, type: op.type, status: op.status, subtype: op.subType },
        },
        h(
          'button',
          {
            class: 'dx-label',
            attrs: { type: 'button' },
            title: `${kindLabel(op)} ${row.label}: ${op.status.toLowerCase()}`,
            on: {
              click: () => {
                this.selectedOp = op.id === this.selectedOp ? undefined : op.id;
                this.renderDetail();
              },
            },
          },
          op.name ? h('span', { class: `dx-kind op-${op.type.toLowerCase()}` }, kindLabel(op)) : null,
          op.name ? ' ' : null,
          h('span', { class: 'dx-op-name' }, row.label),
          op.attempts.length > 1 ? h('span', { class: 'muted' }, ` ×${op.attempts.length}`) : null,
        ),
        track,
      );
    });
    return h(
      'div',
      { class: 'dx-timeline', data: { testid: 'dx-timeline' } },
      h('div', { class: 'dx-row dx-axis-row' }, h('div', { class: 'dx-label muted' }, 'operation'), axis),
      rows,
      h(
        'div',
        { class: 'dx-legend muted' },
        legend('kind-succeeded', 'succeeded'),
        legend('kind-retry', 'failed, retried'),
        legend('kind-failed', 'failed'),
        legend('kind-delay', 'retry delay'),
        legend('kind-wait', 'wait'),
        legend('kind-skipped', 'wait skipped'),
        legend('kind-callback', 'callback'),
        legend('kind-context', 'context'),
        h('span', { class: 'tl-key' }, h('span', { class: 'dx-replay-key' }), ' replayed'),
      ),
    );
  }

  private operationDetail(v: DurableExecutionView): HTMLElement | null {
    const op = v.operations.find((o) => o.id === this.selectedOp);
    if (!op) return h('p', { class: 'muted dx-hint' }, 'Select an operation for its attempts, result and error.');
    return h(
      'div',
      { class: 'dx-op', data: { testid: 'dx-op', name: op.name ?? '' } },
      h('div', { class: 'block-head' }, h('h4', null, `${kindLabel(op)} ${op.name ?? op.id}`), h('span', { class: 'muted' }, op.status.toLowerCase())),
      h(
        'dl',
        { class: 'dx-facts' },
        fact('Id', op.id),
        op.startedIn !== undefined ? fact('Started in', `invocation ${op.startedIn}`) : null,
        op.replayedIn.length ? fact('Replayed in', op.replayedIn.map((n) => `#${n}`).join(', ')) : null,
        op.waitSeconds !== undefined ? fact('Wait', durationText(op.waitSeconds * 1000)) : null,
        op.skippedMs ? fact('Skipped', durationText(op.skippedMs)) : null,
        op.callbackId ? fact('Callback id', op.callbackId) : null,
        op.result !== undefined ? fact('Result', op.result) : null,
        op.error ? fact('Error', `${op.error.ErrorType ?? 'Error'}: ${op.error.ErrorMessage ?? ''}`) : null,
      ),
      op.attempts.length
        ? h(
            'table',
            { class: 'dx-attempts' },
            h(
              'tr',
              null,
              h('th', null, 'Attempt'),
              h('th', null, 'Outcome'),
              h('th', null, 'Invocation'),
              h('th', null, 'Took'),
              h('th', null, 'Result / error'),
            ),
            op.attempts.map((a) =>
              h(
                'tr',
                { data: { testid: 'dx-attempt', outcome: a.outcome } },
                h('td', null, String(a.attempt)),
                h('td', null, a.outcome + (a.nextAttemptDelaySeconds !== undefined ? ` (next in ${a.nextAttemptDelaySeconds} s)` : '')),
                h('td', null, a.invocation !== undefined ? `#${a.invocation}` : ''),
                // START and its end checkpointed together (the SDK's default for steps): the service never saw it run.
                h('td', null, a.startedAt !== undefined && a.endedAt !== undefined && a.endedAt > a.startedAt ? durationText(a.endedAt - a.startedAt) : '—'),
                h(
                  'td',
                  { class: a.error ? 'dx-error-text' : '' },
                  a.error ? `${a.error.ErrorType ?? 'Error'}: ${a.error.ErrorMessage ?? ''}` : (a.result ?? ''),
                ),
              ),
            ),
          )
        : null,
    );
  }

  private async skipWaits(v: DurableExecutionView): Promise<void> {
    try {
      const out = await this.host.request('durable.skipWaits', { execution: v.arn });
      this.host.toast(`${v.name}: skipped ${out.skipped} wait${out.skipped === 1 ? '' : 's'}`);
    } catch (err) {
      this.host.toast(err);
    }
  }

  private async stop(v: DurableExecutionView): Promise<void> {
    try {
      await this.host.request('durable.stop', { execution: v.arn });
      this.host.toast(`${v.name}: stopped`);
    } catch (err) {
      this.host.toast(err);
    }
  }

  /** Complete a callback with a JSON result (SendDurableExecutionCallbackSuccess) or a failure. */
  private openCallbackDialog(callbackId: string): void {
    const area = h('textarea', { class: 'editor', data: { testid: 'dx-result' }, attrs: { spellcheck: 'false', 'aria-label': 'Result JSON' } });
    area.value = '{\n  "approved": true\n}';
    const errorType = h('input', { data: { testid: 'dx-error-type' }, attrs: { type: 'text', placeholder: 'error type', 'aria-label': 'Error type' } });
    const errorMessage = h('input', {
      data: { testid: 'dx-error-message' },
      attrs: { type: 'text', placeholder: 'error message', 'aria-label': 'Error message' },
    });
    const errorEl = h('div', { class: 'editor-error' });
    const close = () => dialog.remove();
    const send = async (params: ParamsOf<'durable.callback'>) => {
      try {
        await this.host.request('durable.callback', params);
        close();
        this.host.toast('Callback sent');
      } catch (err) {
        errorEl.textContent = err instanceof Error ? err.message : String(err);
      }
    };
    const succeed = () => {
      let result: unknown;
      try {
        result = JSON.parse(area.value);
      } catch (err) {
        errorEl.textContent = `Not valid JSON: ${(err as Error).message}`;
        return;
      }
      void send({ callbackId, result });
    };
    const fail = () =>
      void send({
        callbackId,
        error: { ...(errorType.value.trim() ? { errorType: errorType.value.trim() } : {}), errorMessage: errorMessage.value.trim() || 'Rejected' },
      });
    const dialog = h(
      'div',
      { class: 'modal', data: { testid: 'dx-callback-dialog' }, attrs: { role: 'dialog', 'aria-modal': 'true' } },
      h(
        'div',
        { class: 'modal-box' },
        h('div', { class: 'block-head' }, h('h3', null, 'Complete callback')),
        h('p', { class: 'muted' }, h('code', { class: 'dx-callback-id' }, callbackId)),
        h('label', { class: 'field' }, 'Result (JSON) '),
        area,
        h('div', { class: 'dx-fail-fields' }, h('label', { class: 'field' }, 'or fail it with ', errorType, ' ', errorMessage)),
        errorEl,
        h(
          'div',
          { class: 'actions' },
          button('Succeed', 'check', succeed, { testId: 'dx-succeed' }),
          button('Fail', 'error', fail, { secondary: true, testId: 'dx-fail' }),
          button('Cancel', 'close', close, { secondary: true, testId: 'dx-cancel' }),
        ),
      ),
    );
    dialog.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') close();
    });
    this.element.appendChild(dialog);
    area.focus();
  }
}

function fact(label: string, value: string, cls?: string): HTMLElement[] {
  return [h('dt', null, label), h('dd', cls ? { class: cls } : null, value)];
}

function legend(cls: string, label: string): HTMLElement {
  return h('span', { class: 'tl-key' }, h('span', { class: `dx-swatch ${cls}` }), ` ${label}`);
}
