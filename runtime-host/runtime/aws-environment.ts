// The one policy for the AWS variables an execution environment gets: credentials, region and the
// SDK endpoint variables. Lambda gives a function its role's credentials, never the caller's, so by
// default a function gets placeholder credentials of its own; the developer's credentials (or any
// AWS_* the host inherited) never pass through. Real credentials come only from a profile the user
// names (`--aws-profile`, setting `lambdaWorkbench.awsProfile`), resolved once when the host starts.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from './types';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Credentials resolved from a named profile, and where they came from (for the ready line and logs). */
export interface ProfileCredentials extends AwsCredentials {
  profile: string;
  /** The file the keys were read from. */
  source: string;
}

/** SigV4 signing names of the services the local AWS endpoint can answer (`AWS_ENDPOINT_URL_<SERVICE>`). */
export const LOCAL_SERVICES = ['s3', 'sqs', 'sns', 'kinesis', 'lambda', 'dynamodb', 'events'] as const;
export type LocalService = (typeof LOCAL_SERVICES)[number];

/** The SDKs name the per-service variable after the service id (`AWS_ENDPOINT_URL_EVENTBRIDGE`), not the signing name. */
const ENDPOINT_VARIABLE_SUFFIX: Record<LocalService, string> = {
  s3: 'S3',
  sqs: 'SQS',
  sns: 'SNS',
  kinesis: 'KINESIS',
  lambda: 'LAMBDA',
  dynamodb: 'DYNAMODB',
  events: 'EVENTBRIDGE',
};

/** Where one service's calls go: the local endpoint, or real AWS (only meaningful with a profile). */
export type ServiceTarget = 'local' | 'aws';

/** What the host decides once and hands every environment it launches (kept by reference: `endpointUrl` may be set after start). */
export interface AwsAccess {
  /** Absent: placeholder credentials. */
  profile?: ProfileCredentials;
  /** The local AWS endpoint (`http://127.0.0.1:<port>`), once it listens. */
  endpointUrl?: string;
  /** Per service; a service not named goes to the local endpoint when there is one. */
  services?: Partial<Record<LocalService, ServiceTarget>>;
}

/** Recognisable, AWS-shaped and useless against real AWS. */
export const PLACEHOLDER_CREDENTIALS: Readonly<Required<AwsCredentials>> = {
  accessKeyId: 'AKIAWORKBENCHLOCAL00',
  secretAccessKey: 'lambda-workbench/local/placeholder/secret0',
  sessionToken: 'lambda-workbench-local-placeholder-session-token',
};

/**
 * AWS variables of the host never passed to an environment: credentials, profile and file
 * selection, role and container credential providers, endpoint overrides.
 */
export function isHostAwsVariable(name: string): boolean {
  const n = name.toUpperCase();
  return (
    n === 'AWS_ACCESS_KEY_ID' ||
    n === 'AWS_SECRET_ACCESS_KEY' ||
    n === 'AWS_SESSION_TOKEN' ||
    n === 'AWS_SECURITY_TOKEN' ||
    n === 'AWS_CREDENTIAL_EXPIRATION' ||
    n === 'AWS_PROFILE' ||
    n === 'AWS_DEFAULT_PROFILE' ||
    n === 'AWS_CONFIG_FILE' ||
    n === 'AWS_SHARED_CREDENTIALS_FILE' ||
    n === 'AWS_ROLE_ARN' ||
    n === 'AWS_ROLE_SESSION_NAME' ||
    n === 'AWS_WEB_IDENTITY_TOKEN_FILE' ||
    n === 'AWS_SDK_LOAD_CONFIG' ||
    n.startsWith('AWS_CONTAINER_') ||
    n.startsWith('AWS_ENDPOINT_URL') ||
    n === 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS' ||
    n === 'AWS_EC2_METADATA_DISABLED'
  );
}

/** Variables a function's own configuration may not set: they choose credentials (endpoint overrides it may set). */
export function isCredentialVariable(name: string): boolean {
  const n = name.toUpperCase();
  return isHostAwsVariable(n) && !n.startsWith('AWS_ENDPOINT_URL') && n !== 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS';
}

/** The credential, region and endpoint variables of one environment. */
export function awsEnvironment(region: string, access: AwsAccess = {}): Record<string, string> {
  const credentials = access.profile ?? PLACEHOLDER_CREDENTIALS;
  const env: Record<string, string> = {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  };
  if (credentials.sessionToken) env['AWS_SESSION_TOKEN'] = credentials.sessionToken;
  // Without credentials files, no SDK can fall back to the developer's ~/.aws.
  env['AWS_SHARED_CREDENTIALS_FILE'] = '/dev/null';
  env['AWS_CONFIG_FILE'] = '/dev/null';
  if (access.endpointUrl) {
    const toAws = LOCAL_SERVICES.filter((s) => access.services?.[s] === 'aws');
    // The catch-all would also catch the services meant for real AWS: use it only when none is.
    if (toAws.length === 0) env['AWS_ENDPOINT_URL'] = access.endpointUrl;
    for (const service of LOCAL_SERVICES) {
      if (access.services?.[service] !== 'aws') env[`AWS_ENDPOINT_URL_${ENDPOINT_VARIABLE_SUFFIX[service]}`] = access.endpointUrl;
    }
    // The DynamoDB Streams client is a service of its own to the SDKs, signed as `dynamodb`: it goes where DynamoDB goes.
    if (access.services?.dynamodb !== 'aws') env['AWS_ENDPOINT_URL_DYNAMODB_STREAMS'] = access.endpointUrl;
  }
  return env;
}

