// Start/Stop HTTP API, Put Object to Bucket…, Publish to SNS Topic…, Put Records to Stream…, Send Message to Queue…, Fire
// Schedule Now…: each asks
// for what it needs with quick picks, taking names from the template's event sources.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { WorkbenchContext } from '../context';

export async function startHttpApi(ctx: WorkbenchContext): Promise<string | undefined> {
  const port = ctx.config.httpApiPort;
  const { url } = await ctx.host.request('httpApi.start', port ? { port } : undefined);
  void vscode.window.showInformationMessage(`HTTP API listening on ${url}`, 'Open in Browser').then((choice) => {
    if (choice) void vscode.env.openExternal(vscode.Uri.parse(url));
  });
  return url;
}

export async function stopHttpApi(ctx: WorkbenchContext): Promise<boolean> {
  const { stopped } = await ctx.host.request('httpApi.stop', undefined);
  void vscode.window.showInformationMessage(stopped ? 'HTTP API stopped.' : 'The HTTP API was not running.');
  return stopped;
}

/** Unique names of one kind of event source across the functions, for quick picks. */
async function sourceNames(ctx: WorkbenchContext, kind: 'S3' | 'SNS' | 'Kinesis' | 'SQS'): Promise<string[]> {
  const names = new Set<string>();
  for (const fn of await ctx.functions()) {
    for (const e of fn.events) {
      if (kind === 'S3' && e.type === 'S3') names.add(e.bucket);
      if (kind === 'SNS' && e.type === 'SNS') names.add(e.topic);
      if (kind === 'Kinesis' && (e.type === 'Kinesis' || e.type === 'DynamoDB')) names.add(e.stream);
      if (kind === 'SQS' && e.type === 'SQS') names.add(e.queue);
    }
  }
  return [...names].sort();
}

async function pickName(names: string[], title: string, noun: string): Promise<string | undefined> {
  if (names.length === 0) return vscode.window.showInputBox({ title, prompt: `No ${noun} in the template; type a name`, ignoreFocusOut: true });
  const picked = await vscode.window.showQuickPick(names, { title, placeHolder: noun });
  return picked;
}

export async function putObject(
  ctx: WorkbenchContext,
  args?: { bucket?: string; key?: string; body?: string },
): Promise<{ eTag: string; size: number } | undefined> {
  const bucket = args?.bucket ?? (await pickName(await sourceNames(ctx, 'S3'), 'Put Object to Bucket', 'bucket'));
  if (!bucket) return undefined;
  const activeName = vscode.window.activeTextEditor?.document.uri.path.split('/').pop();
  const key =
    args?.key ??
    (await vscode.window.showInputBox({
      title: `Put Object to ${bucket}`,
      prompt: 'Object key',
      value: activeName ?? 'uploads/example.txt',
      ignoreFocusOut: true,
    }));
  if (!key) return undefined;
  let body = args?.body;
  if (body === undefined) {
    const editor = vscode.window.activeTextEditor;
    const source = await vscode.window.showQuickPick(
      [...(editor ? [{ label: 'Active editor content', from: 'editor' as const }] : []), { label: 'Type text…', from: 'text' as const }],
      { title: `Body of s3://${bucket}/${key}` },
    );
    if (!source) return undefined;
    body =
      source.from === 'editor' && editor
        ? editor.document.getText()
        : await vscode.window.showInputBox({ title: 'Object body', value: 'hello', ignoreFocusOut: true });
    if (body === undefined) return undefined;
  }
  const result = await ctx.host.request('s3.putObject', { bucket, key, body });
  void vscode.window.showInformationMessage(`Put s3://${bucket}/${key} (${result.size} bytes).`);
  return result;
}

export async function publishToSns(ctx: WorkbenchContext, args?: { topic?: string; message?: string; subject?: string }): Promise<string | undefined> {
  let topics: string[];
  try {
    topics = (await ctx.host.request('sns.listTopics', undefined)).map((t) => t.name);
  } catch {
    topics = await sourceNames(ctx, 'SNS');
  }
  const topic = args?.topic ?? (await pickName(topics, 'Publish to SNS Topic', 'topic'));
  if (!topic) return undefined;
  const message =
    args?.message ?? (await vscode.window.showInputBox({ title: `Publish to ${topic}`, prompt: 'Message', value: '{"hello":"world"}', ignoreFocusOut: true }));
  if (message === undefined) return undefined;
  const { messageId } = await ctx.host.request('sns.publish', { topic, message, ...(args?.subject ? { subject: args.subject } : {}) });
  void vscode.window.showInformationMessage(`Published to ${topic} (MessageId ${messageId}).`);
  return messageId;
}

