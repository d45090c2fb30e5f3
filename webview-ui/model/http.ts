// An HTTP exchange written the way people read HTTP: request line, headers, blank line, body.
import type { HttpExchange } from '../../runtime-host/protocol/records';

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function headerLines(headers: Record<string, string | string[]>): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  return lines;
}

function bodyText(body: string | undefined, base64: boolean | undefined): string {
  if (!body) return '';
  if (base64) return `[${Math.floor((body.length * 3) / 4) - (body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0)} bytes, base64]\n${body}`;
  return body;
}

export function formatHttpRequest(http: HttpExchange): string {
  const q = http.request.query ? `?${http.request.query}` : '';
  const head = [`${http.request.method} ${http.request.path}${q} HTTP/1.1`, ...headerLines(http.request.headers)];
  const body = bodyText(http.request.body, http.request.bodyBase64);
  return body ? `${head.join('\n')}\n\n${body}` : head.join('\n');
}

export function formatHttpResponse(http: HttpExchange): string | undefined {
  const res = http.response;
  if (!res) return undefined;
  const reason = REASONS[res.statusCode] ?? '';
  const head = [`HTTP/1.1 ${res.statusCode}${reason ? ` ${reason}` : ''}`, ...headerLines(res.headers)];
  const body = bodyText(res.body, res.bodyBase64);
  return body ? `${head.join('\n')}\n\n${body}` : head.join('\n');
}
