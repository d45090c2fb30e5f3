// One durable execution's state: its operations (Lambda's Operation objects), its history events
// (Lambda's Event objects) and its invocations, changed only through the methods below — a checkpoint
// from the SDK, or the host moving an operation on (a wait elapsed, a retry came due, a callback was
// sent). Every change is also a journal entry (`drain()`), which the store appends durably; replaying
// the journal gives back the same state, so a host restarted mid-execution carries on.
// What a checkpoint may do follows Lambda's rules as its API and the SDK's own local test server
// check them: which actions each operation type takes, from which status, parents being CONTEXTs,
// one update per operation per request (a STEP or CONTEXT may START and end in one), EXECUTION last.
import type { Trigger } from '../protocol/records';
import type { DurableAttemptView, DurableExecutionSummary, DurableExecutionView, DurableInvocationView, DurableOperationView } from '../protocol/durable';
import {
  DONE,
  encodeCallbackId,
  invalidParameter,
  OPERATION_TYPES,
  type ErrorObject,
  type ExecutionStatus,
  type HistoryEvent,
  type Operation,
  type OperationStatus,
  type OperationType,
  type OperationUpdate,
} from './model';

export interface ExecutionMeta {
  id: string;
  arn: string;
  name: string;
  /** Logical id of the function (the registry's name). */
  functionName: string;
  qualifier: string;
  functionArn: string;
  /** Input payload, JSON text. */
  input: string;
  startedAt: number;
  endedAt?: number;
  status: ExecutionStatus;
  result?: string;
  error?: ErrorObject;
  executionTimeoutSeconds: number;
  retentionPeriodInDays: number;
  /** The execution's record (kind `durable-execution`). */
  recordId: string;
  trigger: Trigger;
  /** Started by a debug session: every invocation runs in the debug environment. */
  debug: boolean;
  skipWaits: boolean;
  skippedMs: number;
  /** A result the SDK checkpointed with an EXECUTION update (results over the response limit), used when the invocation returns. */
  checkpointed?: { status: 'SUCCEEDED' | 'FAILED'; result?: string; error?: ErrorObject };
  /** Invocations in a row that failed (crash, timeout, thrown), for the invocation retry budget. */
  failedInvocations: number;
}

export interface OpEntry {
  op: Operation;
  /** Change counter at its last change. */
  seq: number;
  /** The last change was the host's (a wait elapsed, a callback arrived), not a checkpoint. */
  byHost?: boolean;
  attempts: DurableAttemptView[];
  startedIn?: number;
  endedIn?: number;
  waitSeconds?: number;
  skippedMs?: number;
  /** The execution's skipped time when this wait or retry delay began: its due time on the execution's own clock is that much later. */
  offsetMs?: number;
  callback?: { timeoutSeconds?: number; heartbeatTimeoutSeconds?: number; lastHeartbeatAt?: number };
  chained?: { functionName: string; payload?: string };
}

export interface InvocationEntry extends DurableInvocationView {
  /** Change counter when it started: what its input held. */
  snapshotSeq: number;
  /** The UpdatedOperationIds it was given. */
  updated: string[];
  requestId?: string;
}

export type JournalEntry =
  { k: 'meta'; meta: Partial<ExecutionMeta> } | { k: 'ops'; ops: OpEntry[]; events: HistoryEvent[] } | { k: 'inv'; inv: InvocationEntry };

/** What a checkpoint started that the host must look after: timers to arm, invokes to run. */
export interface CheckpointEffects {
  waits: string[];
  retries: string[];
  callbacks: string[];
  chainedInvokes: string[];
  cancelled: string[];
}

const VALID_ACTIONS: Record<OperationType, readonly string[]> = {
  STEP: ['START', 'SUCCEED', 'FAIL', 'RETRY'],
  CONTEXT: ['START', 'SUCCEED', 'FAIL'],
  WAIT: ['START', 'CANCEL'],
  CALLBACK: ['START', 'CANCEL'],
  CHAINED_INVOKE: ['START', 'CANCEL'],
  EXECUTION: ['SUCCEED', 'FAIL'],
};
const OPERATION_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_ERROR_BYTES = 32_768;

export class Execution {
  meta: ExecutionMeta;
  readonly ops = new Map<string, OpEntry>();
  readonly events: HistoryEvent[] = [];
  readonly invocations: InvocationEntry[] = [];
  private seq = 0;
  private nextEventId = 1;
  private journal: JournalEntry[] = [];

  private constructor(meta: ExecutionMeta) {
    this.meta = meta;
  }

