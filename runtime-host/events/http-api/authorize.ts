// The gateway's authorization step for one request: runs the route's Lambda authorizer (its invocation a
// record of its own, child of the request), checks a JWT or a SigV4 signature, and answers as API Gateway
// does when it says no — or gives what the function's `requestContext.authorizer` carries.
import type { HostContext } from '../../host-context';
import type { InvocationRecord } from '../../protocol/records';
import { AuthorizerCache, checkJwt, hasSigV4, identityValues, policyDecision, simpleDecision, type AuthDecision, type RouteAuth } from './authorizers';
import type { HttpResponseOut } from './response-mapper';
import type { HttpRoute } from './routes';

export interface AuthorizationOptions {
  /** JWKS file per JWT issuer, to check token signatures with (`serve --jwks ISSUER=FILE`). */
  jwks?: Record<string, string>;
  /** Accept JWTs without checking their signature (`serve --skip-jwt-signature`); records say it was skipped. */
  skipJwtSignature?: boolean;
  /** false: AWS_IAM routes and function URLs do not require a SigV4 signature (`serve --iam-auth off`). */
  iamAuth?: boolean;
}

export interface AuthorizationRequest {
  method: string;
  /** The path as requested, without the stage (what `methodArn` ends with). */
  path: string;
  headers: Record<string, string>;
  query: URLSearchParams;
  /** The event the function will get (REQUEST authorizers get the same request, shaped for them). */
  event: Record<string, unknown>;
  /** Record the authorizer's invocation belongs to. */
  parentId?: string;
}

export type AuthorizationOutcome =
  | { ok: true; requestContextAuthorizer?: Record<string, unknown>; details?: Record<string, unknown> }
  | { ok: false; response: HttpResponseOut; details: Record<string, unknown> };

function json(statusCode: number, value: unknown, extra: [string, string][] = []): HttpResponseOut {
  return { statusCode, headers: [['content-type', 'application/json'], ...extra], body: Buffer.from(JSON.stringify(value)) };
}

/** API Gateway's answers when authorization fails, per API kind. */
function denied(api: HttpRoute['api'], status: 401 | 403 | 500, explicitDeny = false): HttpResponseOut {
  if (api === 'url') return json(403, { Message: 'Forbidden' });
  if (api === 'rest') {
    if (status === 401) return json(401, { message: 'Unauthorized' });
    if (status === 403)
      return json(403, {
        Message: explicitDeny ? 'User is not authorized to access this resource with an explicit deny' : 'User is not authorized to access this resource',
      });
    return json(500, { message: null });
  }
  if (status === 401) return json(401, { message: 'Unauthorized' });
  if (status === 403) return json(403, { message: 'Forbidden' });
  return json(500, { message: 'Internal Server Error' });
}

export class GatewayAuthorizer {
  private readonly cache = new AuthorizerCache();

  constructor(
    private readonly context: HostContext,
    private readonly options: AuthorizationOptions = {},
  ) {}

  /** Routes changed (a template edit): cached decisions may belong to authorizers that changed too. */
  reset(): void {
    this.cache.clear();
  }

  async authorize(route: HttpRoute, request: AuthorizationRequest): Promise<AuthorizationOutcome> {
    const auth = route.auth;
    if (!auth) return { ok: true };
    const arn = `arn:aws:execute-api:${this.context.region}:${this.context.accountId}:${route.apiId}/${route.stage}/${request.method}${request.path}`;
    switch (auth.kind) {
      case 'iam': {
        if (this.options.iamAuth === false) return { ok: true, details: { authorizer: 'AWS_IAM', checked: false } };
        if (!hasSigV4(request.headers, request.query)) {
          const response = route.api === 'rest' ? json(403, { message: 'Missing Authentication Token' }) : denied(route.api, 403);
          return { ok: false, response, details: { authorizer: 'AWS_IAM', reason: 'the request has no SigV4 signature' } };
        }
        const accessKey = /Credential=([^/]+)\//.exec(request.headers['authorization'] ?? '')?.[1] ?? request.query.get('X-Amz-Credential')?.split('/')[0];
        return {
          ok: true,
          requestContextAuthorizer: route.payloadFormatVersion === '2.0' ? { iam: { accessKey: accessKey ?? null } } : {},
          details: { authorizer: 'AWS_IAM' },
        };
      }
      case 'unsupported':
        return { ok: false, response: denied(route.api, 401), details: { authorizer: auth.name, reason: auth.reason } };
      case 'jwt': {
        const decision = checkJwt(auth, request.headers[auth.identitySource.name.toLowerCase()], {
          jwks: this.options.jwks ?? {},
          skipSignature: this.options.skipJwtSignature === true,
        });
        if (!decision.allow) {
          const extra: [string, string][] =
            decision.status === 401
              ? [['www-authenticate', `Bearer scope="" error="invalid_token" error_description="${decision.reason.replace(/"/g, "'")}"`]]
              : [];
          return {
            ok: false,
            response: { ...denied(route.api, decision.status), headers: [...denied(route.api, decision.status).headers, ...extra] },
            details: { authorizer: auth.name, reason: decision.reason },
          };
        }
        const jwt = { claims: decision.claims, scopes: decision.scopes.length ? decision.scopes : null };
        return {
          ok: true,
          requestContextAuthorizer: route.payloadFormatVersion === '2.0' ? { jwt } : jwt,
          details: { authorizer: auth.name, signature: decision.signature },
        };
      }
      case 'lambda':
        return this.lambda(route, auth, request, arn);
    }
  }

