// The HTTP routes a template declares (Api / HttpApi events, FunctionUrlConfig) and how a request
// finds one, as API Gateway does: the most specific path wins, a method beats ANY, a greedy
// `{proxy+}` comes last, and an HTTP API's `$default` route catches what nothing else matched.
//
// Decisions:
// - REST APIs are served with or without the stage prefix: `/Prod/users/1` and `/users/1` reach the
//   same route. The stage-stripped path is tried first so a greedy `/{proxy+}` never swallows the
//   stage; without a prefix, an HTTP API route on the same path wins over the REST one.
// - Function URLs are served under `/lambda-url/<FunctionName>/…` (or `/lambda-url/<url-id>/…`); the
//   function sees the rest of the path as its rawPath, exactly as it would at its own URL's root.
import { createHash } from 'node:crypto';
import type { FunctionInfo } from '../../protocol/functions';
import type { TemplateResource } from '../../host-context';
import { routeAuth, type RouteAuth } from './authorizers';
import { explicitApiRoutes } from './explicit-apis';
import { isRecord } from '../../util/values';

export type HttpApiKind = 'rest' | 'http' | 'url';
export type PayloadFormatVersion = '1.0' | '2.0';

/** CORS as API Gateway applies it, normalised from Api `Cors`, HttpApi `CorsConfiguration` and function URL `Cors`. */
export interface CorsConfig {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
  allowCredentials: boolean;
}

export interface HttpRoute {
  api: HttpApiKind;
  functionName: string;
  /** `GET`, `POST`, … or `ANY`. */
  method: string;
  /** The resource path as declared (`/users/{id}`, `/{proxy+}`), or `$default`. */
  path: string;
  /** `GET /users/{id}` for HTTP APIs, `$default` for the default route and function URLs. */
  routeKey: string;
  payloadFormatVersion: PayloadFormatVersion;
  /** Template logical id of the API (`ServerlessRestApi` / `ServerlessHttpApi` when implicit) or the function for URLs. */
  apiLogicalId: string;
  /** The id the event carries (10 lowercase characters derived from the logical id, or the 32-character URL id). */
  apiId: string;
  stage: string;
  stageVariables?: Record<string, string>;
  /** REST only: media types (`image/png`, `image/*`, `*\/*`) sent to and from the function as base64. */
  binaryMediaTypes: string[];
  cors?: CorsConfig;
  /** API Gateway's integration timeout: REST 29 s, HTTP API 30 s (TimeoutInMillis overrides). Undefined for URLs. */
  integrationTimeoutMs?: number;
  /** REST resource id (6 characters, stable per path). */
  resourceId: string;
  /** What API Gateway checks before the integration runs (an authorizer, AWS_IAM); none when absent. */
  auth?: RouteAuth;
}

export interface RouteMatch {
  route: HttpRoute;
  /** Decoded values, undefined when the route has none. */
  pathParameters?: Record<string, string>;
  /** The path the function sees: without the stage prefix (REST) or the URL prefix (function URLs). */
  path: string;
}

export type RouteLookup =
  | { kind: 'match'; match: RouteMatch }
  /** A CORS preflight the API answers itself. */
  | { kind: 'preflight'; route: HttpRoute; cors: CorsConfig; allowMethods: string[] }
  | { kind: 'none'; api: HttpApiKind };

export const FUNCTION_URL_PREFIX = '/lambda-url/';
const REST_INTEGRATION_TIMEOUT_MS = 29_000;
const HTTP_INTEGRATION_TIMEOUT_MS = 30_000;

function derivedId(seed: string, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const digest = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[digest[i % digest.length]! % alphabet.length];
  return out;
}

/** A stable fake id in API Gateway's format (10 lowercase alphanumerics). */
export function apiIdFor(logicalId: string): string {
  return derivedId(`api:${logicalId}`, 10);
}

/** A stable fake function URL id (32 lowercase alphanumerics), as in `<url-id>.lambda-url.<region>.on.aws`. */
export function functionUrlIdFor(functionName: string): string {
  return derivedId(`url:${functionName}`, 32);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** `Ref: X` or `!Ref X` in long form → `X`. */
function refName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isRecord(v) && typeof v.Ref === 'string') return v.Ref;
  return undefined;
}