  /** A new execution: its EXECUTION operation (first in the state, where the SDK reads the input) and ExecutionStarted. */
  static create(meta: Omit<ExecutionMeta, 'status' | 'skippedMs' | 'failedInvocations'>): Execution {
    const exec = new Execution({ ...meta, status: 'RUNNING', skippedMs: 0, failedInvocations: 0 });
    exec.journal.push({ k: 'meta', meta: { ...exec.meta } });
    const op: Operation = { Id: meta.id, Type: 'EXECUTION', Status: 'STARTED', StartTimestamp: meta.startedAt, ExecutionDetails: { InputPayload: meta.input } };
    const entry = exec.put({ op, seq: 0, attempts: [] }, false);
    exec.record(
      [entry],
      [
        exec.event('ExecutionStarted', op, meta.startedAt, {
          ExecutionStartedDetails: { Input: { Payload: meta.input }, ExecutionTimeout: meta.executionTimeoutSeconds },
        }),
      ],
    );
    return exec;
  }

  /** The state a journal describes (entries in the order they were written). */
  static replay(entries: JournalEntry[]): Execution | undefined {
    const first = entries[0];
    if (!first || first.k !== 'meta' || !first.meta.id) return undefined;
    const exec = new Execution(first.meta as ExecutionMeta);
    for (const e of entries.slice(1)) {
      if (e.k === 'meta') exec.meta = { ...exec.meta, ...e.meta };
      else if (e.k === 'ops') {
        for (const o of e.ops) {
          exec.ops.set(o.op.Id, o);
          exec.seq = Math.max(exec.seq, o.seq);
        }
        exec.events.push(...e.events);
      } else {
        const i = exec.invocations.findIndex((x) => x.seq === e.inv.seq);
        if (i >= 0) exec.invocations[i] = e.inv;
        else exec.invocations.push(e.inv);
      }
    }
    exec.nextEventId = exec.events.length + 1;
    return exec;
  }

  /** Journal entries since the last call (what the store must append). */
  drain(): JournalEntry[] {
    const out = this.journal;
    this.journal = [];
    return out;
  }

  get changeSeq(): number {
    return this.seq;
  }

  get running(): boolean {
    return this.meta.status === 'RUNNING';
  }

  /** The invocation in flight, if any. */
  get current(): InvocationEntry | undefined {
    const last = this.invocations[this.invocations.length - 1];
    return last?.outcome === 'running' ? last : undefined;
  }

  setMeta(patch: Partial<ExecutionMeta>): void {
    this.meta = { ...this.meta, ...patch };
    this.journal.push({ k: 'meta', meta: patch });
  }

  // --- the state the SDK sees ------------------------------------------------------------------

  /**
   * The operations an invocation gets (InitialExecutionState, GetDurableExecutionState): all of them,
   * in the order they started, except the children of a completed CONTEXT that did not ask for
   * ReplayChildren (the SDK replays the context from its result alone).
   */
  state(): Operation[] {
    const hidden = new Set<string>();
    const out: Operation[] = [];
    for (const { op } of this.ops.values()) {
      const parent = op.ParentId ? this.ops.get(op.ParentId)?.op : undefined;
      if (
        op.ParentId &&
        (hidden.has(op.ParentId) || (parent && parent.Type === 'CONTEXT' && DONE.has(parent.Status) && !parent.ContextDetails?.ReplayChildren))
      ) {
        hidden.add(op.Id);
        continue;
      }
      out.push(op);
    }
    return out;
  }

  /** Operations changed after change `seq` (what a checkpoint answers in NewExecutionState). */
  changedSince(seq: number): Operation[] {
    return [...this.ops.values()].filter((e) => e.seq > seq).map((e) => e.op);
  }

  /** Operations the host (not a checkpoint) moved on after change `seq`: what woke the execution. */
  hostChangedSince(seq: number): OpEntry[] {
    return [...this.ops.values()].filter((e) => e.byHost && e.seq > seq);
  }

  /** Operations still waiting for something outside the function (the SDK may return PENDING for these). */
  pendingOperations(): OpEntry[] {
    return [...this.ops.values()].filter(({ op }) => {
      if (op.Type === 'WAIT' || op.Type === 'CALLBACK' || op.Type === 'CHAINED_INVOKE') return op.Status === 'STARTED';
      if (op.Type === 'STEP') return op.Status === 'PENDING' || op.Status === 'READY';
      return false;
    });
  }

  // --- checkpoints ---------------------------------------------------------------------------

