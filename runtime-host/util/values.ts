// Narrowing of values parsed from JSON or YAML (templates, requests, files), shared by the host's parts.

/** A plain object (not null, not an array): what JSON and YAML maps parse to. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
