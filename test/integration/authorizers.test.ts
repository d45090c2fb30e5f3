// API Gateway authorizers through real HTTP against a real `serve`: Lambda authorizers (REST TOKEN with
// result caching, REST REQUEST, HTTP API simple responses), JWT authorizers with a real RS256 signature
// checked against a local JWKS, AWS_IAM routes and function URLs — answered as API Gateway answers.
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ListInvocationsResult } from '../../runtime-host/protocol/methods';
import { copyFixture, removeDir, RpcClient, startServe, type ServeProcess } from './serve-helpers';

const ISSUER = 'https://issuer.local/';
let project: string;
let serve: ServeProcess;
let rpc: RpcClient;
let base: string;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function jwt(claims: Record<string, unknown>, key = privateKey): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = enc({ alg: 'RS256', kid: 'k1', typ: 'JWT' });
  const body = enc(claims);
  const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key).toString('base64url');
  return `${head}.${body}.${signature}`;
}

const now = () => Math.floor(Date.now() / 1000);

before(async () => {
  project = copyFixture('auth-project');
  const jwks = join(project, 'jwks.json');
  writeFileSync(jwks, JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' }] }));
  serve = await startServe(['--root', project, '--http-port', '0', '--jwks', `${ISSUER}=${jwks}`]);
  rpc = await RpcClient.connect(serve.ready.ws, serve.ready.token);
  base = serve.ready.httpApi!;
});

after(async () => {
  rpc?.close();
  await serve?.stop();
  removeDir(project);
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: body as Record<string, any>, headers: res.headers };
}

describe('REST API Lambda authorizers', () => {
  it('no token → 401 Unauthorized, without calling the function', async () => {
    assert.deepEqual(await get('/Prod/secure').then((r) => [r.status, r.body]), [401, { message: 'Unauthorized' }]);
  });

  it('an Allow policy lets the request through with the context and principalId in requestContext.authorizer; the result is cached', async () => {
    const first = await get('/Prod/secure', { Authorization: 'allow' });
    assert.equal(first.status, 200);
    assert.equal(first.body.authorizer.principalId, 'alice');
    assert.equal(first.body.authorizer.tier, 'gold');
    const second = await get('/Prod/secure', { Authorization: 'allow' });
    assert.equal(second.body.authorizer.calls, first.body.authorizer.calls, 'the second request used the cached policy');
  });

  it('an explicit Deny → 403, an authorizer failing with "Unauthorized" → 401', async () => {
    assert.deepEqual(await get('/Prod/secure', { Authorization: 'deny' }).then((r) => [r.status, r.body]), [
      403,
      { Message: 'User is not authorized to access this resource with an explicit deny' },
    ]);
    assert.equal((await get('/Prod/secure', { Authorization: 'nope' })).status, 401);
  });

  it('Auth: NONE opens a route; a REQUEST authorizer reads its identity from the query string', async () => {
    assert.equal((await get('/Prod/open')).status, 200);
    assert.equal((await get('/Prod/query')).status, 401);
    assert.equal((await get('/Prod/query?key=wrong')).status, 403);
    const ok = await get('/Prod/query?key=k1');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.authorizer.via, 'query');
  });

  it("the authorizer's invocation is a child record of the request, beside the function's", async () => {
    await get('/Prod/query?key=k1');
    const page = await rpc.request<ListInvocationsResult>('listInvocations', { limit: 50 });
    const parent = page.records.find((r) => r.kind === 'http-request' && (r.event as { path?: string }).path === '/Prod/query');
    assert.ok(parent, 'an http-request record');
    const children = await rpc.request<ListInvocationsResult>('listInvocations', { parentId: parent.id });
    assert.deepEqual(children.records.map((r) => r.functionName).sort(), ['Echo', 'QueryAuthFn']);
  });

  it('AWS_IAM: 403 Missing Authentication Token without a SigV4 signature, through with one', async () => {
    assert.deepEqual(await get('/Prod/iam').then((r) => [r.status, r.body]), [403, { message: 'Missing Authentication Token' }]);
    const signed = await get('/Prod/iam', {
      Authorization: 'AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261202/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00',
    });
    assert.equal(signed.status, 200);
  });
});

describe('HTTP API authorizers', () => {
  it('JWT: no token → 401; a valid RS256 token → 200 with its claims in requestContext.authorizer.jwt', async () => {
    assert.equal((await get('/hello')).status, 401);
    const token = jwt({ iss: ISSUER, aud: 'orders-app', sub: 'u-1', exp: now() + 600, scope: 'read' });
    const ok = await get('/hello', { Authorization: `Bearer ${token}` });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.authorizer.jwt.claims.sub, 'u-1');
    assert.deepEqual(ok.body.authorizer.jwt.scopes, ['read']);
  });

  it('JWT: expired, wrong audience, wrong issuer or a bad signature → 401 with www-authenticate', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    for (const token of [
      jwt({ iss: ISSUER, aud: 'orders-app', exp: now() - 10 }),
      jwt({ iss: ISSUER, aud: 'someone-else', exp: now() + 600 }),
      jwt({ iss: 'https://evil.example/', aud: 'orders-app', exp: now() + 600 }),
      jwt({ iss: ISSUER, aud: 'orders-app', exp: now() + 600 }, other),
    ]) {
      const r = await get('/hello', { Authorization: `Bearer ${token}` });
      assert.equal(r.status, 401);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_token"/);
    }
  });

  it('JWT: a route that needs a scope the token lacks → 403', async () => {
    const reader = jwt({ iss: ISSUER, aud: 'orders-app', exp: now() + 600, scope: 'read' });
    assert.deepEqual(await get('/admin', { Authorization: reader }).then((r) => [r.status, r.body]), [403, { message: 'Forbidden' }]);
    const admin = jwt({ iss: ISSUER, aud: 'orders-app', exp: now() + 600, scope: 'read admin' });
    assert.equal((await get('/admin', { Authorization: admin })).status, 200);
  });

  it('a Lambda authorizer with simple responses: 401 without the header, 403 when not authorized, its context under authorizer.lambda', async () => {
    assert.equal((await get('/keyed')).status, 401);
    assert.deepEqual(await get('/keyed', { 'x-api-key': 'wrong' }).then((r) => [r.status, r.body]), [403, { message: 'Forbidden' }]);
    const ok = await get('/keyed', { 'x-api-key': 'secret' });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.authorizer.lambda, { plan: 'pro', route: 'GET/keyed' });
  });
});

describe('function URLs with AuthType AWS_IAM', () => {
  it('403 without a signature', async () => {
    assert.deepEqual(await get('/lambda-url/Echo/').then((r) => [r.status, r.body]), [403, { Message: 'Forbidden' }]);
  });
});
