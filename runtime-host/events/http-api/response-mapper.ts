// Function result → HTTP response, exactly as API Gateway and function URLs map them (lambda-behaviour §6),
// plus the responses the gateway makes itself (errors, timeouts, unknown routes, CORS).
import { mediaTypeMatches } from './event-builder';
import type { CorsConfig, HttpApiKind, PayloadFormatVersion } from './routes';
import { isRecord } from '../../util/values';

export interface HttpResponseOut {
  statusCode: number;
  /** Name/value pairs; a name may repeat (Set-Cookie, multiValueHeaders). */
  headers: [string, string][];
  body: Buffer;
}

function json(statusCode: number, value: unknown, extra: [string, string][] = []): HttpResponseOut {
  return { statusCode, headers: [['content-type', 'application/json'], ...extra], body: Buffer.from(JSON.stringify(value)) };
}

/** The gateway's own error bodies, to the character. */
export const gatewayResponses = {
  restInternalError: () => json(502, { message: 'Internal server error' }, [['x-amzn-ErrorType', 'InternalServerErrorException']]),
  httpInternalError: () => json(500, { message: 'Internal Server Error' }),
  /** Function URLs answer a failed or malformed invocation with 502 and a plain-text body. */
  urlInternalError: (): HttpResponseOut => ({
    statusCode: 502,
    headers: [['content-type', 'text/plain; charset=utf-8']],
    body: Buffer.from('Internal Server Error'),
  }),
  restTimeout: () => json(504, { message: 'Endpoint request timed out' }, [['x-amzn-ErrorType', 'InternalServerErrorException']]),
  httpTimeout: () => json(503, { message: 'Service Unavailable' }),
  restMissingToken: () => json(403, { message: 'Missing Authentication Token' }, [['x-amzn-ErrorType', 'MissingAuthenticationTokenException']]),
  httpNotFound: () => json(404, { message: 'Not Found' }),
  urlNotFound: () => json(403, { Message: 'Forbidden' }, [['x-amzn-ErrorType', 'AccessDeniedException']]),
  /**
   * Lambda's 429 (TooManyRequestsException) is an integration failure to API Gateway: REST answers
   * 500 (not its usual 502), HTTP APIs 500; a function URL passes the 429 on.
   */
  throttled: (api: HttpApiKind) =>
    api === 'rest'
      ? json(500, { message: 'Internal server error' }, [['x-amzn-ErrorType', 'InternalServerErrorException']])
      : api === 'http'
        ? json(500, { message: 'Internal Server Error' })
        : json(429, { message: 'Too Many Requests' }, [['x-amzn-ErrorType', 'TooManyRequestsException']]),
};

/** The response for a function error (incl. the function's own timeout, crash or OOM). */
export function functionErrorResponse(api: HttpApiKind): HttpResponseOut {
  return api === 'rest' ? gatewayResponses.restInternalError() : api === 'http' ? gatewayResponses.httpInternalError() : gatewayResponses.urlInternalError();
}

/** The response when the integration timeout passes before the function answers. */
export function integrationTimeoutResponse(api: HttpApiKind): HttpResponseOut {
  return api === 'rest' ? gatewayResponses.restTimeout() : gatewayResponses.httpTimeout();
}

