// A small S3-triggered function: reads each record of the event, logs it, returns a summary.
exports.handler = async (event, context) => {
  const records = event.Records ?? [];
  console.log(`received ${records.length} S3 record(s) in ${context.functionName}`);
  const objects = records.map((record) => {
    const bucket = record.s3.bucket.name;
    // Keys arrive URL-encoded, with '+' for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    console.info(`${record.eventName} s3://${bucket}/${key} (${record.s3.object.size ?? 0} bytes)`);
    return { bucket, key, size: record.s3.object.size ?? 0, eventName: record.eventName };
  });
  const totalBytes = objects.reduce((sum, o) => sum + o.size, 0);
  return { processed: objects.length, totalBytes, objects, remainingMs: context.getRemainingTimeInMillis() > 0 };
};
