// Response streaming (`awslambda.streamifyResponse`): Lambda's runtime defines the `awslambda` global
// for it. The host has no streaming transport, so the stream is buffered and sent as one response
// when the handler is done; an `HttpResponseStream` prelude (status, headers, cookies) becomes the
// equivalent HTTP-integration response object, which API Gateway and function URLs map the same way.
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { logError } from './console-patch';
import type { RuntimeApiClient } from './runtime-api-client';

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const STREAM_RESPONSE = 'response';
const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

interface Prelude {
  statusCode?: number;
  headers?: Record<string, string>;
  cookies?: string[];
}

export class ResponseStream extends Writable {
  readonly chunks: Buffer[] = [];
  contentType = 'application/octet-stream';
  prelude: Prelude | undefined;

  override _write(chunk: unknown, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (typeof chunk === 'string') this.chunks.push(Buffer.from(chunk, encoding));
    else if (Buffer.isBuffer(chunk) || chunk instanceof Uint8Array) this.chunks.push(Buffer.from(chunk));
    else this.chunks.push(Buffer.from(JSON.stringify(chunk)));
    callback();
  }

  setContentType(contentType: string): void {
    this.contentType = contentType;
  }
}

class HttpResponseStream {
  static from(stream: ResponseStream, prelude: Prelude): ResponseStream {
    stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    stream.prelude = prelude;
    return stream;
  }
}

export function defineAwsLambdaGlobal(): void {
  if (process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA === '1' || process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA === 'true') return;
  (globalThis as Record<string, unknown>).awslambda = {
    streamifyResponse: <T extends object>(handler: T): T => {
      (handler as Record<symbol, unknown>)[HANDLER_STREAMING] = STREAM_RESPONSE;
      return handler;
    },
    HttpResponseStream,
  };
}

export function isStreamingHandler(handler: object): boolean {
  return (handler as Record<symbol, unknown>)[HANDLER_STREAMING] === STREAM_RESPONSE;
}

/** The buffered body as the runtime posts it: the HTTP-integration object, or the bytes (JSON text or a string). */
function bufferedResponse(stream: ResponseStream): unknown {
  const body = Buffer.concat(stream.chunks);
  if (stream.prelude) {
    const text = body.toString('utf8');
    const binary = !Buffer.from(text, 'utf8').equals(body);
    return {
      statusCode: stream.prelude.statusCode ?? 200,
      headers: stream.prelude.headers ?? {},
      ...(stream.prelude.cookies ? { cookies: stream.prelude.cookies } : {}),
      body: binary ? body.toString('base64') : text,
      isBase64Encoded: binary,
    };
  }
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Runs one invocation of a streaming handler; `done` schedules the next. */
export async function invokeStreaming(
  client: RuntimeApiClient,
  id: string,
  handler: (event: unknown, stream: ResponseStream, context: unknown) => unknown,
  event: unknown,
  context: unknown,
  done: () => void,
): Promise<void> {
  const stream = new ResponseStream();
  const next = { next: done };
  const fail = (err: unknown) => {
    logError('Invoke Error', err);
    client.postInvocationError(err, id, next);
  };
  try {
    const result = handler(event, stream, context);
    if (!result || typeof (result as { then?: unknown }).then !== 'function') {
      fail('Streaming does not support non-async handlers.');
      return;
    }
    const value = await result;
    if (value !== undefined) console.warn('Streaming handlers ignore return values.');
    if (stream.writableEnded && !stream.writableFinished) await finished(stream);
    if (!stream.writableFinished) {
      fail('Response stream is not finished.');
      return;
    }
    client.postInvocationResponse(bufferedResponse(stream), id, next);
  } catch (err) {
    fail(err);
  }
}
