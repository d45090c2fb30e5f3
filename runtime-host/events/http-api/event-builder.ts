// Request → Lambda event, exactly as API Gateway builds them (lambda-behaviour §6): REST proxy payload 1.0,
// HTTP API payload 2.0 (and 1.0 when PayloadFormatVersion says so), and function URLs (2.0 with
// `$default`). Pure: everything variable (ids, time, trace id) comes in with the request.
import type { RouteMatch } from './routes';

export interface HttpRequestInput {
  /** Upper-case method. */
  method: string;
  /** Path as received (still percent-encoded), without the query string. */
  rawPath: string;
  /** Query string as received, without `?`. */
  rawQuery: string;
  /** Header name/value pairs in arrival order, names as the client spelled them. */
  rawHeaders: [string, string][];
  body: Buffer;
  sourceIp: string;
  /** The port the client connected to (for `X-Forwarded-Port`). */
  localPort: number;
  /** `X-Forwarded-Proto`: `http` locally, `https` in sample events (as on AWS). */
  forwardedProto: 'http' | 'https';
  requestId: string;
  /** REST `extendedRequestId` / HTTP API `requestContext.requestId` style id (`Lx3pKiQ2IAMEbPg=`). */
  extendedRequestId: string;
  /** `Root=1-…-…` */
  traceId: string;
  timeEpochMs: number;
}