/** REST `Cors` values are quoted strings (`"'*'"`), as SAM passes them to API Gateway's mock integration. */
function unquote(v: string): string {
  const t = v.trim();
  return t.length >= 2 && t.startsWith("'") && t.endsWith("'") ? t.slice(1, -1) : t;
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => str(x)).filter((x): x is string => x !== undefined);
  const s = str(v);
  return s === undefined ? [] : [s];
}

function restCors(v: unknown): CorsConfig | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (typeof v === 'string') {
    return { allowOrigins: [unquote(v)], allowMethods: [], allowHeaders: [], exposeHeaders: [], allowCredentials: false };
  }
  if (!isRecord(v)) return undefined;
  const split = (x: unknown) =>
    x === undefined
      ? []
      : unquote(String(x))
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  const maxAge = v.MaxAge === undefined ? undefined : Number(unquote(String(v.MaxAge)));
  return {
    allowOrigins: v.AllowOrigin === undefined ? [] : [unquote(String(v.AllowOrigin))],
    allowMethods: split(v.AllowMethods),
    allowHeaders: split(v.AllowHeaders),
    exposeHeaders: [],
    maxAgeSeconds: maxAge !== undefined && Number.isFinite(maxAge) ? maxAge : undefined,
    allowCredentials: v.AllowCredentials === true || v.AllowCredentials === 'true',
  };
}

/** HttpApi `CorsConfiguration` / function URL `Cors`: lists, or `true` meaning everything allowed. */
function listCors(v: unknown): CorsConfig | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (v === true) return { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], exposeHeaders: [], allowCredentials: false };
  if (!isRecord(v)) return undefined;
  const maxAge = v.MaxAge === undefined ? undefined : Number(v.MaxAge);
  return {
    allowOrigins: list(v.AllowOrigins),
    allowMethods: list(v.AllowMethods).map((m) => m.toUpperCase()),
    allowHeaders: list(v.AllowHeaders).map((h) => h.toLowerCase()),
    exposeHeaders: list(v.ExposeHeaders).map((h) => h.toLowerCase()),
    maxAgeSeconds: maxAge !== undefined && Number.isFinite(maxAge) ? maxAge : undefined,
    allowCredentials: v.AllowCredentials === true || v.AllowCredentials === 'true',
  };
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    const s = str(x);
    if (s !== undefined) out[k] = s;
  }
  return Object.keys(out).length ? out : undefined;
}

function normalisePath(p: string): string {
  let out = p.startsWith('/') ? p : `/${p}`;
  if (out.length > 1 && out.endsWith('/')) out = out.slice(0, -1);
  return out;
}

function resourceIdFor(apiLogicalId: string, path: string): string {
  return derivedId(`resource:${apiLogicalId}:${path}`, 6);
}

/**
 * Every route of every function. `resources` is the template's resolved resources (may be empty:
 * then the functions' parsed `events` are used with default API settings).
 */
