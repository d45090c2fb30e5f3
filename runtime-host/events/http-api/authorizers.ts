// API Gateway authorizers as the template declares them (SAM `Auth` on `AWS::Serverless::Api` /
// `AWS::Serverless::HttpApi` and on each event, function URL `AuthType`), and the checks API Gateway makes
// before the integration runs: Lambda authorizers (REST TOKEN / REQUEST, HTTP API REQUEST with simple or
// IAM-policy responses, result caching by TTL), JWT authorizers (issuer, audience, expiry, scopes, signature
// against a JWKS the user gives), and AWS_IAM (a SigV4 signature must be present; it is not verified).
import { createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type RouteAuth =
  | {
      kind: 'lambda';
      name: string;
      /** The authorizer function, as the template names it (an ARN from `!GetAtt Fn.Arn`, or a name). */
      functionRef: string;
      /** REST: TOKEN or REQUEST; HTTP APIs are always REQUEST. */
      type: 'TOKEN' | 'REQUEST';
      /** `header.Authorization`, `query.token`, … : where the identity comes from (all must be present). */
      identitySources: IdentitySource[];
      /** TOKEN: a regular expression the token must match, else 401 without calling the authorizer. */
      validationExpression?: string;
      ttlSeconds: number;
      /** HTTP APIs: payload format of the authorizer event, and whether it answers `{isAuthorized}`. */
      payloadFormatVersion: '1.0' | '2.0';
      simpleResponses: boolean;
    }
  | { kind: 'jwt'; name: string; issuer?: string; audience: string[]; identitySource: IdentitySource; scopes: string[] }
  | { kind: 'iam' }
  /** An authorizer the host does not emulate (Cognito user pools…): refused with 401 and named at load. */
  | { kind: 'unsupported'; name: string; reason: string };

export interface IdentitySource {
  from: 'header' | 'query';
  name: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(str).filter((s): s is string => s !== undefined) : str(v) !== undefined ? [str(v)!] : []);

/** `$request.header.Authorization` / `method.request.header.Authorization` / `route.request.querystring.token`. */
function parseIdentitySource(text: string): IdentitySource | undefined {
  const m = /(?:^|\.)(header|querystring)\.(.+)$/.exec(text.trim());
  if (!m) return undefined;
  return { from: m[1] === 'header' ? 'header' : 'query', name: m[2]! };
}

/**
 * The authorization a route needs. `eventAuth` is the event's `Auth`, `apiAuth` the API's `Auth`; the event's
 * `Authorizer` (or the API's `DefaultAuthorizer`) names one of the API's `Authorizers`, or `NONE` / `AWS_IAM`.
 */
export function routeAuth(api: 'rest' | 'http', eventAuth: unknown, apiAuth: unknown): RouteAuth | undefined {
  const apiAuthRecord = isRecord(apiAuth) ? apiAuth : {};
  const eventAuthRecord = isRecord(eventAuth) ? eventAuth : {};
  const name = str(eventAuthRecord.Authorizer) ?? str(apiAuthRecord.DefaultAuthorizer);
  if (name === undefined || name === 'NONE') return undefined;
  if (name === 'AWS_IAM') return { kind: 'iam' };
  const authorizers = isRecord(apiAuthRecord.Authorizers) ? apiAuthRecord.Authorizers : {};
  const def = authorizers[name];
  if (!isRecord(def)) return { kind: 'unsupported', name, reason: `the API has no authorizer named ${name}` };
  const identity = isRecord(def.Identity) ? def.Identity : {};
  if (def.UserPoolArn !== undefined) return { kind: 'unsupported', name, reason: `${name} is a Cognito user pool authorizer, which is not emulated locally` };
  if (isRecord(def.JwtConfiguration)) {
    const source = parseIdentitySource(str(def.IdentitySource) ?? '$request.header.Authorization') ?? { from: 'header', name: 'Authorization' };
    return {
      kind: 'jwt',
      name,
      ...(str(def.JwtConfiguration.issuer) !== undefined ? { issuer: str(def.JwtConfiguration.issuer)! } : {}),
      audience: strings(def.JwtConfiguration.audience),
      identitySource: source,
      scopes: strings(eventAuthRecord.AuthorizationScopes),
    };
  }
  const functionRef = str(def.FunctionArn);
  if (functionRef === undefined) return { kind: 'unsupported', name, reason: `${name} has no FunctionArn the host can resolve` };
  const ttl = Number(identity.ReauthorizeEvery ?? 300);
  if (api === 'rest') {
    const type = str(def.FunctionPayloadType) === 'REQUEST' ? 'REQUEST' : 'TOKEN';
    const sources: IdentitySource[] =
      type === 'TOKEN'
        ? [{ from: 'header', name: str(identity.Header) ?? 'Authorization' }]
        : [
            ...strings(identity.Headers).map((h): IdentitySource => ({ from: 'header', name: h })),
            ...strings(identity.QueryStrings).map((q): IdentitySource => ({ from: 'query', name: q })),
          ];
    return {
      kind: 'lambda',
      name,
      functionRef,
      type,
      identitySources: sources,
      ...(str(identity.ValidationExpression) !== undefined ? { validationExpression: str(identity.ValidationExpression)! } : {}),
      ttlSeconds: Number.isFinite(ttl) ? ttl : 300,
      payloadFormatVersion: '1.0',
      simpleResponses: false,
    };
  }
  return {
    kind: 'lambda',
    name,
    functionRef,
    type: 'REQUEST',
    identitySources: [
      ...strings(identity.Headers).map((h): IdentitySource => ({ from: 'header', name: h })),
      ...strings(identity.QueryStrings).map((q): IdentitySource => ({ from: 'query', name: q })),
    ],
    ttlSeconds: Number.isFinite(ttl) ? ttl : 300,
    payloadFormatVersion: str(def.AuthorizerPayloadFormatVersion) === '1.0' ? '1.0' : '2.0',
    simpleResponses: def.EnableSimpleResponses === true || def.EnableSimpleResponses === 'true',
  };
}

/** The identity values a request carries for these sources, or undefined when one is missing (API Gateway: 401). */
export function identityValues(sources: IdentitySource[], headers: Record<string, string>, query: URLSearchParams): string[] | undefined {
  const values: string[] = [];
  for (const s of sources) {
    const v = s.from === 'header' ? headers[s.name.toLowerCase()] : (query.get(s.name) ?? undefined);
    if (v === undefined || v === '') return undefined;
    values.push(v);
  }
  return values;
}

// --- Lambda authorizer responses -------------------------------------------------------------------

export type AuthDecision = { allow: true; principalId?: string; context?: Record<string, unknown> } | { allow: false; status: 401 | 403 | 500; reason: string };

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
}