  /**
   * Applies one CheckpointDurableExecution request's updates, all or none: a rule broken anywhere
   * throws InvalidParameterValueException before anything changes.
   */
  checkpoint(updates: OperationUpdate[], now: number, invocation: number): CheckpointEffects {
    this.validate(updates);
    const effects: CheckpointEffects = { waits: [], retries: [], callbacks: [], chainedInvokes: [], cancelled: [] };
    const touched: OpEntry[] = [];
    const events: HistoryEvent[] = [];
    for (const u of updates) {
      const type = u.Type as OperationType;
      if (type === 'EXECUTION') {
        this.setMeta({
          checkpointed:
            u.Action === 'SUCCEED'
              ? { status: 'SUCCEEDED', ...(u.Payload !== undefined ? { result: u.Payload } : {}) }
              : { status: 'FAILED', ...(u.Error ? { error: u.Error } : {}) },
        });
        continue;
      }
      const id = u.Id!;
      let entry = this.ops.get(id);
      if (!entry) {
        entry = this.createOperation(u, now, invocation, events, effects);
        if (u.Action === 'START') {
          touched.push(entry);
          continue;
        }
      }
      this.transition(entry, u, now, invocation, events, effects);
      touched.push(entry);
    }
    this.record(
      [...new Set(touched)].map((e) => this.put(e, false)),
      events,
    );
    return effects;
  }

  private validate(updates: OperationUpdate[]): void {
    const executions = updates.filter((u) => u.Type === 'EXECUTION');
    if (executions.length > 1) throw invalidParameter('Cannot checkpoint multiple EXECUTION updates.');
    if (executions.length === 1 && updates[updates.length - 1]!.Type !== 'EXECUTION') throw invalidParameter('EXECUTION checkpoint must be the last update.');
    // Status and type of each operation as the batch goes (an earlier update may have started it).
    const shadow = new Map<string, { type: OperationType; status: OperationStatus | 'NEW' }>();
    const seen = new Map<string, OperationUpdate>();
    for (const u of updates) {
      if (!u.Id || !OPERATION_ID.test(u.Id)) throw invalidParameter('Operation update must have an Id of 1-64 letters, digits, - or _.');
      if (!u.Type || !(OPERATION_TYPES as readonly string[]).includes(u.Type)) throw invalidParameter('Invalid operation type.');
      const type = u.Type as OperationType;
      if (!u.Action || !VALID_ACTIONS[type].includes(u.Action)) throw invalidParameter('Invalid action for the given operation type.');
      if (u.Error !== undefined && Buffer.byteLength(JSON.stringify(u)) > MAX_ERROR_BYTES) {
        throw invalidParameter(`Error object size must be less than ${MAX_ERROR_BYTES} bytes.`);
      }
      if (type === 'EXECUTION') {
        if (u.Action === 'SUCCEED' && u.Error != null) throw invalidParameter('Cannot provide an Error for SUCCEED action.');
        if (u.Action === 'FAIL' && u.Payload != null) throw invalidParameter('Cannot provide a Payload for FAIL action.');
        continue;
      }
      const previous = seen.get(u.Id);
      if (previous && !((previous.Type === 'STEP' || previous.Type === 'CONTEXT') && previous.Action === 'START' && u.Action !== 'START')) {
        throw invalidParameter('Cannot update the same operation twice in a single request.');
      }
      seen.set(u.Id, u);
      if (u.ParentId !== undefined) {
        const parent = shadow.get(u.ParentId)?.type ?? this.ops.get(u.ParentId)?.op.Type;
        if (parent !== 'CONTEXT') throw invalidParameter('Invalid parent operation id.');
      }
      const existing = this.ops.get(u.Id);
      const current = shadow.get(u.Id) ?? (existing ? { type: existing.op.Type, status: existing.op.Status } : undefined);
      if (current && current.type !== type) throw invalidParameter(`Operation ${u.Id} is a ${current.type}, not a ${type}.`);
      const status = current?.status;
      const exists = status !== undefined;
      const fail = (message: string) => {
        throw invalidParameter(message);
      };
      switch (u.Action) {
        case 'START':
          if (type === 'STEP' ? exists && status !== 'READY' : exists)
            fail(type === 'STEP' ? 'Invalid current STEP state to start.' : `Cannot start a ${type} that already exists.`);
          if (type === 'WAIT' && !(Number.isInteger(u.WaitOptions?.WaitSeconds) && u.WaitOptions!.WaitSeconds! >= 1))
            fail('WaitOptions.WaitSeconds must be a whole number of at least 1.');
          if (type === 'CHAINED_INVOKE' && !u.ChainedInvokeOptions?.FunctionName) fail('ChainedInvokeOptions.FunctionName is required.');
          break;
        case 'SUCCEED':
        case 'FAIL':
          if (exists && status !== 'STARTED' && !(type === 'STEP' && status === 'READY')) fail(`Invalid current ${type} state to close.`);
          if (u.Action === 'FAIL' && u.Payload != null) fail('Cannot provide a Payload for FAIL action.');
          if (u.Action === 'SUCCEED' && u.Error != null) fail('Cannot provide an Error for SUCCEED action.');
          break;
        case 'RETRY':
          if (exists && status !== 'STARTED' && status !== 'READY') fail('Invalid current STEP state to re-attempt.');
          if (u.StepOptions == null) fail('Invalid StepOptions for the given action.');
          if (u.Error != null && u.Payload != null) fail('Cannot provide both error and payload to RETRY a STEP.');
          break;
        case 'CANCEL':
          if (status !== 'STARTED') fail(`Cannot cancel a ${type} that does not exist or has already completed.`);
          break;
      }
      const next: OperationStatus =
        u.Action === 'START'
          ? 'STARTED'
          : u.Action === 'SUCCEED'
            ? 'SUCCEEDED'
            : u.Action === 'FAIL'
              ? 'FAILED'
              : u.Action === 'RETRY'
                ? 'PENDING'
                : 'CANCELLED';
      shadow.set(u.Id, { type, status: next });
    }
  }

