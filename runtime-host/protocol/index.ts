// The typed contract between runtime-host/, extension/ and webview-ui/. Types only, no runtime code
// except constants, so importing it never pulls host code into the extension or the panel.
export * from './records';
export * from './functions';
export * from './methods';
export * from './webview';
export * from './tune';
export * from './errors';
export * from './event-tests';
import type { SandboxKind } from './records';

/** The one JSON line `lambda-workbench serve` prints on stdout when ready. */
export interface ReadyLine {
  event: 'ready';
  ws: string;
  token: string;
  invokeApi: string;
  /** The local AWS endpoint (S3, SNS, Kinesis, Lambda, … wire protocols): `aws --endpoint-url` and AWS_ENDPOINT_URL. */
  awsEndpoint?: string;
  httpApi?: string;
  dashboard?: string;
  /** Present when functions get this AWS profile's credentials (their calls reach real AWS); absent: placeholder credentials. */
  awsProfile?: string;
  /** How execution environments are isolated (`cgroup-v1`, `cgroup-v2` or `process`). */
  sandbox?: SandboxKind;
}

/** Query parameter (and `Sec-WebSocket-Protocol` alternative) that carries the session token. */
export const TOKEN_QUERY_PARAM = 'token';

/**
 * Brief records: a WebSocket client that connects with `?records=brief`, and a `listInvocations` asking for
 * `brief`, get each record with an event larger than BRIEF_EVENT_LIMIT_BYTES (as JSON) replaced by its
 * preview, with the size in `omitted.event`. A stream batch's event (55 KB for 100 records) is then not sent
 * four times per batch to every client, nor held by a panel listing thousands of them.
 */
export const BRIEF_RECORDS_QUERY = { name: 'records', value: 'brief' } as const;
export const BRIEF_EVENT_LIMIT_BYTES = 16 * 1024;