export function unknownRouteResponse(api: HttpApiKind): HttpResponseOut {
  return api === 'rest' ? gatewayResponses.restMissingToken() : api === 'http' ? gatewayResponses.httpNotFound() : gatewayResponses.urlNotFound();
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function validStatus(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

const V1_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

export interface V1MappingOptions {
  api: 'rest' | 'http';
  /** REST `binaryMediaTypes` (normalised). */
  binaryMediaTypes: string[];
  /** The request's Accept header: REST also converts when its first media type is binary. */
  accept?: string;
}

/**
 * Payload 1.0: `{statusCode, headers, multiValueHeaders, body, isBase64Encoded}` and nothing else.
 * Anything malformed is the gateway's internal error (REST 502, HTTP API 500).
 */
export function mapV1Response(result: unknown, options: V1MappingOptions): HttpResponseOut {
  const malformed = () => (options.api === 'rest' ? gatewayResponses.restInternalError() : gatewayResponses.httpInternalError());
  if (!isRecord(result)) return malformed();
  if (Object.keys(result).some((k) => !V1_KEYS.has(k))) return malformed();
  const statusCode = validStatus(result.statusCode);
  if (statusCode === undefined) return malformed();
  const headers: [string, string][] = [];
  const seen = new Set<string>();
  if (result.multiValueHeaders !== undefined && result.multiValueHeaders !== null) {
    if (!isRecord(result.multiValueHeaders)) return malformed();
    for (const [k, values] of Object.entries(result.multiValueHeaders)) {
      if (!Array.isArray(values)) return malformed();
      for (const v of values) {
        const s = scalar(v);
        if (s === undefined) return malformed();
        headers.push([k, s]);
      }
      seen.add(k.toLowerCase());
    }
  }
  if (result.headers !== undefined && result.headers !== null) {
    if (!isRecord(result.headers)) return malformed();
    for (const [k, v] of Object.entries(result.headers)) {
      const s = scalar(v);
      if (s === undefined) return malformed();
      // headers and multiValueHeaders merge; a name present in both keeps the multi-value list.
      if (!seen.has(k.toLowerCase())) headers.push([k, s]);
    }
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') return malformed();
  if (result.isBase64Encoded !== undefined && result.isBase64Encoded !== null && typeof result.isBase64Encoded !== 'boolean') return malformed();
  const body = (result.body as string | undefined | null) ?? '';
  let bytes = Buffer.from(body, 'utf8');
  if (result.isBase64Encoded === true) {
    if (options.api === 'http') {
      bytes = Buffer.from(body, 'base64');
    } else {
      const contentType = headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
      const responseType = contentType?.split(';')[0]?.trim().toLowerCase();
      const acceptType = options.accept?.split(',')[0]?.split(';')[0]?.trim().toLowerCase();
      // REST converts to binary only when the media type is one of the API's binaryMediaTypes;
      // otherwise the client receives the base64 text as it is.
      if (mediaTypeMatches(responseType, options.binaryMediaTypes) || mediaTypeMatches(acceptType, options.binaryMediaTypes)) {
        bytes = Buffer.from(body, 'base64');
      }
    }
  }
  if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['content-type', 'application/json']);
  return { statusCode, headers, body: bytes };
}

/**
 * Payload 2.0 and function URLs: an object with `statusCode` is a response; any other JSON value
 * is the body of a 200 `application/json` response (returning `"Hello"` sends `"Hello"` with quotes).
 */
export function mapV2Response(result: unknown, api: 'http' | 'url'): HttpResponseOut {
  const malformed = () => (api === 'http' ? gatewayResponses.httpInternalError() : gatewayResponses.urlInternalError());
  if (!isRecord(result) || !('statusCode' in result)) {
    const text = JSON.stringify(result === undefined ? null : result);
    return { statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.from(text) };
  }
  const statusCode = validStatus(result.statusCode);
  if (statusCode === undefined) return malformed();
  const headers: [string, string][] = [];
  if (result.headers !== undefined && result.headers !== null) {
    if (!isRecord(result.headers)) return malformed();
    for (const [k, v] of Object.entries(result.headers)) {
      const s = scalar(v);
      if (s === undefined) return malformed();
      headers.push([k, s]);
    }
  }
  if (result.cookies !== undefined && result.cookies !== null) {
    if (!Array.isArray(result.cookies)) return malformed();
    for (const c of result.cookies) {
      const s = scalar(c);
      if (s === undefined) return malformed();
      headers.push(['set-cookie', s]);
    }
  }
  let body: Buffer;
  if (result.body === undefined || result.body === null) body = Buffer.alloc(0);
  else if (typeof result.body === 'string') body = result.isBase64Encoded === true ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  else return malformed();
  if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['content-type', 'application/json']);
  return { statusCode, headers, body };
}

export function mapResponse(
  result: unknown,
  api: HttpApiKind,
  version: PayloadFormatVersion,
  options: { binaryMediaTypes: string[]; accept?: string },
): HttpResponseOut {
  if (api === 'url') return mapV2Response(result, 'url');
  if (api === 'rest' || version === '1.0') return mapV1Response(result, { api, ...options });
  return mapV2Response(result, 'http');
}

function originAllowed(cors: CorsConfig, origin: string | undefined): string | undefined {
  if (cors.allowOrigins.includes('*')) return cors.allowCredentials && origin ? origin : '*';
  if (origin && cors.allowOrigins.includes(origin)) return origin;
  return undefined;
}

/**
 * The preflight answer. REST (SAM's OPTIONS mock integration) replies 200 with the configured
 * headers whatever the Origin; HTTP APIs and function URLs reply 204 and add the headers only for
 * an allowed origin.
 */
export function preflightResponse(
  api: HttpApiKind,
  cors: CorsConfig,
  allowMethods: string[],
  request: { origin?: string; requestHeaders?: string },
): HttpResponseOut {
  const headers: [string, string][] = [];
  if (api === 'rest') {
    if (cors.allowOrigins[0] !== undefined) headers.push(['Access-Control-Allow-Origin', cors.allowOrigins[0]]);
    if (allowMethods.length) headers.push(['Access-Control-Allow-Methods', allowMethods.join(',')]);
    if (cors.allowHeaders.length) headers.push(['Access-Control-Allow-Headers', cors.allowHeaders.join(',')]);
    if (cors.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
    if (cors.maxAgeSeconds !== undefined) headers.push(['Access-Control-Max-Age', String(cors.maxAgeSeconds)]);
    headers.push(['content-type', 'application/json']);
    return { statusCode: 200, headers, body: Buffer.alloc(0) };
  }
  const origin = originAllowed(cors, request.origin);
  if (origin !== undefined) {
    headers.push(['access-control-allow-origin', origin]);
    const methods = allowMethods.includes('*') ? ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] : allowMethods;
    if (methods.length) headers.push(['access-control-allow-methods', methods.join(',')]);
    const allowHeaders = cors.allowHeaders.includes('*') ? request.requestHeaders?.toLowerCase() : cors.allowHeaders.join(',');
    if (allowHeaders) headers.push(['access-control-allow-headers', allowHeaders]);
    if (cors.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
    if (cors.maxAgeSeconds !== undefined) headers.push(['access-control-max-age', String(cors.maxAgeSeconds)]);
  }
  return { statusCode: 204, headers, body: Buffer.alloc(0) };
}

/** HTTP APIs and function URLs add CORS headers to every response for an allowed origin (REST leaves it to the function). */
export function withCorsHeaders(response: HttpResponseOut, api: HttpApiKind, cors: CorsConfig | undefined, origin: string | undefined): HttpResponseOut {
  if (api === 'rest' || !cors || !origin) return response;
  const allowed = originAllowed(cors, origin);
  if (allowed === undefined) return response;
  const headers = response.headers.filter(([k]) => !k.toLowerCase().startsWith('access-control-'));
  headers.push(['access-control-allow-origin', allowed]);
  if (cors.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
  if (cors.exposeHeaders.length) headers.push(['access-control-expose-headers', cors.exposeHeaders.join(',')]);
  return { ...response, headers };
}
