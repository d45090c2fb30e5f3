// The activity-bar view: functions (template and discovered handlers) with memory/timeout, their
// event sources and recent invocations as children; Invoke/Debug are inline actions on a function.
// Below them, the host's SQS queues with their depth and in-flight counts, its DynamoDB tables (tables.ts), and the
// template's schedules with their next fire time (inline: Fire Now; on the group: pause or resume them all). Until the
// host is ready the template's functions are listed from a static read, so the view is never empty while it starts.
import * as vscode from 'vscode';
import type { EventSourceInfo, FunctionInfo, InvocationRecord, ScheduleInfo, SqsQueueInfo } from '../runtime-host/protocol';
import type { WorkbenchContext } from './context';
import { type FunctionTarget, targetOf } from './targets';
import { tableChildren, tablesRoot, tableTreeItem, type TableNode } from './tables';
import { findTemplate, readTemplateFunctions, type StaticFunction } from './template-read';

export type FunctionsNode =
  | { type: 'function'; fn: FunctionInfo; target: FunctionTarget }
  | { type: 'staticFunction'; fn: StaticFunction; target: FunctionTarget }
  | { type: 'group'; fn: FunctionInfo; group: 'sources' | 'recent' }
  | { type: 'source'; source: EventSourceInfo }
  | { type: 'invocation'; record: InvocationRecord }
  | { type: 'queues'; queues: SqsQueueInfo[] }
  | { type: 'queue'; queue: SqsQueueInfo }
  | { type: 'schedules'; schedules: ScheduleInfo[]; paused: boolean }
  /** `name` is what lambdaWorkbench.fireSchedule takes when the inline action passes the node. */
  | { type: 'schedule'; name: string; schedule: ScheduleInfo; paused: boolean }
  | { type: 'message'; text: string; command?: vscode.Command }
  | TableNode;