/** `arn:aws:execute-api:region:account:api/stage/METHOD/path`, with `*` and `?` wildcards as IAM matches them. */
function arnMatches(pattern: string, arn: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(arn);
}

/** An IAM policy answer (`{principalId, policyDocument, context}`) evaluated for `methodArn`: an explicit Deny wins, then an Allow. */
export function policyDecision(result: unknown, methodArn: string): AuthDecision {
  if (!isRecord(result) || !isRecord(result.policyDocument)) {
    return { allow: false, status: 500, reason: 'the authorizer did not answer with a policy document (AuthorizerConfigurationException)' };
  }
  const statements = (Array.isArray(result.policyDocument.Statement) ? result.policyDocument.Statement : [result.policyDocument.Statement]).filter(
    isRecord,
  ) as Statement[];
  const applies = (s: Statement) => {
    const actions = strings(s.Action);
    const resources = strings(s.Resource);
    return actions.some((a) => arnMatches(a, 'execute-api:Invoke')) && resources.some((r) => arnMatches(r, methodArn));
  };
  const context = isRecord(result.context) ? result.context : undefined;
  const principalId = str(result.principalId);
  if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return { allow: false, status: 403, reason: 'an explicit Deny in the policy' };
  if (statements.some((s) => s.Effect === 'Allow' && applies(s))) {
    return { allow: true, ...(principalId !== undefined ? { principalId } : {}), ...(context ? { context } : {}) };
  }
  return { allow: false, status: 403, reason: 'no Allow in the policy for this method' };
}

/** An HTTP API simple response `{isAuthorized, context}`. */
export function simpleDecision(result: unknown): AuthDecision {
  if (!isRecord(result) || typeof result.isAuthorized !== 'boolean') {
    return { allow: false, status: 500, reason: 'the authorizer did not answer {"isAuthorized": true|false}' };
  }
  if (!result.isAuthorized) return { allow: false, status: 403, reason: 'isAuthorized: false' };
  return { allow: true, ...(isRecord(result.context) ? { context: result.context } : {}) };
}

/** Caches decisions per authorizer and identity for the authorizer's TTL, as API Gateway does. */
export class AuthorizerCache {
  private readonly entries = new Map<string, { result: unknown; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): unknown {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.result;
  }

  set(key: string, result: unknown, ttlSeconds: number): void {
    if (ttlSeconds > 0) this.entries.set(key, { result, until: this.now() + ttlSeconds * 1000 });
  }

  clear(): void {
    this.entries.clear();
  }
}

// --- JWT -------------------------------------------------------------------------------------------

