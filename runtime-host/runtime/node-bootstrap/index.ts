// The Node.js runtime inside every Node execution environment: loads the handler (init), then
// pulls invocations from the Runtime API forever, behaving as Lambda's own Node runtime does.
// node: built-ins only: it runs with the user's code and must not bring anything along.
import { logError, patchConsole } from './console-patch';
import { UnhandledPromiseRejection } from './errors';
import { loadHandler, type UserHandler } from './handler-loader';
import { BeforeExitListener, buildCallbackContext, InvokeContext } from './invoke-context';
import { RuntimeApiClient } from './runtime-api-client';
import { defineAwsLambdaGlobal, invokeStreaming, isStreamingHandler, type ResponseStream } from './streaming';
import { installRequireHook, releaseCompiler } from './typescript';

interface ErrorCallbacks {
  uncaughtException: (error: unknown) => void;
  unhandledRejection: (error: unknown) => void;
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return !!value && typeof (value as { then?: unknown }).then === 'function';
}

function warnIfCallbackHandler(handler: UserHandler): void {
  const isAsync = handler.constructor?.name === 'AsyncFunction';
  if (process.env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined && handler.length === 3 && !isAsync) {
    console.warn(
      'AWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24. You will need to update this function to use an async handler to use Node.js 24 or later. For more information and to provide feedback on this change, see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.',
    );
  }
}

/** Debug environments (and only they) get the file the host keeps the debugger's pauses in. */
const DEBUGGING = process.env._LAMBDA_WORKBENCH_PAUSE_FILE !== undefined;

/**
 * The handler call in a debug environment, one frame deeper: the debugger skips this file's frames, and
 * VS Code folds two or more skipped frames in a row under "Show N More Stack Frames" where a lone one
 * (Runtime.handleOnce) would stay in the call stack under the handler. `this` is the runtime, as in Lambda.
 */
function callHandler(runtime: Runtime, handler: UserHandler, event: unknown, context: unknown, callback: unknown): unknown {
  return (handler as (this: Runtime, ...args: unknown[]) => unknown).call(runtime, event, context, callback);
}

class Runtime {
  constructor(
    private readonly client: RuntimeApiClient,
    private readonly handler: UserHandler,
    private readonly errorCallbacks: ErrorCallbacks,
  ) {}

  /** Next invocation at the start of the next loop turn, after whatever completed this one. */
  scheduleIteration(): void {
    setImmediate(() => {
      this.handleOnce().then(
        () => {},
        (err: unknown) => {
          console.log(`Unexpected Top Level Error: ${String(err)}`);
          this.errorCallbacks.uncaughtException(err);
        },
      );
    });
  }

  private async handleOnce(): Promise<void> {
    const { bodyJson, headers } = await this.client.nextInvocation();
    const invokeContext = new InvokeContext(headers);
    invokeContext.updateLoggingContext();
    const id = invokeContext.invokeId;
    if (isStreamingHandler(this.handler)) {
      this.setErrorCallbacks(id);
      BeforeExitListener.set(() => this.postNodeJsExit(id));
      const [, context] = buildCallbackContext(this.client, id, () => this.scheduleIteration());
      const handler = this.handler as unknown as (event: unknown, stream: ResponseStream, context: unknown) => unknown;
      await invokeStreaming(this.client, id, handler, JSON.parse(bodyJson), invokeContext.attachEnvironmentData(context), () => {
        BeforeExitListener.reset();
        this.scheduleIteration();
      });
      return;
    }
    const [callback, callbackContext, markCompleted] = buildCallbackContext(this.client, id, () => this.scheduleIteration());
    try {
      this.setErrorCallbacks(id);
      // Neither callback nor promise and the loop drained: the invocation succeeds with null.
      BeforeExitListener.set(() => {
        markCompleted();
        this.client.postInvocationResponse(null, id, { next: () => this.scheduleIteration() });
      });
      const event: unknown = JSON.parse(bodyJson);
      this.client.noteHandlerStart();
      const context = invokeContext.attachEnvironmentData(callbackContext);
      const result = DEBUGGING ? callHandler(this, this.handler, event, context, callback) : this.handler(event, context, callback);
      if (isPromise(result)) {
        BeforeExitListener.set(() => {
          markCompleted();
          this.postNodeJsExit(id);
        });
        Promise.resolve(result).then(callbackContext.succeed, callbackContext.fail).catch(callbackContext.fail);
      }
    } catch (err) {
      callback(err);
    }
  }

  /**
   * A promise that never settles cannot be waited for once the loop is empty: Lambda ends the
   * invocation with Runtime.NodeJsExit and the runtime process is gone (the next invoke is cold).
   */
  private postNodeJsExit(id: string): void {
    const message = `RequestId: ${id} Error: Runtime exited without providing a reason`;
    this.client.postInvocationError({ name: 'Runtime.NodeJsExit', message, stack: `Runtime.NodeJsExit: ${message}` }, id, { exit: 0 });
  }

  private setErrorCallbacks(id: string): void {
    this.errorCallbacks.uncaughtException = (error) => this.client.postInvocationError(error, id, { exit: 129 });
    this.errorCallbacks.unhandledRejection = (error) => this.client.postInvocationError(error, id, { exit: 128 });
  }
}

async function main(): Promise<void> {
  patchConsole();
  const client = new RuntimeApiClient(process.env.AWS_LAMBDA_RUNTIME_API ?? '');
  // During init a crash is an init error; once an invocation runs it becomes that invocation's error.
  const errorCallbacks: ErrorCallbacks = {
    uncaughtException: (error) => client.postInitError(error, 129),
    unhandledRejection: (error) => client.postInitError(error, 128),
  };
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    errorCallbacks.uncaughtException(error);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    errorCallbacks.unhandledRejection(error);
  });
  BeforeExitListener.reset();
  process.on('beforeExit', () => BeforeExitListener.invoke());
  installRequireHook();
  defineAwsLambdaGlobal();

  let handler: UserHandler;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), process.env._HANDLER ?? '');
  } catch (err) {
    logError('Uncaught Exception', err);
    errorCallbacks.uncaughtException(err);
    return;
  }
  releaseCompiler();
  if (!isStreamingHandler(handler)) warnIfCallbackHandler(handler);
  new Runtime(client, handler, errorCallbacks).scheduleIteration();
}

void main();