export function routesFromTemplate(
  functions: FunctionInfo[],
  resources: Record<string, TemplateResource>,
  notEmulated: (message: string) => void = () => {},
): HttpRoute[] {
  const routes: HttpRoute[] = [];
  // APIs written out as API Gateway resources or OpenAPI, served like the ones SAM events declare.
  const explicit = explicitApiRoutes(functions, resources, {
    rest: (i) => ({
      ...restRoute(i.functionName, { Path: i.path, Method: i.method, RestApiId: { Ref: i.apiLogicalId } }, resources),
      stage: i.stage,
      ...(i.auth ? { auth: i.auth } : {}),
    }),
    http: (i) => ({
      ...httpRoute(i.functionName, { Path: i.path, Method: i.method, ApiId: { Ref: i.apiLogicalId }, PayloadFormatVersion: i.payloadFormatVersion }, resources),
      stage: i.stage,
      ...(i.auth ? { auth: i.auth } : {}),
    }),
  });
  explicit.notEmulated.forEach((m) => notEmulated(m));
  for (const fn of functions) {
    const resource = resources[fn.name];
    const templateEvents = isRecord(resource?.Properties?.Events) ? (resource!.Properties.Events as Record<string, unknown>) : undefined;
    const rawEvents: { type: string; props: Record<string, unknown> }[] = [];
    if (templateEvents) {
      for (const ev of Object.values(templateEvents)) {
        if (!isRecord(ev) || typeof ev.Type !== 'string') continue;
        rawEvents.push({ type: ev.Type, props: isRecord(ev.Properties) ? ev.Properties : {} });
      }
    } else {
      for (const ev of fn.events) {
        if (ev.type === 'Api') rawEvents.push({ type: 'Api', props: { Path: ev.path, Method: ev.method, RestApiId: ev.restApiId } });
        if (ev.type === 'HttpApi') rawEvents.push({ type: 'HttpApi', props: { Path: ev.path, Method: ev.method, ApiId: ev.apiId } });
      }
    }
    for (const { type, props } of rawEvents) {
      if (type === 'Api') routes.push(restRoute(fn.name, props, resources));
      else if (type === 'HttpApi') routes.push(httpRoute(fn.name, props, resources));
    }
    const urlConfig = resource?.Properties?.FunctionUrlConfig ?? lambdaUrlFor(fn.name, resources);
    const urlEvent = fn.events.find((e) => e.type === 'FunctionUrl');
    if (isRecord(urlConfig) || urlEvent) {
      routes.push({
        api: 'url',
        functionName: fn.name,
        method: 'ANY',
        path: '$default',
        routeKey: '$default',
        payloadFormatVersion: '2.0',
        apiLogicalId: fn.name,
        apiId: functionUrlIdFor(fn.name),
        stage: '$default',
        binaryMediaTypes: [],
        cors: isRecord(urlConfig) ? listCors(urlConfig.Cors) : undefined,
        resourceId: '$default',
        ...((isRecord(urlConfig) ? str(urlConfig.AuthType) : urlEvent?.type === 'FunctionUrl' ? urlEvent.authType : undefined) === 'AWS_IAM'
          ? { auth: { kind: 'iam' as const } }
          : {}),
      });
    }
  }
  routes.push(...explicit.routes);
  return routes;
}

/** A plain `AWS::Lambda::Url` resource whose TargetFunctionArn is this function (Ref, GetAtt or its name/ARN). */
function lambdaUrlFor(functionName: string, resources: Record<string, TemplateResource>): Record<string, unknown> | undefined {
  for (const res of Object.values(resources)) {
    if (res.Type !== 'AWS::Lambda::Url') continue;
    const t = res.Properties.TargetFunctionArn;
    const att = isRecord(t) ? t['Fn::GetAtt'] : undefined;
    const target =
      typeof t === 'string'
        ? t.replace(/^arn:[^:]+:lambda:[^:]*:[^:]*:function:/, '')
        : isRecord(t) && typeof t.Ref === 'string'
          ? t.Ref
          : Array.isArray(att)
            ? att[0]
            : undefined;
    if (target === functionName) return res.Properties;
  }
  return undefined;
}

function restRoute(functionName: string, props: Record<string, unknown>, resources: Record<string, TemplateResource>): HttpRoute {
  const apiLogicalId = refName(props.RestApiId) ?? 'ServerlessRestApi';
  const api = resources[apiLogicalId]?.Properties ?? {};
  const path = normalisePath(str(props.Path) ?? '/');
  const method = (str(props.Method) ?? 'ANY').toUpperCase();
  const timeout = Number(props.TimeoutInMillis);
  return {
    api: 'rest',
    functionName,
    method,
    path,
    routeKey: `${method} ${path}`,
    payloadFormatVersion: '1.0',
    apiLogicalId,
    apiId: apiIdFor(apiLogicalId),
    stage: str(api.StageName) ?? 'Prod',
    stageVariables: stringMap(api.Variables),
    // SAM templates write `/` as `~1` in media types (CloudFormation's JSON-pointer escaping).
    binaryMediaTypes: list(api.BinaryMediaTypes).map((t) => t.replace(/~1/g, '/').toLowerCase()),
    cors: restCors(api.Cors),
    integrationTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : REST_INTEGRATION_TIMEOUT_MS,
    resourceId: resourceIdFor(apiLogicalId, path),
    ...withAuth(routeAuth('rest', props.Auth, api.Auth)),
  };
}