/** `[name]` sections of an INI file (comments and blank lines skipped; keys lower-cased). */
export function parseIni(text: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      current = {};
      sections.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    // A nested block (`s3 =` followed by indented keys) carries no credentials: its lines are skipped.
    if (eq <= 0 || !current || /^\s/.test(raw)) continue;
    current[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return sections;
}

/** Credential providers that need the AWS CLI or network calls: named in the error, not resolved here. */
const UNRESOLVABLE: [key: string, what: string][] = [
  ['sso_session', 'IAM Identity Center (SSO)'],
  ['sso_start_url', 'IAM Identity Center (SSO)'],
  ['credential_process', 'a credential_process'],
  ['role_arn', 'an assumed role (role_arn)'],
  ['web_identity_token_file', 'web identity'],
  ['credential_source', 'a credential_source'],
  ['login_session', 'a console login session'],
];

/**
 * The static keys of profile `name`, from the credentials file then the config file (the files the
 * AWS CLI reads, honouring AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE). A missing profile, or one
 * whose credentials come from SSO, a process or a role, is a UserError saying what to do instead.
 */
export function resolveProfileCredentials(name: string, env: NodeJS.ProcessEnv = process.env): ProfileCredentials {
  const home = env['HOME'] || homedir();
  const credentialsFile = env['AWS_SHARED_CREDENTIALS_FILE'] || join(home, '.aws', 'credentials');
  const configFile = env['AWS_CONFIG_FILE'] || join(home, '.aws', 'config');
  const read = (file: string) => (existsSync(file) ? parseIni(readFileSync(file, 'utf8')) : new Map<string, Record<string, string>>());
  const credentials = read(credentialsFile);
  const config = read(configFile);
  const fromCredentials = credentials.get(name);
  const fromConfig = config.get(name === 'default' ? 'default' : `profile ${name}`) ?? (name === 'default' ? config.get('profile default') : undefined);
  if (!fromCredentials && !fromConfig) {
    const known = [...credentials.keys(), ...[...config.keys()].map((k) => k.replace(/^profile\s+/, ''))].filter((k) => !k.startsWith('sso-session'));
    throw new UserError(
      `AWS profile '${name}' not found in ${credentialsFile} or ${configFile}`,
      known.length
        ? `known profiles: ${[...new Set(known)].join(', ')}`
        : 'create it with `aws configure --profile NAME`, or leave --aws-profile out to use placeholder credentials',
    );
  }
  for (const [file, section] of [
    [credentialsFile, fromCredentials],
    [configFile, fromConfig],
  ] as const) {
    if (section?.['aws_access_key_id'] && section['aws_secret_access_key']) {
      return {
        profile: name,
        source: file,
        accessKeyId: section['aws_access_key_id'],
        secretAccessKey: section['aws_secret_access_key'],
        ...(section['aws_session_token'] ? { sessionToken: section['aws_session_token'] } : {}),
      };
    }
  }
  const provider = UNRESOLVABLE.find(([key]) => fromCredentials?.[key] !== undefined || fromConfig?.[key] !== undefined);
  throw new UserError(
    provider
      ? `AWS profile '${name}' gets its credentials from ${provider[1]}, which lambda-workbench does not resolve`
      : `AWS profile '${name}' has no aws_access_key_id/aws_secret_access_key`,
    `export temporary keys into a profile with static keys, e.g. \`aws configure export-credentials --profile ${name} --format env\`, then use that profile`,
  );
}

/**
 * A queue URL the template resolved for AWS (`!Ref Queue`, `!GetAtt Queue.QueueUrl`) as the local endpoint's URL for
 * that queue: the SQS clients send each queue operation to the host the URL names (lambda-behaviour §8), so a function
 * reading its queue URL from an environment variable reaches the local queue with no code change.
 */
export function localQueueUrls(env: Record<string, string>, region: string, access: AwsAccess = {}): void {
  if (!access.endpointUrl || access.services?.sqs === 'aws') return;
  const endpoint = access.endpointUrl.replace(/\/+$/, '');
  const aws = new RegExp(`^https://sqs\\.${region.replace(/[.]/g, '\\.')}\\.amazonaws\\.com(?:\\.cn)?/(\\d{12})/([^/?#]+)$`);
  for (const [k, v] of Object.entries(env)) {
    const m = aws.exec(v);
    if (m) env[k] = `${endpoint}/${m[1]}/${m[2]}`;
  }
}
