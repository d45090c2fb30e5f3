// The pure parts of the local API Gateway: routes from a template, route lookup, request → event
// (golden files under test/fixtures/golden/http/) and result → response (lambda-behaviour §6, to the character).
// Regenerate the goldens with UPDATE_GOLDEN=1 and review the diff.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TemplateResource } from '../../runtime-host/host-context';
import type { FunctionInfo } from '../../runtime-host/protocol/functions';
import { apiGatewayTime, buildEvent, type HttpRequestInput } from '../../runtime-host/events/http-api/event-builder';
import {
  functionErrorResponse,
  gatewayResponses,
  integrationTimeoutResponse,
  mapResponse,
  preflightResponse,
  unknownRouteResponse,
  withCorsHeaders,
  type HttpResponseOut,
} from '../../runtime-host/events/http-api/response-mapper';
import { findRoute, functionUrlIdFor, matchPath, routesFromTemplate, type HttpRoute } from '../../runtime-host/events/http-api/routes';
import { assertGolden } from '../helpers/golden';

const GOLDEN = join(__dirname, '..', 'fixtures', 'golden', 'http');

function golden(name: string, actual: unknown): void {
  assertGolden(join(GOLDEN, `${name}.json`), actual);
}

function fn(name: string): FunctionInfo {
  return {
    name,
    handler: 'app.handler',
    codeUri: '/tmp',
    runtime: 'nodejs22.x',
    runtimeFamily: 'nodejs',
    supported: true,
    memorySizeMB: 128,
    timeoutSeconds: 3,
    architecture: 'x86_64',
    environment: {},
    events: [],
    origin: { kind: 'template', templatePath: '/tmp/template.yaml' },
  };
}

const resources: Record<string, TemplateResource> = {
  Api: {
    Type: 'AWS::Serverless::Api',
    Properties: {
      StageName: 'dev',
      BinaryMediaTypes: ['image~1png', 'application/octet-stream'],
      Variables: { color: 'blue' },
      Cors: { AllowOrigin: "'https://app.example.com'", AllowHeaders: "'content-type,x-api-key'", MaxAge: "'600'" },
    },
  },
  Http: {
    Type: 'AWS::Serverless::HttpApi',
    Properties: {
      CorsConfiguration: {
        AllowOrigins: ['https://web.example.com'],
        AllowMethods: ['GET', 'POST'],
        AllowHeaders: ['Content-Type'],
        ExposeHeaders: ['X-Total'],
        MaxAge: 300,
        AllowCredentials: true,
      },
    },
  },
  Users: {
    Type: 'AWS::Serverless::Function',
    Properties: {
      Events: {
        Get: { Type: 'Api', Properties: { RestApiId: { Ref: 'Api' }, Path: '/users/{id}', Method: 'get' } },
        Me: { Type: 'Api', Properties: { RestApiId: { Ref: 'Api' }, Path: '/users/me', Method: 'GET' } },
        Create: { Type: 'Api', Properties: { RestApiId: { Ref: 'Api' }, Path: '/users', Method: 'post', TimeoutInMillis: 1500 } },
      },
    },
  },
  Proxy: {
    Type: 'AWS::Serverless::Function',
    Properties: { Events: { All: { Type: 'Api', Properties: { RestApiId: { Ref: 'Api' }, Path: '/{proxy+}', Method: 'any' } } } },
  },
  Items: {
    Type: 'AWS::Serverless::Function',
    Properties: {
      Events: {
        Get: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Http' }, Path: '/items/{id}', Method: 'GET' } },
        Legacy: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Http' }, Path: '/legacy', Method: 'POST', PayloadFormatVersion: '1.0' } },
        Default: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Http' } } },
      },
    },
  },
  Hook: {
    Type: 'AWS::Serverless::Function',
    Properties: { FunctionUrlConfig: { AuthType: 'NONE', Cors: { AllowOrigins: ['*'], AllowMethods: ['*'] } } },
  },
};

const routes = routesFromTemplate(['Users', 'Proxy', 'Items', 'Hook'].map(fn), resources);

test('routes from the template: Api, HttpApi (payload versions, $default) and function URLs', () => {
  golden('routes', routes);
  assert.deepEqual(
    routes.map((r) => `${r.api} ${r.routeKey} ${r.functionName} v${r.payloadFormatVersion} ${r.stage} ${r.integrationTimeoutMs ?? '-'}`),
    [
      'rest GET /users/{id} Users v1.0 dev 29000',
      'rest GET /users/me Users v1.0 dev 29000',
      'rest POST /users Users v1.0 dev 1500',
      'rest ANY /{proxy+} Proxy v1.0 dev 29000',
      'http GET /items/{id} Items v2.0 $default 30000',
      'http POST /legacy Items v1.0 $default 30000',
      'http $default Items v2.0 $default 30000',
      'url $default Hook v2.0 $default -',
    ],
  );
  assert.deepEqual(routes[0]!.binaryMediaTypes, ['image/png', 'application/octet-stream']);
});