function httpRoute(functionName: string, props: Record<string, unknown>, resources: Record<string, TemplateResource>): HttpRoute {
  const apiLogicalId = refName(props.ApiId) ?? 'ServerlessHttpApi';
  const api = resources[apiLogicalId]?.Properties ?? {};
  const rawPath = str(props.Path);
  const rawMethod = str(props.Method);
  // SAM: an HttpApi event without Path and Method is the API's `$default` route.
  const isDefault = (rawPath === undefined && rawMethod === undefined) || rawPath === '$default' || rawPath === '/$default';
  const method = isDefault ? 'ANY' : (rawMethod ?? 'ANY').toUpperCase();
  const path = isDefault ? '$default' : normalisePath(rawPath ?? '/');
  const version = str(props.PayloadFormatVersion) === '1.0' ? '1.0' : '2.0';
  const timeout = Number(props.TimeoutInMillis);
  return {
    api: 'http',
    functionName,
    method,
    path,
    routeKey: isDefault ? '$default' : `${method} ${path}`,
    payloadFormatVersion: version,
    apiLogicalId,
    apiId: apiIdFor(apiLogicalId),
    stage: str(api.StageName) ?? '$default',
    stageVariables: stringMap(api.StageVariables),
    binaryMediaTypes: [],
    cors: listCors(api.CorsConfiguration),
    integrationTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : HTTP_INTEGRATION_TIMEOUT_MS,
    resourceId: resourceIdFor(apiLogicalId, path),
    ...withAuth(routeAuth('http', props.Auth, api.Auth)),
  };
}

function withAuth(auth: RouteAuth | undefined): { auth?: RouteAuth } {
  return auth ? { auth } : {};
}

interface PathMatch {
  params?: Record<string, string>;
  /** Higher is more specific. */
  score: number;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Matches a request path (raw, without query) against a resource path template. */
export function matchPath(template: string, path: string): PathMatch | undefined {
  const t = template === '/' ? [] : template.slice(1).split('/');
  const p = path === '/' || path === '' ? [] : path.replace(/^\//, '').split('/');
  const params: Record<string, string> = {};
  let literal = 0;
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    const greedy = /^\{([^}]+)\+\}$/.exec(seg);
    if (greedy && i === t.length - 1) {
      const rest = p.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      params[greedy[1]!] = safeDecode(rest.join('/'));
      // Greedy matches rank below any non-greedy route with the same prefix.
      return { params, score: literal * 4 + i * 2 };
    }
    if (i >= p.length) return undefined;
    const param = /^\{([^}+]+)\}$/.exec(seg);
    if (param) {
      if (p[i] === '') return undefined;
      params[param[1]!] = safeDecode(p[i]!);
    } else if (seg !== p[i]) {
      return undefined;
    } else {
      literal++;
    }
  }
  if (p.length !== t.length) return undefined;
  return { params: Object.keys(params).length ? params : undefined, score: 1000 + literal * 4 + t.length * 2 };
}

function methodMatches(route: HttpRoute, method: string): boolean {
  return route.method === 'ANY' || route.method === method;
}

function best(routes: HttpRoute[], method: string, path: string): RouteMatch | undefined {
  let found: { m: RouteMatch; score: number } | undefined;
  for (const route of routes) {
    if (route.path === '$default' || !methodMatches(route, method)) continue;
    const pm = matchPath(route.path, path);
    if (!pm) continue;
    const score = pm.score * 2 + (route.method === 'ANY' ? 0 : 1);
    if (!found || score > found.score) found = { m: { route, pathParameters: pm.params, path }, score };
  }
  return found?.m;
}

function stripStage(path: string, stage: string): string | undefined {
  const prefix = `/${stage}`;
  if (path === prefix) return '/';
  if (path.startsWith(`${prefix}/`)) return path.slice(prefix.length);
  return undefined;
}

