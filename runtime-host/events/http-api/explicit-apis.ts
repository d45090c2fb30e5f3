// APIs written out by hand rather than through SAM events: `AWS::ApiGateway::RestApi` with its `Resource` and
// `Method` resources, `AWS::ApiGatewayV2::Api` with `Route` and `Integration`, and OpenAPI definitions
// (`DefinitionBody` / `Body`) with `x-amazon-apigateway-integration`. Lambda proxy integrations (`AWS_PROXY`)
// become routes served exactly like the implicit ones; anything else is named once at load by the caller.
import type { TemplateResource } from '../../host-context';
import type { FunctionInfo } from '../../protocol/functions';
import type { IdentitySource, RouteAuth } from './authorizers';
import type { HttpRoute } from './routes';

/** What routes.ts builds a route from; passed in so this module does not depend on its internals. */
export interface RouteFactory {
  rest(input: {
    functionName: string;
    apiLogicalId: string;
    method: string;
    path: string;
    stage: string;
    auth?: RouteAuth;
    api: Record<string, unknown>;
  }): HttpRoute;
  http(input: {
    functionName: string;
    apiLogicalId: string;
    method: string;
    path: string;
    stage: string;
    payloadFormatVersion: '1.0' | '2.0';
    auth?: RouteAuth;
    api: Record<string, unknown>;
  }): HttpRoute;
}

export interface ExplicitApis {
  routes: HttpRoute[];
  /** Integrations and settings that are not served locally, to report once at load. */
  notEmulated: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** The logical id behind `{Ref: X}` / `{"Fn::GetAtt": [X, …]}`, or a plain string. */
function target(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (!isRecord(v)) return undefined;
  if (typeof v.Ref === 'string') return v.Ref;
  const att = v['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
}

/** The first `{Ref: X}` anywhere inside a value (`!Join ['/', [integrations, !Ref X]]`). */
function innerRef(v: unknown): string | undefined {
  if (isRecord(v)) {
    if (typeof v.Ref === 'string') return v.Ref;
    for (const x of Object.values(v)) {
      const r = innerRef(x);
      if (r) return r;
    }
  }
  if (Array.isArray(v))
    for (const x of v) {
      const r = innerRef(x);
      if (r) return r;
    }
  return undefined;
}

/** The function an integration URI (`arn:aws:apigateway:…:lambda:path/…/functions/<function ARN>/invocations`) or a plain ARN names. */
function functionOf(uri: unknown, functions: FunctionInfo[]): string | undefined {
  const name = typeof uri === 'string' ? /:function:([^:/]+)/.exec(uri)?.[1] : target(uri);
  if (!name) return undefined;
  return functions.find((f) => f.name === name || f.functionName === name)?.name;
}

function stageOf(apiId: string, resources: Record<string, TemplateResource>, stageType: string, fallback: string): string {
  for (const res of Object.values(resources)) {
    if (res.Type === stageType && target(res.Properties.RestApiId ?? res.Properties.ApiId) === apiId) return str(res.Properties.StageName) ?? fallback;
  }
  for (const res of Object.values(resources)) {
    if (res.Type === 'AWS::ApiGateway::Deployment' && target(res.Properties.RestApiId) === apiId && str(res.Properties.StageName))
      return str(res.Properties.StageName)!;
  }
  return fallback;
}

function identitySources(v: unknown): IdentitySource[] {
  const texts = Array.isArray(v) ? v.map(str) : (str(v) ?? '').split(',');
  return texts
    .map((t) => /(?:^|\.)(header|querystring)\.(.+)$/.exec((t ?? '').trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ from: m[1] === 'header' ? ('header' as const) : ('query' as const), name: m[2]! }));
}

/** `AuthorizationType` + `AuthorizerId` of a REST method or an HTTP API route. */
function explicitAuth(kind: 'rest' | 'http', props: Record<string, unknown>, resources: Record<string, TemplateResource>): RouteAuth | undefined {
  const type = str(props.AuthorizationType) ?? 'NONE';
  if (type === 'NONE') return undefined;
  if (type === 'AWS_IAM') return { kind: 'iam' };
  const id = target(props.AuthorizerId);
  const def = id ? resources[id]?.Properties : undefined;
  if (!id || !def) return { kind: 'unsupported', name: id ?? type, reason: `authorizer ${id ?? '(none)'} is not in the template` };
  const authorizerType = str(def.Type) ?? str(def.AuthorizerType);
  if (authorizerType === 'COGNITO_USER_POOLS')
    return { kind: 'unsupported', name: id, reason: `${id} is a Cognito user pool authorizer, which is not emulated locally` };
  if (authorizerType === 'JWT') {
    const jwt = isRecord(def.JwtConfiguration) ? def.JwtConfiguration : {};
    const audience = Array.isArray(jwt.Audience) ? jwt.Audience.map(str).filter((a): a is string => a !== undefined) : [];
    const scopes = Array.isArray(props.AuthorizationScopes) ? props.AuthorizationScopes.map(str).filter((s): s is string => s !== undefined) : [];
    return {
      kind: 'jwt',
      name: id,
      ...(str(jwt.Issuer) !== undefined ? { issuer: str(jwt.Issuer)! } : {}),
      audience,
      identitySource: identitySources(def.IdentitySource)[0] ?? { from: 'header', name: 'Authorization' },
      scopes,
    };
  }
  const ttl = Number(def.AuthorizerResultTtlInSeconds ?? (kind === 'rest' ? 300 : 0));
  return {
    kind: 'lambda',
    name: id,
    functionRef: str(def.AuthorizerUri)?.match(/functions\/(.+)\/invocations/)?.[1] ?? target(def.AuthorizerUri) ?? '',
    type: kind === 'rest' && authorizerType === 'TOKEN' ? 'TOKEN' : 'REQUEST',
    identitySources: identitySources(def.IdentitySource),
    ...(str(def.IdentityValidationExpression) !== undefined ? { validationExpression: str(def.IdentityValidationExpression)! } : {}),
    ttlSeconds: Number.isFinite(ttl) ? ttl : 0,
    payloadFormatVersion: str(def.AuthorizerPayloadFormatVersion) === '1.0' ? '1.0' : '2.0',
    simpleResponses: def.EnableSimpleResponses === true,
  };
}

/** A REST resource's path: its parents' path parts up to the API's root. */
function restPath(resourceId: unknown, resources: Record<string, TemplateResource>, seen = new Set<string>()): string | undefined {
  if (isRecord(resourceId) && Array.isArray(resourceId['Fn::GetAtt']) && resourceId['Fn::GetAtt'][1] === 'RootResourceId') return '';
  const id = target(resourceId);
  const res = id ? resources[id] : undefined;
  if (!id || !res || res.Type !== 'AWS::ApiGateway::Resource' || seen.has(id)) return undefined;
  seen.add(id);
  const parent = restPath(res.Properties.ParentId, resources, seen);
  const part = str(res.Properties.PathPart);
  return parent === undefined || part === undefined ? undefined : `${parent}/${part}`;
}

const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'x-amazon-apigateway-any-method'];

