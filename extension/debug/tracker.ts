// Tells the host when a debugger stops or continues an environment, so its timeout clock stops while
// the function sits at a breakpoint (unless the user chose Lambda's plain wall-clock timeout).
import type * as vscode from 'vscode';
import type { WorkbenchContext } from '../context';

/** Marker in a child session's configuration: which environment it debugs. */
export interface ChildMarker {
  environmentId: string;
  functionName: string;
}

const RESUMING_REQUESTS = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto']);

/** The environment a session debugs: its own marker or an ancestor's (js-debug attaches a grandchild per target). */
export function environmentOf(session: vscode.DebugSession | undefined): ChildMarker | undefined {
  for (let s = session; s; s = s.parentSession) {
    const marker = s.configuration.__lambdaWorkbench as ChildMarker | undefined;
    if (marker && typeof marker.environmentId === 'string') return marker;
  }
  return undefined;
}

export class PauseReporter implements vscode.DebugAdapterTrackerFactory {
  /** environmentId → paused now, so repeated events do not double-report. */
  private readonly paused = new Map<string, boolean>();

  constructor(private readonly ctx: WorkbenchContext) {}

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker | undefined {
    const marker = environmentOf(session);
    if (!marker) return undefined;
    const { environmentId } = marker;
    const report = (paused: boolean): void => {
      if (this.ctx.config.wallClockTimeoutWhileDebugging) return;
      if ((this.paused.get(environmentId) ?? false) === paused) return;
      this.paused.set(environmentId, paused);
      this.ctx.log.debug(`debugger ${paused ? 'paused' : 'resumed'} environment ${environmentId}`);
      void this.ctx.host.request(paused ? 'debug.paused' : 'debug.resumed', { environmentId }).catch((err: unknown) => {
        this.ctx.log.warn(`could not report ${paused ? 'pause' : 'resume'} of ${environmentId}: ${err instanceof Error ? err.message : String(err)}`);
      });
    };
    return {
      onDidSendMessage: (m: { type?: string; event?: string }) => {
        if (m.type !== 'event') return;
        if (m.event === 'stopped') report(true);
        else if (m.event === 'continued') report(false);
      },
      onWillReceiveMessage: (m: { type?: string; command?: string }) => {
        if (m.type === 'request' && m.command && RESUMING_REQUESTS.has(m.command)) report(false);
      },
      onWillStopSession: () => report(false),
      onExit: () => report(false),
    };
  }
}