test('implicit APIs: ServerlessRestApi stage Prod, ServerlessHttpApi stage $default', () => {
  const r = routesFromTemplate([fn('F')], {
    F: {
      Type: 'AWS::Serverless::Function',
      Properties: {
        Events: { A: { Type: 'Api', Properties: { Path: '/a', Method: 'get' } }, H: { Type: 'HttpApi', Properties: { Path: '/h', Method: 'get' } } },
      },
    },
  });
  assert.deepEqual(
    r.map((x) => [x.apiLogicalId, x.stage]),
    [
      ['ServerlessRestApi', 'Prod'],
      ['ServerlessHttpApi', '$default'],
    ],
  );
});

test('a plain AWS::Lambda::Url resource gives its target function a URL with its Cors', () => {
  const r = routesFromTemplate([fn('Target'), fn('Other')], {
    Url: {
      Type: 'AWS::Lambda::Url',
      Properties: { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': ['Target', 'Arn'] }, Cors: { AllowOrigins: ['https://x.example'] } },
    },
  });
  assert.deepEqual(
    r.map((x) => [x.api, x.functionName, x.cors?.allowOrigins]),
    [['url', 'Target', ['https://x.example']]],
  );
});

test('path matching: params decoded, greedy needs at least one segment, literal beats param beats greedy', () => {
  assert.deepEqual(matchPath('/users/{id}', '/users/a%20b')?.params, { id: 'a b' });
  assert.equal(matchPath('/users/{id}', '/users'), undefined);
  assert.equal(matchPath('/users/{id}', '/users/1/x'), undefined);
  assert.deepEqual(matchPath('/{proxy+}', '/a/b/c')?.params, { proxy: 'a/b/c' });
  assert.equal(matchPath('/{proxy+}', '/'), undefined);
  assert.ok(matchPath('/users/me', '/users/me')!.score > matchPath('/users/{id}', '/users/me')!.score);
  assert.ok(matchPath('/users/{id}', '/users/me')!.score > matchPath('/{proxy+}', '/users/me')!.score);
});

function lookup(method: string, path: string): string {
  const l = findRoute(routes, method, path);
  if (l.kind === 'none') return `none ${l.api}`;
  if (l.kind === 'preflight') return `preflight ${l.route.api} ${l.allowMethods.join(',')}`;
  return `${l.match.route.functionName} ${l.match.route.routeKey} ${l.match.path} ${JSON.stringify(l.match.pathParameters ?? null)}`;
}

test('route lookup: stage prefix optional for REST, methods, ANY, $default, function URL prefix, preflight', () => {
  assert.equal(lookup('GET', '/users/me'), 'Users GET /users/me /users/me null');
  assert.equal(lookup('GET', '/dev/users/me'), 'Users GET /users/me /users/me null');
  assert.equal(lookup('GET', '/users/42'), 'Users GET /users/{id} /users/42 {"id":"42"}');
  assert.equal(lookup('DELETE', '/users/42'), 'Proxy ANY /{proxy+} /users/42 {"proxy":"users/42"}');
  assert.equal(lookup('GET', '/dev/a/b'), 'Proxy ANY /{proxy+} /a/b {"proxy":"a/b"}');
  assert.equal(lookup('GET', '/items/7'), 'Items GET /items/{id} /items/7 {"id":"7"}');
  // Nothing matched, HTTP API $default catches it (REST's greedy route never matches the root).
  assert.equal(lookup('GET', '/'), 'Items $default / null');
  assert.equal(lookup('GET', `/lambda-url/Hook/x/y`), 'Hook $default /x/y null');
  assert.equal(lookup('GET', `/lambda-url/${functionUrlIdFor('Hook')}`), 'Hook $default / null');
  assert.equal(lookup('GET', '/lambda-url/Nope/x'), 'none url');
  assert.equal(lookup('OPTIONS', '/dev/users/42'), 'preflight rest GET,OPTIONS');
  assert.equal(lookup('OPTIONS', '/dev/x/y'), 'preflight rest DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT');
  assert.equal(lookup('OPTIONS', '/items/1'), 'preflight http GET,POST');
  assert.equal(lookup('OPTIONS', '/lambda-url/Hook/'), 'preflight url *');
  const noDefault = routes.filter((r) => r.path !== '$default');
  assert.deepEqual(findRoute(noDefault, 'GET', '/dev/nothing'), {
    kind: 'match',
    match: { route: noDefault[3], path: '/nothing', pathParameters: { proxy: 'nothing' } },
  });
  assert.deepEqual(
    findRoute(
      noDefault.filter((r) => r.functionName !== 'Proxy'),
      'GET',
      '/dev/nothing',
    ),
    { kind: 'none', api: 'rest' },
  );
  assert.deepEqual(
    findRoute(
      noDefault.filter((r) => r.functionName !== 'Proxy'),
      'GET',
      '/nothing',
    ),
    { kind: 'none', api: 'http' },
  );
  const restOnly = routes.filter((r) => r.api === 'rest');
  assert.deepEqual(findRoute(restOnly, 'GET', '/'), { kind: 'none', api: 'rest' });
  const httpOnly = routes.filter((r) => r.api === 'http' && r.path !== '$default');
  assert.deepEqual(findRoute(httpOnly, 'GET', '/nothing'), { kind: 'none', api: 'http' });
  // REST default AllowMethods: the path's methods plus OPTIONS.
  const usersOnly = routes.filter((r) => r.functionName === 'Users');
  const pre = findRoute(usersOnly, 'OPTIONS', '/users/5');
  assert.equal(pre.kind === 'preflight' && pre.allowMethods.join(','), 'GET,OPTIONS');
});

const T0 = Date.UTC(2024, 2, 12, 19, 3, 58, 390);

function request(over: Partial<HttpRequestInput>): HttpRequestInput {
  return {
    method: 'GET',
    rawPath: '/',
    rawQuery: '',
    rawHeaders: [
      ['Host', '127.0.0.1:3000'],
      ['User-Agent', 'test-agent/1.0'],
    ],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    localPort: 3000,
    forwardedProto: 'http',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    extendedRequestId: 'BXn8TFpVIAMEbsQ=',
    traceId: 'Root=1-65f0a6ae-0123456789abcdef01234567',
    timeEpochMs: T0,
    ...over,
  };
}

function eventFor(req: HttpRequestInput) {
  const l = findRoute(routes, req.method, req.rawPath);
  assert.equal(l.kind, 'match');
  return buildEvent(req, (l as { kind: 'match'; match: Parameters<typeof buildEvent>[1] }).match, { accountId: '123456789012', region: 'us-east-1' });
}

test('apiGatewayTime formats requestTime as API Gateway does', () => {
  assert.equal(apiGatewayTime(T0), '12/Mar/2024:19:03:58 +0000');
});

test('REST payload 1.0: multi-value headers and query strings, stage path, path params (golden)', () => {
  golden(
    'rest-get',
    eventFor(
      request({
        rawPath: '/dev/users/42',
        rawQuery: 'tag=a&tag=b&q=hello+world&empty=',
        rawHeaders: [
          ['Host', '127.0.0.1:3000'],
          ['User-Agent', 'test-agent/1.0'],
          ['Accept', 'application/json'],
          ['X-Multi', 'one'],
          ['X-Multi', 'two'],
          ['Cookie', 'a=1; b=2'],
        ],
      }),
    ),
  );
});

test('REST payload 1.0: body is base64 only for binaryMediaTypes (golden)', () => {
  golden(
    'rest-post-binary',
    eventFor(
      request({ method: 'POST', rawPath: '/anything/here', rawHeaders: [['Content-Type', 'image/png']], body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff]) }),
    ),
  );
  const text = eventFor(
    request({ method: 'POST', rawPath: '/users', rawHeaders: [['Content-Type', 'application/json']], body: Buffer.from('{"name":"ann"}') }),
  );
  assert.equal(text.body, '{"name":"ann"}');
  assert.equal(text.isBase64Encoded, false);
});