/** Routes of an OpenAPI definition whose operations have a Lambda proxy `x-amazon-apigateway-integration`. */
function openApiRoutes(
  apiLogicalId: string,
  kind: 'rest' | 'http',
  body: Record<string, unknown>,
  api: Record<string, unknown>,
  stage: string,
  functions: FunctionInfo[],
  make: RouteFactory,
  notEmulated: string[],
): HttpRoute[] {
  const out: HttpRoute[] = [];
  const paths = isRecord(body.paths) ? body.paths : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isRecord(item)) continue;
    for (const [verb, op] of Object.entries(item)) {
      if (!OPENAPI_METHODS.includes(verb.toLowerCase()) || !isRecord(op)) continue;
      const integration = isRecord(op['x-amazon-apigateway-integration']) ? op['x-amazon-apigateway-integration'] : undefined;
      const method = verb === 'x-amazon-apigateway-any-method' ? 'ANY' : verb.toUpperCase();
      if (!integration || str(integration.type)?.toLowerCase() !== 'aws_proxy') {
        notEmulated.push(
          `${apiLogicalId}: ${method} ${path} has no Lambda proxy integration (x-amazon-apigateway-integration type aws_proxy), so it is not served`,
        );
        continue;
      }
      const functionName = functionOf(integration.uri, functions);
      if (!functionName) {
        notEmulated.push(`${apiLogicalId}: ${method} ${path} integrates a function that is not in the template`);
        continue;
      }
      if (kind === 'rest') out.push(make.rest({ functionName, apiLogicalId, method, path, stage, api }));
      else
        out.push(
          make.http({
            functionName,
            apiLogicalId,
            method,
            path,
            stage,
            payloadFormatVersion: str(integration.payloadFormatVersion) === '1.0' ? '1.0' : '2.0',
            api,
          }),
        );
    }
  }
  return out;
}

