// Lambda's quotas that more than one part enforces or shows (the host validates them, the extension
// offers them, the panel suggests within them). Pure constants: the panel imports this module too.

/** Memory size: 128–10,240 MB in 1 MB steps; 128 MB when a function does not say. */
export const MEMORY_RANGE_MB = [128, 10_240] as const;
export const DEFAULT_MEMORY_MB = 128;

/** Timeout: 1–900 seconds; 3 seconds when a function does not say. */
export const TIMEOUT_RANGE_SECONDS = [1, 900] as const;
export const DEFAULT_TIMEOUT_SECONDS = 3;

/** The largest request (event) of a synchronous (RequestResponse) invocation: 6 MB. */
export const SYNC_PAYLOAD_LIMIT_BYTES = 6_291_456;
/** The largest request (event) of an asynchronous (Event) invocation: 1 MB. */
export const ASYNC_PAYLOAD_LIMIT_BYTES = 1_048_576;
/** The largest response or error body a runtime may post to the Runtime API. */
export const RESPONSE_LIMIT_BYTES = 6_291_556;