  private createOperation(u: OperationUpdate, now: number, invocation: number, events: HistoryEvent[], effects: CheckpointEffects): OpEntry {
    const type = u.Type as OperationType;
    const op: Operation = {
      Id: u.Id!,
      ...(u.ParentId !== undefined ? { ParentId: u.ParentId } : {}),
      ...(u.Name !== undefined ? { Name: u.Name } : {}),
      Type: type,
      ...(u.SubType !== undefined ? { SubType: u.SubType } : {}),
      StartTimestamp: now,
      Status: 'STARTED',
    };
    const entry: OpEntry = { op, seq: 0, attempts: [], startedIn: invocation };
    this.ops.set(op.Id, entry);
    switch (type) {
      case 'WAIT': {
        const seconds = u.WaitOptions!.WaitSeconds!;
        op.WaitDetails = { ScheduledEndTimestamp: now + seconds * 1000 };
        entry.waitSeconds = seconds;
        entry.offsetMs = this.meta.skippedMs;
        events.push(
          this.event('WaitStarted', op, now, { WaitStartedDetails: { Duration: seconds, ScheduledEndTimestamp: op.WaitDetails.ScheduledEndTimestamp } }),
        );
        effects.waits.push(op.Id);
        break;
      }
      case 'CALLBACK': {
        op.CallbackDetails = { CallbackId: encodeCallbackId(this.meta.id, op.Id) };
        const timeout = u.CallbackOptions?.TimeoutSeconds;
        const heartbeat = u.CallbackOptions?.HeartbeatTimeoutSeconds;
        entry.callback = {
          ...(timeout ? { timeoutSeconds: timeout } : {}),
          ...(heartbeat ? { heartbeatTimeoutSeconds: heartbeat } : {}),
          lastHeartbeatAt: now,
        };
        events.push(
          this.event('CallbackStarted', op, now, {
            CallbackStartedDetails: {
              CallbackId: op.CallbackDetails.CallbackId,
              ...(timeout ? { Timeout: timeout } : {}),
              ...(heartbeat ? { HeartbeatTimeout: heartbeat } : {}),
            },
          }),
        );
        effects.callbacks.push(op.Id);
        break;
      }
      case 'CONTEXT':
        op.ContextDetails = u.ContextOptions?.ReplayChildren !== undefined ? { ReplayChildren: u.ContextOptions.ReplayChildren } : {};
        events.push(this.event('ContextStarted', op, now, { ContextStartedDetails: {} }));
        break;
      case 'STEP':
        if (u.Action === 'START') {
          entry.attempts.push({ attempt: 1, startedAt: now, invocation, outcome: 'running' });
          events.push(this.event('StepStarted', op, now, { StepStartedDetails: {} }));
        }
        break;
      case 'CHAINED_INVOKE':
        entry.chained = { functionName: u.ChainedInvokeOptions!.FunctionName!, ...(u.Payload !== undefined ? { payload: u.Payload } : {}) };
        events.push(
          this.event('ChainedInvokeStarted', op, now, {
            ChainedInvokeStartedDetails: { FunctionName: entry.chained.functionName, Input: { Payload: u.Payload ?? '' } },
          }),
        );
        effects.chainedInvokes.push(op.Id);
        break;
      default:
        break;
    }
    return entry;
  }

