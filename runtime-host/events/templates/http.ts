// API Gateway REST (payload 1.0), HTTP API (2.0) and function URL sample events, built by the same
// code that builds the local HTTP server's events, from a request described by the params.
import { buildV1Event, buildV2Event, type HttpRequestInput } from '../http-api/event-builder';
import { apiIdFor, functionUrlIdFor, matchPath, type HttpRoute } from '../http-api/routes';
import { base64Id, hex, uuid } from './ids';
import { advancedParam, param, type EventTemplate } from './types';

const region = advancedParam('region', 'us-east-1', 'AWS Region of the API');
const accountId = advancedParam('accountId', '123456789012', 'AWS account id');

/**
 * A request as a client would send it, from `method`, `path`, `query`, `body`, `contentType`, `cookies`
 * and `sourceIp`; shared with the events a function's own routes produce (events/trigger-events.ts).
 */
export function sampleHttpRequest(p: Record<string, string>, host: string): HttpRequestInput {
  const method = p.method!.toUpperCase();
  const path = p.path!.startsWith('/') ? p.path! : `/${p.path}`;
  const headers: [string, string][] = [
    ['Host', host],
    ['User-Agent', 'curl/8.5.0'],
    ['Accept', '*/*'],
  ];
  if (p.body) {
    headers.push(['Content-Type', p.contentType!]);
    headers.push(['Content-Length', String(Buffer.byteLength(p.body))]);
  }
  if (p.cookies) headers.push(['Cookie', p.cookies]);
  return {
    method,
    rawPath: path,
    rawQuery: p.query!.replace(/^\?/, ''),
    rawHeaders: headers,
    body: Buffer.from(p.body ?? '', 'utf8'),
    sourceIp: p.sourceIp!,
    localPort: 443,
    forwardedProto: 'https',
    requestId: uuid(),
    extendedRequestId: `${base64Id(10).replace(/[+/=]/g, 'A').slice(0, 14)}=`,
    traceId: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${hex(24)}`,
    timeEpochMs: Date.now(),
  };
}

function route(api: HttpRoute['api'], p: Record<string, string>, resource: string, routeKey: string, stage: string): HttpRoute {
  const apiId = api === 'url' ? functionUrlIdFor('example') : apiIdFor(`sample-${api}`);
  return {
    api,
    functionName: 'example',
    method: p.method!.toUpperCase(),
    path: resource,
    routeKey,
    payloadFormatVersion: api === 'rest' ? '1.0' : '2.0',
    apiLogicalId: 'example',
    apiId,
    stage,
    binaryMediaTypes: [],
    resourceId: hex(6),
  };
}

const common = [
  param('method', 'GET', 'HTTP method'),
  param('path', '/hello', 'request path'),
  param('query', '', 'raw query string, e.g. `a=1&a=2&b=x`'),
  param('body', '', 'request body (text)'),
  param('contentType', 'application/json', 'Content-Type of the body'),
  advancedParam('sourceIp', '203.0.113.10', 'client IP address'),
];

export const httpTemplates: EventTemplate[] = [
  {
    name: 'apigateway-rest',
    source: 'API Gateway',
    description: 'API Gateway REST API proxy integration (payload 1.0)',
    params: [...common, param('resource', '/{proxy+}', 'the matched resource path'), param('stage', 'Prod', 'stage name'), region, accountId],
    generate: (p) => {
      const r = route('rest', p, p.resource!, `${p.method!.toUpperCase()} ${p.resource}`, p.stage!);
      const req = sampleHttpRequest(p, `${r.apiId}.execute-api.${p.region}.amazonaws.com`);
      const pm = matchPath(p.resource!, req.rawPath);
      return buildV1Event(req, { route: r, path: req.rawPath, pathParameters: pm?.params }, { accountId: p.accountId!, region: p.region! });
    },
  },
  {
    name: 'http-api',
    source: 'API Gateway',
    description: 'API Gateway HTTP API (payload 2.0)',
    params: [
      ...common,
      param('cookies', '', 'Cookie header, e.g. `a=1; b=2` (becomes cookies[])'),
      param('routeKey', '$default', 'matched route, e.g. `GET /items/{id}` or `$default`'),
      region,
      accountId,
    ],
    generate: (p) => {
      const resource = p.routeKey === '$default' ? '$default' : p.routeKey!.replace(/^\S+\s+/, '');
      const r = route('http', p, resource, p.routeKey!, '$default');
      const req = sampleHttpRequest(p, `${r.apiId}.execute-api.${p.region}.amazonaws.com`);
      const pm = resource === '$default' ? undefined : matchPath(resource, req.rawPath);
      return buildV2Event(req, { route: r, path: req.rawPath, pathParameters: pm?.params }, { accountId: p.accountId!, region: p.region! });
    },
  },
  {
    name: 'function-url',
    source: 'Lambda',
    description: 'Lambda function URL request (payload 2.0, routeKey and stage $default)',
    params: [...common, param('cookies', '', 'Cookie header, e.g. `a=1; b=2` (becomes cookies[])'), region],
    generate: (p) => {
      const r = route('url', p, '$default', '$default', '$default');
      const req = sampleHttpRequest(p, `${r.apiId}.lambda-url.${p.region}.on.aws`);
      return buildV2Event(req, { route: r, path: req.rawPath }, { accountId: 'anonymous', region: p.region! });
    },
  },
];