test('HTTP API payload 2.0: lowercase headers, comma-joined repeats, cookies, $default (golden)', () => {
  golden(
    'http-v2-get',
    eventFor(
      request({
        rawPath: '/items/7',
        rawQuery: 'a=1&a=2&b=%C3%A4',
        rawHeaders: [
          ['Host', '127.0.0.1:3000'],
          ['User-Agent', 'test-agent/1.0'],
          ['X-Multi', 'one'],
          ['x-multi', 'two'],
          ['Cookie', 'session=abc; theme=dark'],
        ],
      }),
    ),
  );
  golden(
    'http-v2-default-form',
    eventFor(
      request({ method: 'PUT', rawPath: '/any/where', rawHeaders: [['Content-Type', 'application/x-www-form-urlencoded']], body: Buffer.from('x=1&y=2') }),
    ),
  );
});

test('HTTP API with PayloadFormatVersion 1.0 and function URLs (golden)', () => {
  golden('http-v1-post', eventFor(request({ method: 'POST', rawPath: '/legacy', rawHeaders: [['Content-Type', 'text/plain']], body: Buffer.from('hi') })));
  golden(
    'function-url',
    eventFor(
      request({
        method: 'POST',
        rawPath: '/lambda-url/Hook/hooks/github',
        rawQuery: 'x=1',
        rawHeaders: [['Content-Type', 'application/json']],
        body: Buffer.from('{}'),
      }),
    ),
  );
});

