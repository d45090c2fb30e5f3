// Every palette command, registered in one place. Each is a small function taking the context; what
// it returns is the command's result (tests and other commands use it).
import * as vscode from 'vscode';
import type { WorkbenchContext } from '../context';
import type { DebugLauncher } from '../debug/launcher';
import type { EventTestController } from '../event-tests';
import type { FunctionsView } from '../functions-view';
import type { InvocationsPanel } from '../panel';
import type { ResultsView } from '../results';
import { pickSampleEvent, saveEventAs } from './events';
import { openPanel, restartHost, setMemoryAndTimeout, setNodePath, setPythonPath } from './host';
import { debugFunction, type InvokeOptions, invokeFunction, invokeWithEvent } from './invoke';
import { newFunction } from './new-function';
import { tuneMemory, type TuneOptions } from './tune';
import { fireSchedule, publishToSns, putObject, putRecordsToStream, sendMessageToQueue, startHttpApi, stopHttpApi, toggleSchedules } from './sources';
import { deleteItem, putItem } from '../tables';

export interface CommandDeps {
  panel: InvocationsPanel;
  debug: DebugLauncher;
  functionsView: FunctionsView;
  results: ResultsView;
  eventTests: EventTestController;
}

/** Command ids as contributed in package.json (the suite checks both lists agree). */
export const COMMAND_IDS = [
  'lambdaWorkbench.invokeFunction',
  'lambdaWorkbench.debugFunction',
  'lambdaWorkbench.invokeWithEvent',
  'lambdaWorkbench.pickEvent',
  'lambdaWorkbench.saveEventAs',
  'lambdaWorkbench.openPanel',
  'lambdaWorkbench.startHttpApi',
  'lambdaWorkbench.stopHttpApi',
  'lambdaWorkbench.putObject',
  'lambdaWorkbench.publishSns',
  'lambdaWorkbench.putRecords',
  'lambdaWorkbench.sendMessage',
  'lambdaWorkbench.fireSchedule',
  'lambdaWorkbench.toggleSchedules',
  'lambdaWorkbench.setMemoryAndTimeout',
  'lambdaWorkbench.restartHost',
  'lambdaWorkbench.setNodePath',
  'lambdaWorkbench.setPythonPath',
  'lambdaWorkbench.refreshFunctions',
  'lambdaWorkbench.tuneMemory',
  'lambdaWorkbench.putItem',
  'lambdaWorkbench.deleteItem',
  'lambdaWorkbench.showResult',
  'lambdaWorkbench.newFunction',
  'lambdaWorkbench.acceptExpected',
] as const;

type CommandId = (typeof COMMAND_IDS)[number];

export function registerCommands(ctx: WorkbenchContext, deps: CommandDeps): vscode.Disposable[] {
  const table: Record<CommandId, (...args: unknown[]) => unknown> = {
    'lambdaWorkbench.invokeFunction': (arg, options) => invokeFunction(ctx, arg, (options ?? {}) as InvokeOptions),
    'lambdaWorkbench.debugFunction': (arg, options) => debugFunction(ctx, deps.debug, arg, (options ?? {}) as InvokeOptions),
    'lambdaWorkbench.invokeWithEvent': (arg) => invokeWithEvent(ctx, arg),
    'lambdaWorkbench.pickEvent': (arg) => pickSampleEvent(ctx, arg),
    'lambdaWorkbench.saveEventAs': (arg) => saveEventAs(ctx, arg),
    'lambdaWorkbench.openPanel': (arg) => openPanel(deps.panel, arg),
    'lambdaWorkbench.startHttpApi': () => startHttpApi(ctx),
    'lambdaWorkbench.stopHttpApi': () => stopHttpApi(ctx),
    'lambdaWorkbench.putObject': (arg) => putObject(ctx, arg as Parameters<typeof putObject>[1]),
    'lambdaWorkbench.publishSns': (arg) => publishToSns(ctx, arg as Parameters<typeof publishToSns>[1]),
    'lambdaWorkbench.putRecords': (arg) => putRecordsToStream(ctx, arg as Parameters<typeof putRecordsToStream>[1]),
    'lambdaWorkbench.sendMessage': async (arg) => {
      const messageId = await sendMessageToQueue(ctx, arg as Parameters<typeof sendMessageToQueue>[1]);
      // A queue no function polls changes no invocation, so the view's depth would not update by itself.
      deps.functionsView.refresh();
      return messageId;
    },
    'lambdaWorkbench.fireSchedule': async (arg) => {
      const recordId = await fireSchedule(ctx, arg as Parameters<typeof fireSchedule>[1]);
      // A rate's next fire time moves on.
      deps.functionsView.refresh();
      return recordId;
    },
    'lambdaWorkbench.toggleSchedules': async () => {
      const enabled = await toggleSchedules(ctx);
      deps.functionsView.refresh();
      return enabled;
    },
    'lambdaWorkbench.setMemoryAndTimeout': (arg, values) => setMemoryAndTimeout(ctx, arg, values as Parameters<typeof setMemoryAndTimeout>[2]),
    'lambdaWorkbench.restartHost': () => restartHost(ctx),
    'lambdaWorkbench.setNodePath': () => setNodePath(ctx),
    'lambdaWorkbench.tuneMemory': (arg, options) => tuneMemory(ctx, deps.panel, arg, (options ?? {}) as TuneOptions),
    'lambdaWorkbench.setPythonPath': (arg) => setPythonPath(ctx, arg),
    'lambdaWorkbench.putItem': async (arg) => {
      const put = await putItem(ctx, arg as Parameters<typeof putItem>[1]);
      if (put) deps.functionsView.refresh();
      return put;
    },
    'lambdaWorkbench.deleteItem': async (arg) => {
      const deleted = await deleteItem(ctx, arg as Parameters<typeof deleteItem>[1]);
      if (deleted) deps.functionsView.refresh();
      return deleted;
    },
    'lambdaWorkbench.showResult': (arg) => deps.results.showResult(arg),
    'lambdaWorkbench.refreshFunctions': async () => {
      await ctx.refreshFunctions();
      deps.functionsView.refresh();
      return true;
    },
    'lambdaWorkbench.newFunction': (arg) => newFunction(ctx, arg),
    'lambdaWorkbench.acceptExpected': (arg) => deps.eventTests.acceptExpected(arg),
  };
  return COMMAND_IDS.map((id) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await table[id](...args);
      } catch (err) {
        ctx.showError(err);
        return undefined;
      }
    }),
  );
}