  /** An existing operation (or one this batch just started) moved on by a checkpoint update. */
  private transition(entry: OpEntry, u: OperationUpdate, now: number, invocation: number, events: HistoryEvent[], effects: CheckpointEffects): void {
    const op = entry.op;
    const close = (status: OperationStatus) => {
      op.Status = status;
      op.EndTimestamp = now;
      entry.endedIn = invocation;
    };
    if (op.Type === 'STEP') {
      const done = op.StepDetails?.Attempt ?? 0;
      let attempt = entry.attempts[entry.attempts.length - 1];
      if (!attempt || attempt.outcome !== 'running') {
        attempt = { attempt: done + 1, invocation, outcome: 'running', ...(u.Action === 'START' ? { startedAt: now } : {}) };
        entry.attempts.push(attempt);
      }
      switch (u.Action) {
        case 'START':
          op.Status = 'STARTED';
          attempt.startedAt ??= now;
          events.push(this.event('StepStarted', op, now, { StepStartedDetails: {} }));
          return;
        case 'SUCCEED':
          close('SUCCEEDED');
          op.StepDetails = { Attempt: done + 1, ...(u.Payload !== undefined ? { Result: u.Payload } : {}) };
          Object.assign(attempt, { endedAt: now, outcome: 'succeeded' }, u.Payload !== undefined ? { result: u.Payload } : {});
          events.push(
            this.event('StepSucceeded', op, now, { StepSucceededDetails: { Result: { Payload: u.Payload }, RetryDetails: { CurrentAttempt: done + 1 } } }),
          );
          return;
        case 'FAIL':
          close('FAILED');
          op.StepDetails = { Attempt: done + 1, ...(u.Error ? { Error: u.Error } : {}) };
          Object.assign(attempt, { endedAt: now, outcome: 'failed' }, u.Error ? { error: u.Error } : {});
          events.push(this.event('StepFailed', op, now, { StepFailedDetails: { Error: { Payload: u.Error }, RetryDetails: { CurrentAttempt: done + 1 } } }));
          return;
        case 'RETRY': {
          const delay = u.StepOptions?.NextAttemptDelaySeconds ?? 1;
          op.Status = 'PENDING';
          entry.offsetMs = this.meta.skippedMs;
          op.StepDetails = {
            Attempt: done + 1,
            NextAttemptTimestamp: now + delay * 1000,
            ...(u.Error ? { Error: u.Error } : {}),
            ...(u.Payload !== undefined ? { Result: u.Payload } : {}),
          };
          Object.assign(
            attempt,
            { endedAt: now, outcome: 'retry', nextAttemptDelaySeconds: delay },
            u.Error ? { error: u.Error } : {},
            u.Payload !== undefined ? { result: u.Payload } : {},
          );
          const retryDetails = { CurrentAttempt: done + 1, NextAttemptDelaySeconds: delay };
          events.push(
            u.Error
              ? this.event('StepFailed', op, now, { StepFailedDetails: { Error: { Payload: u.Error }, RetryDetails: retryDetails } })
              : this.event('StepSucceeded', op, now, { StepSucceededDetails: { Result: { Payload: u.Payload }, RetryDetails: retryDetails } }),
          );
          effects.retries.push(op.Id);
          return;
        }
      }
      return;
    }
    if (op.Type === 'CONTEXT') {
      const replayChildren = u.ContextOptions?.ReplayChildren ?? op.ContextDetails?.ReplayChildren;
      if (u.Action === 'SUCCEED') {
        close('SUCCEEDED');
        op.ContextDetails = {
          ...(replayChildren !== undefined ? { ReplayChildren: replayChildren } : {}),
          ...(u.Payload !== undefined ? { Result: u.Payload } : {}),
        };
        events.push(this.event('ContextSucceeded', op, now, { ContextSucceededDetails: { Result: { Payload: u.Payload } } }));
      } else if (u.Action === 'FAIL') {
        close('FAILED');
        op.ContextDetails = { ...(replayChildren !== undefined ? { ReplayChildren: replayChildren } : {}), ...(u.Error ? { Error: u.Error } : {}) };
        events.push(this.event('ContextFailed', op, now, { ContextFailedDetails: { Error: { Payload: u.Error } } }));
      }
      return;
    }
    if (u.Action === 'CANCEL') {
      close('CANCELLED');
      if (op.Type === 'WAIT') events.push(this.event('WaitCancelled', op, now, { WaitCancelledDetails: {} }));
      effects.cancelled.push(op.Id);
    }
  }

  // --- the host moving operations on ---------------------------------------------------------