function show(r: HttpResponseOut) {
  return { statusCode: r.statusCode, headers: r.headers, body: r.body.toString('utf8') };
}

const v1 = (result: unknown, accept?: string) => show(mapResponse(result, 'rest', '1.0', { binaryMediaTypes: ['image/png'], accept }));
const v2 = (result: unknown) => show(mapResponse(result, 'http', '2.0', { binaryMediaTypes: [] }));

test('payload 1.0 responses: headers and multiValueHeaders merge; anything malformed is 502 on REST, 500 on HTTP API', () => {
  assert.deepEqual(v1({ statusCode: 201, headers: { 'X-A': '1', 'Set-Cookie': 'ignored' }, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] }, body: 'ok' }), {
    statusCode: 201,
    headers: [
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
      ['X-A', '1'],
      ['content-type', 'application/json'],
    ],
    body: 'ok',
  });
  const internal = {
    statusCode: 502,
    headers: [
      ['content-type', 'application/json'],
      ['x-amzn-ErrorType', 'InternalServerErrorException'],
    ],
    body: '{"message":"Internal server error"}',
  };
  for (const bad of [
    { statusCode: 200, extra: 1 },
    { body: 'x' },
    { statusCode: 'abc' },
    { statusCode: 200, body: { a: 1 } },
    { statusCode: 200, headers: { a: { b: 1 } } },
    'hello',
    null,
    42,
    [1],
  ]) {
    assert.deepEqual(v1(bad), internal, JSON.stringify(bad));
  }
  assert.deepEqual(show(mapResponse({ statusCode: 200, bad: true }, 'http', '1.0', { binaryMediaTypes: [] })), {
    statusCode: 500,
    headers: [['content-type', 'application/json']],
    body: '{"message":"Internal Server Error"}',
  });
  assert.equal(v1({ statusCode: 204 }).body, '');
});

test('payload 1.0 binary: REST decodes base64 only for binaryMediaTypes (response type or Accept), HTTP API always', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64');
  const decoded = mapResponse({ statusCode: 200, headers: { 'Content-Type': 'image/png' }, body: png, isBase64Encoded: true }, 'rest', '1.0', {
    binaryMediaTypes: ['image/png'],
  });
  assert.deepEqual([...decoded.body], [0x89, 0x50, 0x4e, 0x47]);
  const viaAccept = mapResponse({ statusCode: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: png, isBase64Encoded: true }, 'rest', '1.0', {
    binaryMediaTypes: ['image/png'],
    accept: 'image/png, */*',
  });
  assert.deepEqual([...viaAccept.body], [0x89, 0x50, 0x4e, 0x47]);
  assert.equal(v1({ statusCode: 200, headers: { 'Content-Type': 'application/pdf' }, body: png, isBase64Encoded: true }).body, png);
  const http = mapResponse({ statusCode: 200, body: png, isBase64Encoded: true }, 'http', '1.0', { binaryMediaTypes: [] });
  assert.deepEqual([...http.body], [0x89, 0x50, 0x4e, 0x47]);
});

