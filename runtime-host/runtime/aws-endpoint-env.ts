// The variables that point an environment's AWS SDK clients at the host's local AWS endpoint.
// SDK for JavaScript v3 (3.4xx+), boto3 (1.28+) and the AWS CLI read AWS_ENDPOINT_URL and the
// per-service AWS_ENDPOINT_URL_<SERVICE>; the placeholder credentials spare the SDK its slow
// credential search and never let a local call be signed with the developer's real keys.

/** The services the local endpoint routes by signing name; each gets its own variable so a user can send one elsewhere. */
export const LOCAL_ENDPOINT_SERVICES = ['S3', 'SQS', 'SNS', 'KINESIS', 'LAMBDA', 'DYNAMODB', 'EVENTBRIDGE'] as const;

/** Credentials the local endpoint accepts (it does not verify signatures). */
export const PLACEHOLDER_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIALAMBDAWORKBENCH0',
  AWS_SECRET_ACCESS_KEY: 'lambda-workbench-local-placeholder-secret',
} as const;

/** Endpoint variables and placeholder credentials for an environment, or nothing when the host runs no endpoint. */
export function awsEndpointEnvironment(endpointUrl: string | undefined): Record<string, string> {
  if (!endpointUrl) return {};
  const env: Record<string, string> = { AWS_ENDPOINT_URL: endpointUrl, ...PLACEHOLDER_CREDENTIALS };
  for (const service of LOCAL_ENDPOINT_SERVICES) env[`AWS_ENDPOINT_URL_${service}`] = endpointUrl;
  return env;
}

/** Host credential variables that must not reach an environment whose calls go to the local endpoint. */
export const REAL_CREDENTIAL_VARIABLES = ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'] as const;