export async function putRecordsToStream(ctx: WorkbenchContext, args?: { stream?: string; partitionKey?: string; data?: string }): Promise<number | undefined> {
  let streams: string[];
  try {
    streams = (await ctx.host.request('stream.list', undefined)).map((s) => s.name);
  } catch {
    streams = await sourceNames(ctx, 'Kinesis');
  }
  const stream = args?.stream ?? (await pickName(streams, 'Put Records to Stream', 'stream'));
  if (!stream) return undefined;
  const partitionKey =
    args?.partitionKey ??
    (await vscode.window.showInputBox({ title: `Put Records to ${stream}`, prompt: 'Partition key', value: 'key-1', ignoreFocusOut: true }));
  if (!partitionKey) return undefined;
  const data =
    args?.data ??
    (await vscode.window.showInputBox({ title: `Put Records to ${stream}`, prompt: 'Data, one record per line', value: '{"n":1}', ignoreFocusOut: true }));
  if (data === undefined) return undefined;
  const records = data
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => ({ partitionKey, data: line }));
  const result = await ctx.host.request('stream.putRecords', { stream, records });
  void vscode.window.showInformationMessage(`Put ${result.length} record(s) to ${stream}.`);
  return result.length;
}

export async function sendMessageToQueue(ctx: WorkbenchContext, args?: { queue?: string; body?: string; groupId?: string }): Promise<string | undefined> {
  let queues: string[];
  try {
    queues = (await ctx.host.request('sqs.list', undefined)).map((q) => q.name);
  } catch {
    queues = await sourceNames(ctx, 'SQS');
  }
  const queue = args?.queue ?? (await pickName(queues, 'Send Message to Queue', 'queue'));
  if (!queue) return undefined;
  const body =
    args?.body ??
    (await vscode.window.showInputBox({ title: `Send Message to ${queue}`, prompt: 'Message body', value: '{"hello":"world"}', ignoreFocusOut: true }));
  if (body === undefined) return undefined;
  let groupId = args?.groupId;
  if (queue.endsWith('.fifo') && groupId === undefined) {
    groupId = await vscode.window.showInputBox({
      title: `Send Message to ${queue}`,
      prompt: 'Message group id (FIFO queue)',
      value: 'group-1',
      ignoreFocusOut: true,
    });
    if (!groupId) return undefined;
  }
  // Each send from the palette is meant as a new message, so a FIFO queue gets a fresh deduplication id.
  const fifo = queue.endsWith('.fifo') ? { groupId: groupId!, deduplicationId: randomUUID() } : {};
  const { messageId } = await ctx.host.request('sqs.send', { queue, body, ...fifo });
  void vscode.window.showInformationMessage(`Sent to ${queue} (MessageId ${messageId}).`);
  return messageId;
}

/** Fires one of the template's schedules now; the pick shows each one's function, expression and next fire time. */
export async function fireSchedule(ctx: WorkbenchContext, args?: { name?: string }): Promise<string | undefined> {
  let name = args?.name;
  if (name === undefined) {
    const { paused, schedules } = await ctx.host.request('schedule.list', undefined);
    if (schedules.length === 0) {
      void vscode.window.showInformationMessage('The template declares no schedules (Schedule, ScheduleV2, AWS::Events::Rule, AWS::Scheduler::Schedule).');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      schedules.map((s) => ({
        label: s.name,
        description: `${s.function} · ${s.expression}${s.timeZone ? ` (${s.timeZone})` : ''}`,
        detail: s.problem
          ? `never fires: ${s.problem}`
          : !s.enabled
            ? 'disabled in the template'
            : paused
              ? 'paused (lambdaWorkbench.schedules.enabled is off)'
              : s.nextFireTime
                ? `next: ${new Date(s.nextFireTime).toLocaleString()}`
                : 'no further firing',
      })),
      { title: 'Fire Schedule Now', placeHolder: 'schedule' },
    );
    name = picked?.label;
  }
  if (!name) return undefined;
  const { recordId } = await ctx.host.request('schedule.fire', { name });
  void vscode.window.showInformationMessage(`Fired ${name}.`);
  return recordId;
}

/**
 * Pauses every schedule, or resumes them: flips `lambdaWorkbench.schedules.enabled` (in the workspace),
 * which the running host follows without a restart (`schedule.pause`).
 */
export async function toggleSchedules(ctx: WorkbenchContext): Promise<boolean> {
  const enabled = !ctx.config.schedulesEnabled;
  await vscode.workspace.getConfiguration('lambdaWorkbench').update('schedules.enabled', enabled, vscode.ConfigurationTarget.Workspace);
  void vscode.window.showInformationMessage(enabled ? 'Schedules resumed.' : 'Schedules paused: they fire only when fired by hand.');
  return enabled;
}