test('payload 2.0 responses: statusCode objects, cookies → Set-Cookie, any other JSON → 200 application/json', () => {
  assert.deepEqual(v2({ statusCode: 302, headers: { location: '/x' }, cookies: ['a=1; Path=/', 'b=2'], body: '' }), {
    statusCode: 302,
    headers: [
      ['location', '/x'],
      ['set-cookie', 'a=1; Path=/'],
      ['set-cookie', 'b=2'],
      ['content-type', 'application/json'],
    ],
    body: '',
  });
  assert.deepEqual(v2('Hello'), { statusCode: 200, headers: [['content-type', 'application/json']], body: '"Hello"' });
  assert.deepEqual(v2({ message: 'hi' }), { statusCode: 200, headers: [['content-type', 'application/json']], body: '{"message":"hi"}' });
  assert.deepEqual(v2(null), { statusCode: 200, headers: [['content-type', 'application/json']], body: 'null' });
  assert.deepEqual(v2(7), { statusCode: 200, headers: [['content-type', 'application/json']], body: '7' });
  assert.deepEqual(v2({ statusCode: 200, body: 'aGk=', isBase64Encoded: true, headers: { 'content-type': 'text/plain' } }), {
    statusCode: 200,
    headers: [['content-type', 'text/plain']],
    body: 'hi',
  });
  assert.deepEqual(v2({ statusCode: 'nope' }), {
    statusCode: 500,
    headers: [['content-type', 'application/json']],
    body: '{"message":"Internal Server Error"}',
  });
  const url = show(mapResponse({ statusCode: 'nope' }, 'url', '2.0', { binaryMediaTypes: [] }));
  assert.deepEqual(url, { statusCode: 502, headers: [['content-type', 'text/plain; charset=utf-8']], body: 'Internal Server Error' });
});

test('gateway responses to the character: function error, integration timeout, unknown route', () => {
  golden('gateway-responses', {
    functionError: { rest: show(functionErrorResponse('rest')), http: show(functionErrorResponse('http')), url: show(functionErrorResponse('url')) },
    integrationTimeout: { rest: show(integrationTimeoutResponse('rest')), http: show(integrationTimeoutResponse('http')) },
    unknownRoute: { rest: show(unknownRouteResponse('rest')), http: show(unknownRouteResponse('http')), url: show(unknownRouteResponse('url')) },
    throttled: { rest: show(gatewayResponses.throttled('rest')), http: show(gatewayResponses.throttled('http')), url: show(gatewayResponses.throttled('url')) },
  });
  assert.equal(show(integrationTimeoutResponse('rest')).body, '{"message":"Endpoint request timed out"}');
  assert.equal(show(unknownRouteResponse('rest')).body, '{"message":"Missing Authentication Token"}');
  assert.equal(show(unknownRouteResponse('http')).body, '{"message":"Not Found"}');
});

test('CORS: REST preflight from the Api Cors; HTTP API preflight and response headers for allowed origins only', () => {
  const restPre = findRoute(routes, 'OPTIONS', '/users/1');
  assert.equal(restPre.kind, 'preflight');
  if (restPre.kind !== 'preflight') return;
  assert.deepEqual(show(preflightResponse('rest', restPre.cors, restPre.allowMethods, { origin: 'https://evil.example' })), {
    statusCode: 200,
    headers: [
      ['Access-Control-Allow-Origin', 'https://app.example.com'],
      ['Access-Control-Allow-Methods', 'GET,OPTIONS'],
      ['Access-Control-Allow-Headers', 'content-type,x-api-key'],
      ['Access-Control-Max-Age', '600'],
      ['content-type', 'application/json'],
    ],
    body: '',
  });
  const httpRoute = routes.find((r) => r.routeKey === 'GET /items/{id}') as HttpRoute;
  assert.deepEqual(show(preflightResponse('http', httpRoute.cors!, httpRoute.cors!.allowMethods, { origin: 'https://web.example.com' })), {
    statusCode: 204,
    headers: [
      ['access-control-allow-origin', 'https://web.example.com'],
      ['access-control-allow-methods', 'GET,POST'],
      ['access-control-allow-headers', 'content-type'],
      ['access-control-allow-credentials', 'true'],
      ['access-control-max-age', '300'],
    ],
    body: '',
  });
  assert.deepEqual(show(preflightResponse('http', httpRoute.cors!, ['GET'], { origin: 'https://other.example' })).headers, []);
  const out = withCorsHeaders(
    mapResponse({ statusCode: 200, body: 'x' }, 'http', '2.0', { binaryMediaTypes: [] }),
    'http',
    httpRoute.cors,
    'https://web.example.com',
  );
  assert.deepEqual(out.headers, [
    ['content-type', 'application/json'],
    ['access-control-allow-origin', 'https://web.example.com'],
    ['access-control-allow-credentials', 'true'],
    ['access-control-expose-headers', 'x-total'],
  ]);
  const restOut = withCorsHeaders(
    mapResponse({ statusCode: 200, body: 'x' }, 'rest', '1.0', { binaryMediaTypes: [] }),
    'rest',
    restPre.cors,
    'https://app.example.com',
  );
  assert.deepEqual(restOut.headers, [['content-type', 'application/json']]);
});
