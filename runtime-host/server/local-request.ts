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
  if (policy.allowedHosts?.some((allowed) => allowed.toLowerCase() === name)) return true;
  return policy.allowLocalhostSubdomains === true && name.endsWith('.localhost');
}

/** True when `Host` names this listener by an accepted name and its own port. */
export function hostAllowed(hostHeader: string | undefined, policy: LocalRequestPolicy): boolean {
  if (!hostHeader) return false;
  const host = splitHost(hostHeader);
  if (!host) return false;
  if ((host.port ?? 80) !== policy.port) return false;
  return nameAllowed(host.name, policy);
}

/**
 * The shared check: undefined when the request may proceed, else the refusal each listener answers in
 * its own shape (text, JSON, an AWS error). Call it first, before reading the body.
 */
export function checkLocalRequest(req: IncomingMessage, policy: LocalRequestPolicy): LocalRequestRefusal | undefined {
  if (hostAllowed(req.headers.host, policy)) return undefined;
  const names = [...LOOPBACK_NAMES, ...(policy.allowedHosts ?? [])].map((n) => `${n}:${policy.port}`).join(', ');
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

/** `serve --allow-host` values and the setting's list: plain host names, no ports or schemes. */
export function parseAllowedHosts(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of values.flatMap((v) => v.split(','))) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/.test(name)) {
      throw new UserError(`'${raw.trim()}' is not a host name`, 'give a name such as my-laptop.local, without scheme or port');
    }
    out.push(name);
  }
  return out;
}
