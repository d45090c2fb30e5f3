// The one check every listener runs before anything else: the request must name this server by a
// loopback name (or one the user allowed). A DNS-rebound page reaches 127.0.0.1 under its own name
// (`Host: evil.example`), so an answer that depends on Host alone keeps its responses unreadable to it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UserError } from '../runtime/types';

/** Names every listener answers to, whatever the user configures. */
export const LOOPBACK_NAMES: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

export interface LocalRequestPolicy {
  /** The listener's own port: `Host` must carry it (an absent port means 80). */
  port: number;
  /** Extra host names the user allowed (`serve --allow-host NAME`, setting `lambdaWorkbench.allowedHosts`). */
  allowedHosts?: readonly string[];
  /** Also accept `<anything>.localhost` (S3 virtual-hosted addressing); browsers resolve those to loopback themselves. */
  allowLocalhostSubdomains?: boolean;
}

export interface LocalRequestRefusal {
  status: 403;
  /** One sentence for the body, naming what would be accepted. */
  message: string;
}

/** Splits a Host header into a lower-case name and a port (undefined when the header has none). */
export function splitHost(header: string): { name: string; port: number | undefined } | undefined {
  const h = header.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(h);
  if (!m) return undefined;
  return { name: m[1]!.replace(/\.$/, ''), port: m[2] === undefined ? undefined : Number(m[2]) };
}

function nameAllowed(name: string, policy: Omit<LocalRequestPolicy, 'port'>): boolean {
  if (LOOPBACK_NAMES.includes(name)) return true;
  if (policy.allowedHosts?.some((allowed) => splitHost(allowed)?.name === name)) return true;
  return policy.allowLocalhostSubdomains === true && name.endsWith('.localhost');
}

/**
 * True when `Host` names this listener by an accepted name and its own port. An allowed entry with a
 * port (`localhost:3001`, a forwarded port) matches that port instead of the listener's.
 */
export function hostAllowed(hostHeader: string | undefined, policy: LocalRequestPolicy): boolean {
  if (!hostHeader) return false;
  const host = splitHost(hostHeader);
  if (!host) return false;
  const port = host.port ?? 80;
  for (const entry of policy.allowedHosts ?? []) {
    const allowed = splitHost(entry);
    if (allowed?.port !== undefined && allowed.name === host.name && allowed.port === port) return true;
  }
  if (port !== policy.port) return false;
  if (LOOPBACK_NAMES.includes(host.name)) return true;
  if (
    policy.allowedHosts?.some((entry) => {
      const allowed = splitHost(entry);
      return allowed?.port === undefined && allowed?.name === host.name;
    })
  )
    return true;
  return policy.allowLocalhostSubdomains === true && host.name.endsWith('.localhost');
}

/**
 * The shared check: undefined when the request may proceed, else the refusal each listener answers in
 * its own shape (text, JSON, an AWS error). Call it first, before reading the body.
 */
export function checkLocalRequest(req: IncomingMessage, policy: LocalRequestPolicy): LocalRequestRefusal | undefined {
  if (hostAllowed(req.headers.host, policy)) return undefined;
  const names = [...LOOPBACK_NAMES, ...(policy.allowedHosts ?? [])].map((n) => (splitHost(n)?.port !== undefined ? n : `${n}:${policy.port}`)).join(', ');
  const given = req.headers.host ? `'${req.headers.host.slice(0, 200)}'` : 'no Host header';
  return {
    status: 403,
    message: `Forbidden: this local server answers only to ${names} (got ${given}); allow another name with serve --allow-host NAME or the lambdaWorkbench.allowedHosts setting`,
  };
}

/** Answers a refusal as plain text and drops the connection (the body, if any, is not read). */
export function refuseAsText(res: ServerResponse, refusal: LocalRequestRefusal): void {
  const body = `${refusal.message}\n`;
  res.shouldKeepAlive = false;
  res.writeHead(refusal.status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

/**
 * A web origin served from this machine (a loopback name on any port, or an allowed name), or a VS Code
 * webview. `null` (sandboxed frames, files) is not local: anything can send it.
 */
export function isLocalOrigin(origin: string, allowedHosts: readonly string[] = []): boolean {
  const o = origin.trim().toLowerCase();
  if (o.startsWith('vscode-webview://')) return true;
  let url: URL;
  try {
    url = new URL(o);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (`${url.protocol}//${url.host}` !== o.replace(/\/$/, '')) return false;
  return nameAllowed(url.hostname, { allowedHosts });
}

/** An `Authorization` header as the AWS SDKs and CLI send it: SigV4 with a credential scope (the signature is not checked). */
const SIGV4_AUTHORIZATION = /^AWS4-HMAC-SHA256\s+Credential=[^/\s,]+\/\d{8}\/[^/\s,]+\/[^/\s,]+\/aws4_request\s*,/;

export interface AwsClientPolicy extends LocalRequestPolicy {
  /** Also accept a presigned URL (`X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…` in the query), as S3 does. */
  allowPresignedQuery?: boolean;
}

export interface AwsClientRefusal {
  status: 403;
  /** For `x-amzn-ErrorType` (or the service's own error code field). */
  errorType: 'AccessDeniedException' | 'MissingAuthenticationTokenException' | 'IncompleteSignatureException';
  message: string;
}

/**
 * The check for a listener that speaks an AWS API (the Invoke API, the local AWS endpoint): a local Host,
 * no foreign `Origin`, and a SigV4-shaped `Authorization`. A browser's "simple request" (no preflight)
 * cannot carry `Authorization`, and a foreign page announces itself in `Origin`: together they keep web
 * pages from driving the API, while every AWS SDK and the CLI pass.
 */
export function checkAwsClientRequest(req: IncomingMessage, policy: AwsClientPolicy): AwsClientRefusal | undefined {
  const hostRefusal = checkLocalRequest(req, policy);
  if (hostRefusal) return { status: 403, errorType: 'AccessDeniedException', message: hostRefusal.message };
  const origin = req.headers.origin;
  if (origin !== undefined && !isLocalOrigin(origin, policy.allowedHosts)) {
    return {
      status: 403,
      errorType: 'AccessDeniedException',
      message: `Requests from web pages are refused (Origin ${origin.slice(0, 200)}); call this API from an AWS SDK or the AWS CLI, or from a page served on 127.0.0.1/localhost`,
    };
  }
  const authorization = req.headers.authorization;
  if (authorization === undefined || authorization === '') {
    if (policy.allowPresignedQuery && presigned(req.url)) return undefined;
    return {
      status: 403,
      errorType: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token: sign the request with AWS Signature V4 (any credentials will do locally), as the AWS SDKs and CLI do',
    };
  }
  if (!SIGV4_AUTHORIZATION.test(authorization)) {
    return {
      status: 403,
      errorType: 'IncompleteSignatureException',
      message:
        "Authorization header requires an AWS Signature V4 value 'AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=…, Signature=…'",
    };
  }
  return undefined;
}

function presigned(url: string | undefined): boolean {
  const q = new URL(url ?? '/', 'http://127.0.0.1').searchParams;
  return q.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256' && /^[^/]+\/\d{8}\/[^/]+\/[^/]+\/aws4_request$/.test(q.get('X-Amz-Credential') ?? '');
}

/** `serve --allow-host` values and the setting's list: host names, optionally `name:port`, no schemes. */
export function parseAllowedHosts(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of values.flatMap((v) => v.split(','))) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:\d{1,5})?$/.test(name)) {
      throw new UserError(`'${raw.trim()}' is not a host name`, 'give a name such as my-laptop.local (or name:port for a forwarded port), without a scheme');
    }
    out.push(name);
  }
  return out;
}
