// The LambdaLogger Lambda's Java runtime installs (LambdaRuntime.getLogger(), context.getLogger()): one call is
// one record, `[LEVEL] message` when a level is given, a JSON object per record with AWS_LAMBDA_LOG_FORMAT=JSON,
// and records below AWS_LAMBDA_LOG_LEVEL dropped. A record's inner line breaks become \r, so it stays one line.
package lambdaworkbench.runtime;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogFormat;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

final class RuntimeLogger implements LambdaLogger {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final OutputStream sink;
    private final LogLevel minimum;
    final LogFormat format;
    private final ThreadLocal<InvocationContext> context = new ThreadLocal<>();

    RuntimeLogger(OutputStream sink, LogLevel minimum, LogFormat format) {
        this.sink = sink;
        this.minimum = minimum;
        this.format = format;
    }

    static RuntimeLogger fromEnvironment(OutputStream sink) {
        LogLevel level = LogLevel.UNDEFINED;
        LogFormat format = LogFormat.TEXT;
        String l = System.getenv("AWS_LAMBDA_LOG_LEVEL");
        String f = System.getenv("AWS_LAMBDA_LOG_FORMAT");
        try {
            if (l != null && !l.isEmpty()) level = LogLevel.fromString(l);
        } catch (IllegalArgumentException e) {
            // an unknown level filters nothing
        }
        try {
            if (f != null && !f.isEmpty()) format = LogFormat.fromString(f);
        } catch (IllegalArgumentException e) {
            // an unknown format is text
        }
        return new RuntimeLogger(sink, level, format);
    }

    void setContext(InvocationContext c) {
        if (c == null) context.remove();
        else context.set(c);
    }

    private boolean enabled(LogLevel level) {
        return level == LogLevel.UNDEFINED || level.ordinal() >= minimum.ordinal();
    }

    @Override
    public void log(String message) {
        log(message, LogLevel.UNDEFINED);
    }

    @Override
    public void log(byte[] message) {
        log(message, LogLevel.UNDEFINED);
    }

    @Override
    public void log(String message, LogLevel level) {
        if (level == null) level = LogLevel.UNDEFINED;
        if (!enabled(level)) return;
        record(formatted(message == null ? "null" : message, level));
    }

    @Override
    public void log(byte[] message, LogLevel level) {
        if (level == null) level = LogLevel.UNDEFINED;
        if (!enabled(level)) return;
        // Bytes are written as they are, without a level prefix or JSON, as Lambda's runtime does.
        record(message == null ? "null" : new String(message, StandardCharsets.UTF_8));
    }

    private String formatted(String message, LogLevel level) {
        if (format == LogFormat.JSON) {
            StringBuilder b = new StringBuilder("{\"timestamp\":");
            Json.quote(b, TIMESTAMP.format(Instant.now()));
            b.append(",\"message\":");
            Json.quote(b, message);
            b.append(",\"level\":");
            Json.quote(b, level.name());
            InvocationContext c = context.get();
            if (c != null) {
                b.append(",\"AWSRequestId\":");
                Json.quote(b, c.getAwsRequestId());
                if (c.getTenantId() != null) {
                    b.append(",\"tenantId\":");
                    Json.quote(b, c.getTenantId());
                }
            }
            return b.append('}').toString();
        }
        return level == LogLevel.UNDEFINED ? message : "[" + level.name() + "] " + message;
    }

    /** The runtime's own report of a fault: unlevelled in text, ERROR in JSON. */
    void fault(UserFault fault) {
        log(fault.reportable(), format == LogFormat.JSON ? LogLevel.ERROR : LogLevel.UNDEFINED);
    }

    private synchronized void record(String text) {
        String t = text;
        while (t.endsWith("\n") || t.endsWith("\r")) t = t.substring(0, t.length() - 1);
        String line = t.replace("\r\n", "\r").replace('\n', '\r') + "\n";
        try {
            sink.write(line.getBytes(StandardCharsets.UTF_8));
            sink.flush();
        } catch (IOException e) {
            // stdout is gone: nothing left to tell
        }
    }
}