export interface BuildContext {
  accountId: string;
  region: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's `requestTime` / `time`. */
export function apiGatewayTime(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/** `image/*`, `*\/*` and exact types, as REST `binaryMediaTypes` match. */
export function mediaTypeMatches(type: string | undefined, patterns: string[]): boolean {
  if (!type) return false;
  const [major, minor] = type.split('/');
  return patterns.some((p) => {
    const [pm, pn] = p.split('/');
    return (pm === '*' || pm === major) && (pn === '*' || pn === minor);
  });
}

/**
 * HTTP APIs and function URLs pass text bodies as they are and base64-encode everything else
 * (notably `application/x-www-form-urlencoded` and `multipart/form-data`, a well-known surprise).
 */
export function isTextMediaType(type: string | undefined): boolean {
  if (!type) return true;
  return (
    type.startsWith('text/') ||
    /^application\/(json|javascript|xml|x-javascript|ecmascript|graphql|ld\+json|yaml|x-yaml)$/.test(type) ||
    type.endsWith('+json') ||
    type.endsWith('+xml')
  );
}

function header(req: HttpRequestInput, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of req.rawHeaders) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Name/value pairs of a raw query string, decoded (`+` is a space, as API Gateway reads it). */
export function parseQuery(raw: string): [string, string][] {
  if (!raw) return [];
  const out: [string, string][] = [];
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    out.push([decodeQueryComponent(k), decodeQueryComponent(v)]);
  }
  return out;
}

function decodeQueryComponent(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

/** Headers API Gateway adds in front of the function. */
function withForwardingHeaders(req: HttpRequestInput): [string, string][] {
  const headers = [...req.rawHeaders];
  const has = (n: string) => headers.some(([k]) => k.toLowerCase() === n.toLowerCase());
  const forwardedFor = header(req, 'x-forwarded-for');
  const rest: [string, string][] = headers.filter(([k]) => k.toLowerCase() !== 'x-forwarded-for');
  rest.push(['X-Forwarded-For', forwardedFor ? `${forwardedFor}, ${req.sourceIp}` : req.sourceIp]);
  if (!has('x-forwarded-port')) rest.push(['X-Forwarded-Port', String(req.localPort)]);
  if (!has('x-forwarded-proto')) rest.push(['X-Forwarded-Proto', req.forwardedProto]);
  if (!has('x-amzn-trace-id')) rest.push(['X-Amzn-Trace-Id', req.traceId]);
  return rest;
}

function bodyFor(req: HttpRequestInput, base64: boolean): string {
  return base64 ? req.body.toString('base64') : req.body.toString('utf8');
}

function identity(req: HttpRequestInput) {
  return {
    cognitoIdentityPoolId: null,
    accountId: null,
    cognitoIdentityId: null,
    caller: null,
    sourceIp: req.sourceIp,
    principalOrgId: null,
    accessKey: null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: null,
    userAgent: header(req, 'user-agent') ?? null,
    user: null,
  };
}

/** Payload 1.0: REST proxy integration, or an HTTP API route with PayloadFormatVersion 1.0. */
export function buildV1Event(req: HttpRequestInput, match: RouteMatch, ctx: BuildContext): Record<string, unknown> {
  const { route } = match;
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [k, v] of withForwardingHeaders(req)) {
    // The last value wins in `headers`; every value is kept in `multiValueHeaders`.
    headers[k] = v;
    (multiValueHeaders[k] ??= []).push(v);
  }
  const query = parseQuery(req.rawQuery);
  let queryStringParameters: Record<string, string> | null = null;
  let multiValueQueryStringParameters: Record<string, string[]> | null = null;
  if (query.length) {
    queryStringParameters = {};
    multiValueQueryStringParameters = {};
    for (const [k, v] of query) {
      queryStringParameters[k] = v;
      (multiValueQueryStringParameters[k] ??= []).push(v);
    }
  }
  const type = mediaType(header(req, 'content-type'));
  const base64 = route.api === 'rest' ? mediaTypeMatches(type, route.binaryMediaTypes) : !isTextMediaType(type);
  const domainName = `${route.apiId}.execute-api.${ctx.region}.amazonaws.com`;
  const stagePath = route.stage === '$default' ? match.path : `/${route.stage}${match.path}`;
  const resource = route.path === '$default' ? match.path : route.path;
  const requestContext: Record<string, unknown> = {
    resourceId: route.path === '$default' ? '$default' : route.resourceId,
    resourcePath: resource,
    httpMethod: req.method,
    extendedRequestId: req.extendedRequestId,
    requestTime: apiGatewayTime(req.timeEpochMs),
    path: stagePath,
    accountId: ctx.accountId,
    protocol: 'HTTP/1.1',
    stage: route.stage,
    domainPrefix: route.apiId,
    requestTimeEpoch: req.timeEpochMs,
    requestId: req.requestId,
    identity: identity(req),
    domainName,
    apiId: route.apiId,
  };
  if (route.api === 'http') requestContext.routeKey = route.routeKey;
  const event: Record<string, unknown> = {};
  if (route.api === 'http') event.version = '1.0';
  Object.assign(event, {
    resource,
    path: match.path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters: match.pathParameters ?? null,
    stageVariables: route.stageVariables ?? null,
    requestContext,
    body: req.body.length ? bodyFor(req, base64) : null,
    isBase64Encoded: req.body.length ? base64 : false,
  });
  return event;
}

/** Payload 2.0: HTTP API routes and function URLs. */
export function buildV2Event(req: HttpRequestInput, match: RouteMatch, ctx: BuildContext): Record<string, unknown> {
  const { route } = match;
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [k, v] of withForwardingHeaders(req)) {
    const name = k.toLowerCase();
    if (name === 'cookie') {
      for (const c of v.split(';')) if (c.trim()) cookies.push(c.trim());
      continue;
    }
    headers[name] = headers[name] === undefined ? v : `${headers[name]},${v}`;
  }
  const query = parseQuery(req.rawQuery);
  const queryStringParameters: Record<string, string> = {};
  for (const [k, v] of query) queryStringParameters[k] = queryStringParameters[k] === undefined ? v : `${queryStringParameters[k]},${v}`;
  const base64 = !isTextMediaType(mediaType(headers['content-type']));
  const isUrl = route.api === 'url';
  const domainName = isUrl ? `${route.apiId}.lambda-url.${ctx.region}.on.aws` : `${route.apiId}.execute-api.${ctx.region}.amazonaws.com`;
  // For a named (non-$default) HTTP API stage the raw path keeps the stage prefix, as API Gateway sends it.
  const rawPath = isUrl || route.stage === '$default' ? match.path : `/${route.stage}${match.path}`;
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString: req.rawQuery,
  };
  if (cookies.length) event.cookies = cookies;
  event.headers = headers;
  if (query.length) event.queryStringParameters = queryStringParameters;
  event.requestContext = {
    accountId: isUrl ? 'anonymous' : ctx.accountId,
    apiId: route.apiId,
    domainName,
    domainPrefix: route.apiId,
    http: {
      method: req.method,
      path: rawPath,
      protocol: 'HTTP/1.1',
      sourceIp: req.sourceIp,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId: isUrl ? req.requestId : req.extendedRequestId,
    routeKey: route.routeKey,
    stage: route.stage,
    time: apiGatewayTime(req.timeEpochMs),
    timeEpoch: req.timeEpochMs,
  };
  if (match.pathParameters && !isUrl) event.pathParameters = match.pathParameters;
  if (req.body.length) event.body = bodyFor(req, base64);
  event.isBase64Encoded = req.body.length ? base64 : false;
  if (route.stageVariables && !isUrl) event.stageVariables = route.stageVariables;
  return event;
}

export function buildEvent(req: HttpRequestInput, match: RouteMatch, ctx: BuildContext): Record<string, unknown> {
  return match.route.payloadFormatVersion === '1.0' ? buildV1Event(req, match, ctx) : buildV2Event(req, match, ctx);
}