export function explicitApiRoutes(functions: FunctionInfo[], resources: Record<string, TemplateResource>, make: RouteFactory): ExplicitApis {
  const routes: HttpRoute[] = [];
  const notEmulated: string[] = [];
  for (const [id, res] of Object.entries(resources)) {
    const props = res.Properties;
    if (res.Type === 'AWS::ApiGateway::Method') {
      const apiId = target(props.RestApiId);
      const integration = isRecord(props.Integration) ? props.Integration : {};
      const path = restPath(props.ResourceId, resources);
      const method = (str(props.HttpMethod) ?? 'ANY').toUpperCase();
      if (!apiId || path === undefined) {
        notEmulated.push(`${id}: the method's API or resource path cannot be worked out from the template, so it is not served`);
        continue;
      }
      if (method === 'OPTIONS' && str(integration.Type) === 'MOCK') continue;
      if (str(integration.Type) !== 'AWS_PROXY') {
        notEmulated.push(
          `${id}: ${method} ${path || '/'} uses a ${str(integration.Type) ?? 'missing'} integration; only Lambda proxy (AWS_PROXY) integrations are served locally`,
        );
        continue;
      }
      const functionName = functionOf(integration.Uri, functions);
      if (!functionName) {
        notEmulated.push(`${id}: ${method} ${path || '/'} integrates a function that is not in the template`);
        continue;
      }
      const auth = explicitAuth('rest', props, resources);
      routes.push(
        make.rest({
          functionName,
          apiLogicalId: apiId,
          method,
          path: path || '/',
          stage: stageOf(apiId, resources, 'AWS::ApiGateway::Stage', 'Prod'),
          ...(auth ? { auth } : {}),
          api: resources[apiId]?.Properties ?? {},
        }),
      );
    } else if (res.Type === 'AWS::ApiGatewayV2::Route') {
      const apiId = target(props.ApiId);
      const routeKey = str(props.RouteKey) ?? '';
      const integrationId = innerRef(props.Target) ?? str(props.Target)?.replace(/^integrations\//, '');
      const integration = integrationId ? resources[integrationId]?.Properties : undefined;
      if (!apiId || !integration) {
        notEmulated.push(`${id}: route ${routeKey} has no integration in the template, so it is not served`);
        continue;
      }
      if (str(integration.IntegrationType) !== 'AWS_PROXY') {
        notEmulated.push(
          `${id}: route ${routeKey} uses a ${str(integration.IntegrationType) ?? 'missing'} integration; only Lambda proxy (AWS_PROXY) integrations are served locally`,
        );
        continue;
      }
      const functionName = functionOf(integration.IntegrationUri, functions);
      if (!functionName) {
        notEmulated.push(`${id}: route ${routeKey} integrates a function that is not in the template`);
        continue;
      }
      const [method, path] = routeKey === '$default' ? ['ANY', '$default'] : (routeKey.split(' ', 2) as [string, string]);
      const auth = explicitAuth('http', props, resources);
      routes.push(
        make.http({
          functionName,
          apiLogicalId: apiId,
          method: method.toUpperCase(),
          path,
          stage: stageOf(apiId, resources, 'AWS::ApiGatewayV2::Stage', '$default'),
          payloadFormatVersion: str(integration.PayloadFormatVersion) === '1.0' ? '1.0' : '2.0',
          ...(auth ? { auth } : {}),
          api: resources[apiId]?.Properties ?? {},
        }),
      );
    } else if (res.Type === 'AWS::Serverless::Api' || res.Type === 'AWS::ApiGateway::RestApi') {
      const body = props.DefinitionBody ?? props.Body;
      if (isRecord(body))
        routes.push(
          ...openApiRoutes(
            id,
            'rest',
            body,
            props,
            str(props.StageName) ?? stageOf(id, resources, 'AWS::ApiGateway::Stage', 'Prod'),
            functions,
            make,
            notEmulated,
          ),
        );
      else if (props.DefinitionUri !== undefined || props.BodyS3Location !== undefined)
        notEmulated.push(`${id}: an OpenAPI definition in a separate file (DefinitionUri / BodyS3Location) is not read; inline it as DefinitionBody`);
    } else if (res.Type === 'AWS::Serverless::HttpApi' || (res.Type === 'AWS::ApiGatewayV2::Api' && str(props.ProtocolType) !== 'WEBSOCKET')) {
      const body = props.DefinitionBody ?? props.Body;
      if (isRecord(body)) routes.push(...openApiRoutes(id, 'http', body, props, str(props.StageName) ?? '$default', functions, make, notEmulated));
      const quick = functionOf(props.Target, functions);
      if (res.Type === 'AWS::ApiGatewayV2::Api' && quick)
        routes.push(
          make.http({ functionName: quick, apiLogicalId: id, method: 'ANY', path: '$default', stage: '$default', payloadFormatVersion: '2.0', api: props }),
        );
    }
  }
  return { routes, notEmulated };
}