  private async lambda(
    route: HttpRoute,
    auth: Extract<RouteAuth, { kind: 'lambda' }>,
    request: AuthorizationRequest,
    arn: string,
  ): Promise<AuthorizationOutcome> {
    const values = identityValues(auth.identitySources, request.headers, request.query);
    if (auth.identitySources.length > 0 && values === undefined) {
      return { ok: false, response: denied(route.api, 401), details: { authorizer: auth.name, reason: 'the identity source is missing from the request' } };
    }
    if (auth.type === 'TOKEN' && auth.validationExpression && !new RegExp(auth.validationExpression).test(values?.[0] ?? '')) {
      return { ok: false, response: denied(route.api, 401), details: { authorizer: auth.name, reason: 'the token does not match the ValidationExpression' } };
    }
    const key = `${route.apiLogicalId}\0${auth.name}\0${(values ?? []).join('\0')}`;
    let result = auth.ttlSeconds > 0 && values !== undefined ? this.cache.get(key) : undefined;
    const cached = result !== undefined;
    let recordId: string | undefined;
    if (!cached) {
      const fn = this.context.functions.get(auth.functionRef);
      if (!fn) {
        this.context.log.warn(`http-api: authorizer ${auth.name} names ${auth.functionRef}, which is not a function of this template`);
        return { ok: false, response: denied(route.api, 500), details: { authorizer: auth.name, reason: `no function ${auth.functionRef}` } };
      }
      const record: InvocationRecord = await this.context.invoker.invoke({
        fn,
        event: this.authorizerEvent(route, auth, request, arn, values ?? []),
        trigger: 'http',
        ...(request.parentId ? { parentId: request.parentId } : {}),
        source: { authorizerFor: route.routeKey, authorizer: auth.name },
      });
      recordId = record.id;
      if (record.status !== 'success') {
        // A Lambda authorizer that fails with "Unauthorized" is API Gateway's 401; anything else is a 500.
        const unauthorized = record.error?.errorMessage === 'Unauthorized';
        return {
          ok: false,
          response: denied(route.api, unauthorized ? 401 : 500),
          details: { authorizer: auth.name, recordId, reason: record.error?.errorMessage ?? record.status },
        };
      }
      result = record.result;
      if (values !== undefined) this.cache.set(key, result, auth.ttlSeconds);
    }
    const decision: AuthDecision = route.api === 'http' && auth.simpleResponses ? simpleDecision(result) : policyDecision(result, arn);
    const details = { authorizer: auth.name, cached, ...(recordId ? { recordId } : {}) };
    if (!decision.allow) {
      return {
        ok: false,
        response: denied(route.api, decision.status, decision.reason.startsWith('an explicit Deny')),
        details: { ...details, reason: decision.reason },
      };
    }
    const context = decision.context ?? {};
    const requestContextAuthorizer =
      route.payloadFormatVersion === '2.0'
        ? { lambda: context }
        : { ...context, ...(decision.principalId !== undefined ? { principalId: decision.principalId } : {}), integrationLatency: 0 };
    return { ok: true, requestContextAuthorizer, details };
  }

  /** The event a Lambda authorizer gets: TOKEN's three fields, or the request itself with `type` and the ARN. */
  private authorizerEvent(
    route: HttpRoute,
    auth: Extract<RouteAuth, { kind: 'lambda' }>,
    request: AuthorizationRequest,
    arn: string,
    values: string[],
  ): Record<string, unknown> {
    if (auth.type === 'TOKEN') return { type: 'TOKEN', authorizationToken: values[0] ?? '', methodArn: arn };
    const rest = { ...request.event };
    delete rest.body;
    delete rest.isBase64Encoded;
    if (route.api === 'http' && auth.payloadFormatVersion === '2.0') return { version: '2.0', type: 'REQUEST', routeArn: arn, identitySource: values, ...rest };
    return {
      ...(route.api === 'http' ? { version: '1.0' } : {}),
      type: 'REQUEST',
      methodArn: arn,
      ...(route.api === 'http' ? { identitySource: values.join(','), authorizationToken: values.join(',') } : {}),
      ...rest,
    };
  }
}
