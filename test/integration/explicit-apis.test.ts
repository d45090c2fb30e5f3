// APIs written out by hand are served as SAM's implicit ones are: API Gateway REST resources and methods,
// API Gateway v2 routes and integrations, an OpenAPI DefinitionBody — through real HTTP; what is not a
// Lambda proxy integration is named once at load instead of answering 403 "Missing Authentication Token".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { copyFixture, removeDir, startServe, type ServeProcess } from './serve-helpers';

let project: string;
let serve: ServeProcess;

before(async () => {
  project = copyFixture('explicit-api-project');
  serve = await startServe(['--root', project, '--http-port', '0']);
});

after(async () => {
  await serve?.stop();
  removeDir(project);
});

async function call(path: string, init: RequestInit = {}) {
  const res = await fetch(`${serve.ready.httpApi}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: (res.status === 200 ? JSON.parse(text) : text) as Record<string, unknown> };
}

describe('APIs written out by hand', () => {
  it('AWS::ApiGateway::Resource / Method with an AWS_PROXY integration, on its stage', async () => {
    const r = await call('/v1/items/42');
    assert.equal(r.status, 200, String(r.body));
    assert.deepEqual(r.body, { version: '1.0', path: '/items/42', resource: '/items/{id}', routeKey: null, stage: 'v1', id: '42' });
  });

  it("a method's AuthorizationType: AWS_IAM is enforced", async () => {
    assert.equal((await call('/v1/items', { method: 'POST', body: '{}' })).status, 403);
  });

  it('AWS::ApiGatewayV2::Route + Integration', async () => {
    const r = await call('/v2/items/7');
    assert.equal(r.status, 200, String(r.body));
    assert.deepEqual(r.body, { version: '2.0', path: '/v2/items/7', resource: null, routeKey: 'GET /v2/items/{id}', stage: '$default', id: '7' });
  });

  it('an OpenAPI DefinitionBody with x-amazon-apigateway-integration', async () => {
    const r = await call('/docs/openapi/items/9');
    assert.equal(r.status, 200, String(r.body));
    assert.equal(r.body.id, '9');
    assert.equal(r.body.stage, 'docs');
  });

  it('an integration that is not emulated is named once at load', () => {
    const lines = serve
      .stderr()
      .split('\n')
      .filter((l) => l.includes('LegacyItem'));
    assert.equal(lines.length, 1, serve.stderr());
    assert.match(lines[0]!, /PUT \/items uses a HTTP integration; only Lambda proxy \(AWS_PROXY\) integrations are served locally/);
  });
});