  /** A WAIT whose time came (or was skipped: `skippedMs` of it). */
  completeWait(id: string, now: number, skippedMs = 0): boolean {
    const entry = this.ops.get(id);
    if (!entry || entry.op.Type !== 'WAIT' || entry.op.Status !== 'STARTED') return false;
    entry.op.Status = 'SUCCEEDED';
    entry.op.EndTimestamp = now;
    if (skippedMs > 0) entry.skippedMs = skippedMs;
    this.record([this.put(entry, true)], [this.event('WaitSucceeded', entry.op, now, { WaitSucceededDetails: { Duration: entry.waitSeconds } })]);
    return true;
  }

  /** A STEP waiting for its next attempt becomes READY (the SDK starts the attempt on the next invocation). */
  readyStep(id: string, now: number, skippedMs = 0): boolean {
    const entry = this.ops.get(id);
    if (!entry || entry.op.Type !== 'STEP' || entry.op.Status !== 'PENDING') return false;
    entry.op.Status = 'READY';
    if (skippedMs > 0) entry.skippedMs = (entry.skippedMs ?? 0) + skippedMs;
    void now;
    this.record([this.put(entry, true)], []);
    return true;
  }

  /** SendDurableExecutionCallbackSuccess / Failure, or a timeout. */
  completeCallback(id: string, outcome: { result?: string } | { error: ErrorObject; timedOut?: boolean }, now: number): boolean {
    const entry = this.ops.get(id);
    if (!entry || entry.op.Type !== 'CALLBACK' || entry.op.Status !== 'STARTED') return false;
    const op = entry.op;
    op.EndTimestamp = now;
    let event: HistoryEvent;
    if ('error' in outcome) {
      op.Status = outcome.timedOut ? 'TIMED_OUT' : 'FAILED';
      op.CallbackDetails = { ...op.CallbackDetails, Error: outcome.error };
      event = outcome.timedOut
        ? this.event('CallbackTimedOut', op, now, { CallbackTimedOutDetails: { Error: { Payload: outcome.error } } })
        : this.event('CallbackFailed', op, now, { CallbackFailedDetails: { Error: { Payload: outcome.error } } });
    } else {
      op.Status = 'SUCCEEDED';
      op.CallbackDetails = { ...op.CallbackDetails, ...(outcome.result !== undefined ? { Result: outcome.result } : {}) };
      event = this.event('CallbackSucceeded', op, now, { CallbackSucceededDetails: { Result: { Payload: outcome.result } } });
    }
    this.record([this.put(entry, true)], [event]);
    return true;
  }

  heartbeat(id: string, now: number): boolean {
    const entry = this.ops.get(id);
    if (!entry?.callback || entry.op.Status !== 'STARTED') return false;
    entry.callback.lastHeartbeatAt = now;
    // Not a change the SDK sees (no seq bump): only the heartbeat clock moves.
    this.journal.push({ k: 'ops', ops: [structuredClone(entry)], events: [] });
    return true;
  }

  /** A chained invoke's target finished. */
  completeChainedInvoke(id: string, outcome: { result?: string } | { error: ErrorObject; status?: 'FAILED' | 'TIMED_OUT' | 'STOPPED' }, now: number): boolean {
    const entry = this.ops.get(id);
    if (!entry || entry.op.Type !== 'CHAINED_INVOKE' || entry.op.Status !== 'STARTED') return false;
    const op = entry.op;
    op.EndTimestamp = now;
    let event: HistoryEvent;
    if ('error' in outcome) {
      op.Status = outcome.status ?? 'FAILED';
      op.ChainedInvokeDetails = { Error: outcome.error };
      const type = op.Status === 'TIMED_OUT' ? 'ChainedInvokeTimedOut' : op.Status === 'STOPPED' ? 'ChainedInvokeStopped' : 'ChainedInvokeFailed';
      event = this.event(type, op, now, { [`${type}Details`]: { Error: { Payload: outcome.error } } });
    } else {
      op.Status = 'SUCCEEDED';
      op.ChainedInvokeDetails = outcome.result !== undefined ? { Result: outcome.result } : {};
      event = this.event('ChainedInvokeSucceeded', op, now, { ChainedInvokeSucceededDetails: { Result: { Payload: outcome.result } } });
    }
    this.record([this.put(entry, true)], [event]);
    return true;
  }

  // --- invocations and the end ---------------------------------------------------------------