/** Finds the route for a request: function URLs by prefix, then REST and HTTP API routes, then `$default`. */
export function findRoute(routes: HttpRoute[], method: string, rawPath: string): RouteLookup {
  const path = rawPath === '' ? '/' : rawPath;
  if (path.startsWith(FUNCTION_URL_PREFIX)) {
    const rest = path.slice(FUNCTION_URL_PREFIX.length);
    const slash = rest.indexOf('/');
    const id = slash < 0 ? rest : rest.slice(0, slash);
    const inner = slash < 0 ? '/' : rest.slice(slash);
    const route = routes.find((r) => r.api === 'url' && (r.functionName === id || r.apiId === id));
    if (!route) return { kind: 'none', api: 'url' };
    const preflight = preflightFor(route, method);
    if (preflight) return preflight;
    return { kind: 'match', match: { route, path: inner } };
  }
  const apiRoutes = routes.filter((r) => r.api !== 'url');
  // Order: a path with a stage prefix; HTTP APIs at the root ($default stage); REST APIs without
  // their stage prefix (a local convenience); finally an HTTP API's `$default` route.
  const candidates: { routes: HttpRoute[]; path: string }[] = [];
  for (const stage of new Set(apiRoutes.map((r) => r.stage))) {
    if (stage === '$default') continue;
    const stripped = stripStage(path, stage);
    if (stripped !== undefined) candidates.push({ routes: apiRoutes.filter((r) => r.stage === stage), path: stripped });
  }
  candidates.push({ routes: apiRoutes.filter((r) => r.api === 'http' && r.stage === '$default'), path });
  candidates.push({ routes: apiRoutes.filter((r) => r.api === 'rest'), path });
  for (const c of candidates) {
    if (method === 'OPTIONS') {
      const pre = preflightAmong(c.routes, c.path);
      if (pre) return pre;
    }
    const m = best(c.routes, method, c.path);
    if (m) return { kind: 'match', match: m };
  }
  for (const c of candidates) {
    const def = c.routes.find((r) => r.path === '$default');
    if (def) {
      if (method === 'OPTIONS' && def.cors) return { kind: 'preflight', route: def, cors: def.cors, allowMethods: def.cors.allowMethods };
      return { kind: 'match', match: { route: def, path: c.path } };
    }
  }
  // Nothing matched: REST's 403 when the path named a REST stage or only REST APIs exist, else the HTTP API's 404.
  const restStage = apiRoutes.some((r) => r.api === 'rest' && stripStage(path, r.stage) !== undefined);
  const hasHttp = apiRoutes.some((r) => r.api === 'http');
  return { kind: 'none', api: restStage || !hasHttp ? 'rest' : 'http' };
}

function preflightFor(route: HttpRoute, method: string): RouteLookup | undefined {
  if (method !== 'OPTIONS' || !route.cors) return undefined;
  return { kind: 'preflight', route, cors: route.cors, allowMethods: route.cors.allowMethods };
}

/**
 * An OPTIONS request on a path of an API with CORS: SAM adds an OPTIONS mock integration to every
 * REST path (unless the template routes OPTIONS itself), and HTTP APIs answer preflights themselves.
 */
function preflightAmong(routes: HttpRoute[], path: string): RouteLookup | undefined {
  const explicit = routes.find((r) => r.method === 'OPTIONS' && matchPath(r.path, path));
  if (explicit) return undefined;
  let route: HttpRoute | undefined;
  let bestScore = -1;
  for (const r of routes) {
    if (r.path === '$default' || !r.cors) continue;
    const m = matchPath(r.path, path);
    if (m && m.score > bestScore) {
      route = r;
      bestScore = m.score;
    }
  }
  if (!route) return undefined;
  const onPath = routes.filter((r) => r.apiLogicalId === route!.apiLogicalId && r.path === route!.path);
  const cors = route.cors!;
  let allowMethods = cors.allowMethods;
  if (route.api === 'rest' && allowMethods.length === 0) {
    // SAM's default AllowMethods: the methods declared on that path, plus OPTIONS.
    const declared = new Set<string>();
    for (const r of onPath) {
      if (r.method === 'ANY') ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'].forEach((m) => declared.add(m));
      else declared.add(r.method);
    }
    declared.add('OPTIONS');
    allowMethods = [...declared].sort();
  }
  return { kind: 'preflight', route, cors, allowMethods };
}