export interface JwtOptions {
  /** JWKS per issuer: a file path (JSON `{keys:[…]}`), read when needed. */
  jwks: Record<string, string>;
  /** The user said to skip signature checks (the record says it was skipped). */
  skipSignature: boolean;
  now?: () => number;
}

export type JwtDecision =
  { allow: true; claims: Record<string, unknown>; scopes: string[]; signature: 'verified' | 'skipped' } | { allow: false; status: 401 | 403; reason: string };

function base64urlJson(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

function keyFor(jwksFile: string, kid: string | undefined): KeyObject | undefined {
  const jwks = JSON.parse(readFileSync(jwksFile, 'utf8')) as { keys?: (JsonWebKey & { kid?: string })[] };
  const key = (jwks.keys ?? []).find((k) => kid === undefined || k.kid === kid);
  return key ? createPublicKey({ key, format: 'jwk' }) : undefined;
}

const ALGORITHMS: Record<string, { hash: string; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  ES256: { hash: 'sha256', dsaEncoding: 'ieee-p1363' },
  ES384: { hash: 'sha384', dsaEncoding: 'ieee-p1363' },
};

/** Checks a bearer token as an HTTP API JWT authorizer does: issuer, audience (or client_id), expiry, not-before, scopes, signature. */
export function checkJwt(auth: Extract<RouteAuth, { kind: 'jwt' }>, header: string | undefined, options: JwtOptions): JwtDecision {
  if (!header) return { allow: false, status: 401, reason: 'no token' };
  const token = header.replace(/^Bearer\s+/i, '').trim();
  const parts = token.split('.');
  if (parts.length !== 3) return { allow: false, status: 401, reason: 'the token is not a JWT' };
  let head: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    head = base64urlJson(parts[0]!) as Record<string, unknown>;
    claims = base64urlJson(parts[1]!) as Record<string, unknown>;
  } catch {
    return { allow: false, status: 401, reason: 'the token cannot be decoded' };
  }
  const nowSeconds = (options.now ?? Date.now)() / 1000;
  if (auth.issuer !== undefined && claims.iss !== auth.issuer)
    return { allow: false, status: 401, reason: `issuer ${String(claims.iss)} is not ${auth.issuer}` };
  const audiences = [...strings(claims.aud), ...strings(claims.client_id)];
  if (auth.audience.length > 0 && !audiences.some((a) => auth.audience.includes(a)))
    return { allow: false, status: 401, reason: 'the token is not for this audience' };
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return { allow: false, status: 401, reason: 'the token has expired' };
  if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds) return { allow: false, status: 401, reason: 'the token is not valid yet' };
  let signature: 'verified' | 'skipped' = 'skipped';
  if (!options.skipSignature) {
    const file = auth.issuer !== undefined ? options.jwks[auth.issuer] : undefined;
    if (!file)
      return {
        allow: false,
        status: 401,
        reason: `no JWKS is set for issuer ${auth.issuer ?? '(none)'} to check the signature with (serve --jwks ISSUER=FILE, or --skip-jwt-signature)`,
      };
    const alg = ALGORITHMS[String(head.alg)];
    if (!alg) return { allow: false, status: 401, reason: `unsupported signing algorithm ${String(head.alg)}` };
    let key: KeyObject | undefined;
    try {
      key = keyFor(file, typeof head.kid === 'string' ? head.kid : undefined);
    } catch (err) {
      return { allow: false, status: 401, reason: `the JWKS ${file} cannot be read: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!key) return { allow: false, status: 401, reason: `no key ${String(head.kid)} in ${file}` };
    const ok = verifySignature(
      alg.hash,
      Buffer.from(`${parts[0]}.${parts[1]}`),
      alg.dsaEncoding ? { key, dsaEncoding: alg.dsaEncoding } : key,
      Buffer.from(parts[2]!, 'base64url'),
    );
    if (!ok) return { allow: false, status: 401, reason: 'the signature does not match' };
    signature = 'verified';
  }
  const scopes = [...strings(claims.scp), ...(typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [])];
  if (auth.scopes.length > 0 && !auth.scopes.some((s) => scopes.includes(s)))
    return { allow: false, status: 403, reason: `the token has none of the scopes ${auth.scopes.join(', ')}` };
  return { allow: true, claims, scopes, signature };
}

/** A SigV4 signature in the `Authorization` header or the query (presigned): present, as AWS_IAM requires. */
export function hasSigV4(headers: Record<string, string>, query: URLSearchParams): boolean {
  return /^AWS4-HMAC-SHA256 Credential=/.test(headers['authorization'] ?? '') || query.has('X-Amz-Signature');
}