  startInvocation(recordId: string, now: number, wokenBy: string[], skippedMs = 0): InvocationEntry {
    const previous = this.invocations[this.invocations.length - 1];
    const updated = previous ? this.hostChangedSince(previous.snapshotSeq).map((e) => e.op.Id) : [];
    const inv: InvocationEntry = {
      seq: this.invocations.length + 1,
      recordId,
      startedAt: now,
      outcome: 'running',
      wokenBy,
      ...(skippedMs > 0 ? { skippedMs } : {}),
      snapshotSeq: this.seq,
      updated,
    };
    this.invocations.push(inv);
    this.journal.push({ k: 'inv', inv: { ...inv } });
    return inv;
  }

  /** The invocation's record id, once the invoker has made its record. */
  noteRecord(inv: InvocationEntry, recordId: string): void {
    inv.recordId = recordId;
    this.journal.push({ k: 'inv', inv: { ...inv } });
  }

  endInvocation(inv: InvocationEntry, outcome: InvocationEntry['outcome'], now: number, requestId: string, error?: ErrorObject): void {
    inv.outcome = outcome;
    inv.endedAt = now;
    inv.requestId = requestId;
    if (error) inv.error = error;
    this.journal.push({ k: 'inv', inv: { ...inv } });
    this.record(
      [],
      [
        this.event('InvocationCompleted', undefined, now, {
          InvocationCompletedDetails: {
            StartTimestamp: inv.startedAt,
            EndTimestamp: now,
            RequestId: requestId,
            ...(error ? { Error: { Payload: error } } : {}),
          },
        }),
      ],
    );
  }