export class FunctionsView implements vscode.TreeDataProvider<FunctionsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<FunctionsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly ctx: WorkbenchContext) {
    this.subscriptions = [
      ctx.onDidChangeFunctions(() => this.changed.fire(undefined)),
      // A host that failed to start: the static list gains the reason and a Restart action.
      ctx.host.onDidChangeState((state) => {
        if (state.kind === 'error' && !ctx.knownFunctions) this.changed.fire(undefined);
      }),
      ctx.onDidFinishInvocation(() => this.changed.fire(undefined)),
      ctx.onDidChangeChoice(() => this.changed.fire(undefined)),
    ];
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: FunctionsNode): Promise<FunctionsNode[]> {
    if (!node) {
      if (!this.ctx.knownFunctions) {
        const template = findTemplate(this.ctx.root, this.ctx.config.templatePath);
        const fromTemplate = template ? readTemplateFunctions(template) : [];
        if (fromTemplate.length > 0) {
          this.ctx.startHostInBackground();
          const state = this.ctx.host.state;
          return [
            ...fromTemplate.map((fn): FunctionsNode => ({ type: 'staticFunction', fn, target: { kind: 'function', name: fn.name } })),
            ...(state.kind === 'error'
              ? [
                  {
                    type: 'message',
                    text: `Host not available: ${state.message}`,
                    command: { title: 'Restart Host', command: 'lambdaWorkbench.restartHost' },
                  } as const,
                ]
              : []),
          ];
        }
      }
      let list: FunctionInfo[];
      try {
        list = await this.ctx.functions();
      } catch (err) {
        return [
          {
            type: 'message',
            text: `Host not available: ${err instanceof Error ? err.message : String(err)}`,
            command: { title: 'Restart Host', command: 'lambdaWorkbench.restartHost' },
          },
        ];
      }
      if (list.length === 0) return [{ type: 'message', text: 'No functions: add a template.yaml or open a handler file' }];
      const [queues, schedules] = await Promise.all([
        this.ctx.host.request('sqs.list', undefined).catch(() => [] as SqsQueueInfo[]),
        this.ctx.host.request('schedule.list', undefined).catch(() => ({ paused: false, schedules: [] as ScheduleInfo[] })),
      ]);
      return [
        ...list.map((fn): FunctionsNode => ({ type: 'function', fn, target: targetOf(fn) })),
        ...(queues.length ? [{ type: 'queues', queues } as const] : []),
        ...(await tablesRoot(this.ctx)),
        ...(schedules.schedules.length ? [{ type: 'schedules', schedules: schedules.schedules, paused: schedules.paused } as const] : []),
      ];
    }
    switch (node.type) {
      case 'function':
        return [...(node.fn.events.length ? [{ type: 'group', fn: node.fn, group: 'sources' } as const] : []), { type: 'group', fn: node.fn, group: 'recent' }];
      case 'group':
        if (node.group === 'sources') return node.fn.events.map((source) => ({ type: 'source', source }));
        return this.ctx.recentInvocations(node.fn.name).map((record) => ({ type: 'invocation', record }));
      case 'queues':
        return node.queues.map((queue) => ({ type: 'queue', queue }));
      case 'tables':
      case 'table':
      case 'moreItems':
        return tableChildren(this.ctx, node);
      case 'schedules':
        return node.schedules.map((schedule) => ({ type: 'schedule', name: schedule.name, schedule, paused: node.paused }));
      default:
        return [];
    }
  }

  getTreeItem(node: FunctionsNode): vscode.TreeItem {
    switch (node.type) {
      case 'function': {
        const fn = node.fn;
        const o = this.ctx.overrides(node.target);
        const memory = o.memorySizeMB ?? fn.memorySizeMB;
        const timeout = o.timeoutSeconds ?? fn.timeoutSeconds;
        const item = new vscode.TreeItem(fn.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `function:${fn.name}`;
        item.description = `${memory} MB · ${timeout} s · ${fn.runtime}`;
        item.tooltip = new vscode.MarkdownString(
          [
            `**${fn.name}** — \`${fn.handler}\``,
            `${fn.runtime} · ${fn.architecture} · ${memory} MB · ${timeout} s`,
            fn.unsupportedReason ?? '',
            fn.notEmulated?.length ? `Not emulated locally (see the Problems panel):\n${fn.notEmulated.map((n) => `- ${n}`).join('\n')}` : '',
            fn.codeUri,
          ]
            .filter(Boolean)
            .join('\n\n'),
        );
        // Runs, but something of its configuration is not emulated: the warning colour, the details in the tooltip.
        const partly = fn.notEmulated?.length ? new vscode.ThemeColor('list.warningForeground') : undefined;
        item.iconPath = new vscode.ThemeIcon(fn.supported ? 'symbol-function' : 'warning', partly);
        item.contextValue = fn.supported ? 'lambdaFunction' : 'lambdaFunctionUnsupported';
        return item;
      }
      case 'staticFunction': {
        const item = new vscode.TreeItem(node.fn.name, vscode.TreeItemCollapsibleState.None);
        item.id = `function:${node.fn.name}`;
        item.description = node.fn.runtime;
        item.tooltip = new vscode.MarkdownString([`**${node.fn.name}** — \`${node.fn.handler}\``, node.fn.codeUri].join('\n\n'));
        item.iconPath = new vscode.ThemeIcon('symbol-function');
        item.contextValue = 'lambdaFunction';
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(node.group === 'sources' ? 'Event sources' : 'Recent invocations', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.group}:${node.fn.name}`;
        item.iconPath = new vscode.ThemeIcon(node.group === 'sources' ? 'plug' : 'history');
        return item;
      }
      case 'source': {
        const item = new vscode.TreeItem(sourceLabel(node.source), vscode.TreeItemCollapsibleState.None);
        item.description = node.source.type;
        item.iconPath = new vscode.ThemeIcon(SOURCE_ICON[node.source.type] ?? 'plug');
        item.contextValue = `eventSource.${node.source.type}`;
        return item;
      }
      case 'invocation': {
        const r = node.record;
        const item = new vscode.TreeItem(`${r.status}${r.cold ? ' (cold)' : ''}`, vscode.TreeItemCollapsibleState.None);
        item.id = `invocation:${r.id}`;
        item.description = [r.billedDurationMs !== undefined ? `${r.billedDurationMs} ms billed` : '', new Date(r.timestamps.queuedAt).toLocaleTimeString()]
          .filter(Boolean)
          .join(' · ');
        item.iconPath = new vscode.ThemeIcon(r.status === 'success' ? 'pass' : r.status === 'running' ? 'loading~spin' : 'error');
        item.command = { title: 'Show in panel', command: 'lambdaWorkbench.openPanel', arguments: [{ select: r.id }] };
        item.contextValue = 'invocation';
        return item;
      }
      case 'queues': {
        const item = new vscode.TreeItem('Queues', vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'queues';
        item.iconPath = new vscode.ThemeIcon('inbox');
        return item;
      }
      case 'queue': {
        const q = node.queue;
        const item = new vscode.TreeItem(q.name, vscode.TreeItemCollapsibleState.None);
        item.id = `queue:${q.name}`;
        item.description = `${q.visible} visible · ${q.inFlight} in flight${q.delayed ? ` · ${q.delayed} delayed` : ''}`;
        item.tooltip = new vscode.MarkdownString(
          [
            `**${q.name}**${q.fifo ? ' (FIFO)' : ''}`,
            q.url,
            q.functions.length ? `polled by ${q.functions.join(', ')}` : 'no function polls it',
            q.deadLetterQueue ? `dead letters → ${q.deadLetterQueue} after ${q.maxReceiveCount} receives` : '',
          ]
            .filter(Boolean)
            .join('\n\n'),
        );
        item.iconPath = new vscode.ThemeIcon('inbox');
        item.command = { title: 'Send Message to Queue…', command: 'lambdaWorkbench.sendMessage', arguments: [{ queue: q.name }] };
        item.contextValue = 'sqsQueue';
        return item;
      }
      case 'schedules': {
        const item = new vscode.TreeItem('Schedules', vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'schedules';
        item.description = node.paused ? 'paused' : undefined;
        item.tooltip = node.paused ? 'Paused: schedules fire only when fired by hand (lambdaWorkbench.schedules.enabled).' : 'Pause or resume them all inline.';
        item.iconPath = new vscode.ThemeIcon(node.paused ? 'debug-pause' : 'watch');
        item.contextValue = 'schedules';
        return item;
      }
      case 'schedule': {
        const s = node.schedule;
        const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.None);
        item.id = `schedule:${s.name}`;
        item.description = s.problem
          ? 'never fires'
          : !s.enabled
            ? 'disabled'
            : node.paused
              ? 'paused'
              : s.nextFireTime
                ? `next ${new Date(s.nextFireTime).toLocaleString()}`
                : 'no further firing';
        item.tooltip = new vscode.MarkdownString(
          [`**${s.name}** → ${s.function}`, `\`${s.expression}\`${s.timeZone ? ` (${s.timeZone})` : ''}`, s.problem ?? ''].filter(Boolean).join('\n\n'),
        );
        item.iconPath = new vscode.ThemeIcon(s.problem ? 'warning' : 'clock');
        item.contextValue = 'schedule';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.command = node.command;
        return item;
      }
      default:
        return tableTreeItem(node);
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

const SOURCE_ICON: Partial<Record<EventSourceInfo['type'], string>> = {
  Api: 'globe',
  HttpApi: 'globe',
  FunctionUrl: 'link',
  S3: 'archive',
  Kinesis: 'pulse',
  DynamoDB: 'database',
  SQS: 'inbox',
  SNS: 'broadcast',
  Schedule: 'clock',
  EventBridgeRule: 'symbol-event',
};

function sourceLabel(s: EventSourceInfo): string {
  switch (s.type) {
    case 'Api':
    case 'HttpApi':
      return `${s.method.toUpperCase()} ${s.path}`;
    case 'FunctionUrl':
      return `Function URL (${s.authType})`;
    case 'S3':
      return `s3://${s.bucket} ${s.events.join(', ')}`;
    case 'Kinesis':
    case 'DynamoDB':
      return `${s.stream} (batch ${s.batchSize})`;
    case 'SQS':
      return `${s.queue} (batch ${s.batchSize})`;
    case 'SNS':
      return s.topic;
    case 'Schedule':
      return s.schedule;
    case 'EventBridgeRule':
      return `${s.bus}: ${JSON.stringify(s.pattern ?? {})}`;
    case 'Other':
      return `${s.name} (${s.sourceType})`;
  }
}