  /** Closes the execution (and its EXECUTION operation) with its last event. */
  end(status: Exclude<ExecutionStatus, 'RUNNING'>, now: number, outcome: { result?: string; error?: ErrorObject } = {}): void {
    if (!this.running) return;
    this.setMeta({
      status,
      endedAt: now,
      ...(outcome.result !== undefined ? { result: outcome.result } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
    });
    const entry = this.ops.get(this.meta.id);
    const touched: OpEntry[] = [];
    if (entry) {
      entry.op.Status = status === 'SUCCEEDED' ? 'SUCCEEDED' : status === 'FAILED' ? 'FAILED' : status === 'TIMED_OUT' ? 'TIMED_OUT' : 'STOPPED';
      entry.op.EndTimestamp = now;
      touched.push(this.put(entry, true));
    }
    const error = { Error: { Payload: outcome.error } };
    const event =
      status === 'SUCCEEDED'
        ? this.event('ExecutionSucceeded', entry?.op, now, { ExecutionSucceededDetails: { Result: { Payload: outcome.result } } })
        : status === 'FAILED'
          ? this.event('ExecutionFailed', entry?.op, now, { ExecutionFailedDetails: error })
          : status === 'TIMED_OUT'
            ? this.event('ExecutionTimedOut', entry?.op, now, { ExecutionTimedOutDetails: error })
            : this.event('ExecutionStopped', entry?.op, now, { ExecutionStoppedDetails: error });
    this.record(touched, [event]);
  }

  // --- views -----------------------------------------------------------------------------------

  summary(): DurableExecutionSummary {
    const m = this.meta;
    const pendingCallbacks = [...this.ops.values()]
      .filter((e) => e.op.Type === 'CALLBACK' && e.op.Status === 'STARTED')
      .map((e) => ({
        callbackId: e.op.CallbackDetails!.CallbackId!,
        operationId: e.op.Id,
        ...(e.op.Name ? { name: e.op.Name } : {}),
        startedAt: e.op.StartTimestamp,
      }));
    const wakes = [...this.ops.values()]
      .map(({ op }) =>
        op.Type === 'WAIT' && op.Status === 'STARTED'
          ? op.WaitDetails?.ScheduledEndTimestamp
          : op.Type === 'STEP' && op.Status === 'PENDING'
            ? op.StepDetails?.NextAttemptTimestamp
            : undefined,
      )
      .filter((t): t is number => t !== undefined);
    return {
      arn: m.arn,
      name: m.name,
      functionName: m.functionName,
      qualifier: m.qualifier,
      status: m.status,
      startedAt: m.startedAt,
      ...(m.endedAt !== undefined ? { endedAt: m.endedAt } : {}),
      invocationCount: this.invocations.length,
      recordId: m.recordId,
      pendingCallbacks,
      ...(this.running && wakes.length ? { nextWakeAt: Math.min(...wakes) } : {}),
      skipWaits: m.skipWaits,
      skippedMs: m.skippedMs,
    };
  }

  view(): DurableExecutionView {
    const m = this.meta;
    const operations: DurableOperationView[] = [];
    for (const entry of this.ops.values()) {
      const op = entry.op;
      if (op.Type === 'EXECUTION') continue;
      operations.push({
        id: op.Id,
        ...(op.ParentId ? { parentId: op.ParentId } : {}),
        ...(op.Name ? { name: op.Name } : {}),
        type: op.Type,
        ...(op.SubType ? { subType: op.SubType } : {}),
        status: op.Status,
        startedAt: op.StartTimestamp,
        ...(op.EndTimestamp !== undefined ? { endedAt: op.EndTimestamp } : {}),
        ...(entry.startedIn !== undefined ? { startedIn: entry.startedIn } : {}),
        ...(entry.endedIn !== undefined ? { endedIn: entry.endedIn } : {}),
        replayedIn: this.invocations.filter((inv) => this.replayedIn(entry, inv)).map((inv) => inv.seq),
        attempts: entry.attempts,
        ...resultOf(op),
        ...(op.CallbackDetails?.CallbackId ? { callbackId: op.CallbackDetails.CallbackId } : {}),
        ...(entry.waitSeconds !== undefined ? { waitSeconds: entry.waitSeconds } : {}),
        ...(op.WaitDetails?.ScheduledEndTimestamp !== undefined ? { scheduledEndAt: op.WaitDetails.ScheduledEndTimestamp } : {}),
        ...(op.StepDetails?.NextAttemptTimestamp !== undefined && op.Status !== 'SUCCEEDED' && op.Status !== 'FAILED'
          ? { nextAttemptAt: op.StepDetails.NextAttemptTimestamp }
          : {}),
        ...(entry.skippedMs ? { skippedMs: entry.skippedMs } : {}),
      });
    }
    return {
      ...this.summary(),
      input: m.input,
      ...(m.result !== undefined ? { result: m.result } : {}),
      ...(m.error ? { error: m.error } : {}),
      executionTimeoutSeconds: m.executionTimeoutSeconds,
      retentionPeriodInDays: m.retentionPeriodInDays,
      operations,
      invocations: this.invocations.map(({ snapshotSeq: _s, updated: _u, ...inv }) => inv),
      events: this.events,
    };
  }

  /**
   * Whether an invocation replayed an operation: it was complete when the invocation started (and not
   * just completed by the host for it: that one the invocation sees for the first time), and no
   * completed ancestor context hid it.
   */
  private replayedIn(entry: OpEntry, inv: InvocationEntry): boolean {
    const op = entry.op;
    if (op.EndTimestamp === undefined || op.EndTimestamp > inv.startedAt || entry.endedIn === inv.seq || inv.updated.includes(op.Id)) return false;
    if (entry.startedIn !== undefined && entry.startedIn >= inv.seq) return false;
    let parentId = op.ParentId;
    while (parentId) {
      const parent = this.ops.get(parentId)?.op;
      if (!parent) break;
      if (parent.Type === 'CONTEXT' && parent.EndTimestamp !== undefined && parent.EndTimestamp <= inv.startedAt && !parent.ContextDetails?.ReplayChildren)
        return false;
      parentId = parent.ParentId;
    }
    return true;
  }

  // --- internals -------------------------------------------------------------------------------

  /** Bumps the change counter for an operation and returns a copy for the journal. */
  private put(entry: OpEntry, byHost: boolean): OpEntry {
    entry.seq = ++this.seq;
    if (byHost) entry.byHost = true;
    else delete entry.byHost;
    this.ops.set(entry.op.Id, entry);
    return structuredClone(entry);
  }

  private record(ops: OpEntry[], events: HistoryEvent[]): void {
    if (ops.length === 0 && events.length === 0) return;
    this.events.push(...events);
    this.journal.push({ k: 'ops', ops, events });
  }

  private event(type: string, op: Operation | undefined, now: number, details: Record<string, unknown>): HistoryEvent {
    return {
      EventType: type,
      EventId: this.nextEventId++,
      EventTimestamp: now,
      ...(op?.SubType ? { SubType: op.SubType } : {}),
      ...(op ? { Id: op.Id } : {}),
      ...(op?.Name ? { Name: op.Name } : {}),
      ...(op?.ParentId ? { ParentId: op.ParentId } : {}),
      ...details,
    };
  }
}

function resultOf(op: Operation): { result?: string; error?: ErrorObject } {
  const d = op.StepDetails ?? op.ContextDetails ?? op.CallbackDetails ?? op.ChainedInvokeDetails;
  if (!d) return {};
  if (op.Type === 'STEP' && op.Status !== 'SUCCEEDED' && op.Status !== 'FAILED') {
    return d.Error ? { error: d.Error } : {};
  }
  return { ...(d.Result !== undefined ? { result: d.Result } : {}), ...(d.Error ? { error: d.Error } : {}) };
}
