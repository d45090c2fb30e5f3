// A failure of the function's code as Lambda's Java runtime reports it: a message, the exception's class name
// and its printed stack trace (`fatal` when the environment cannot go on after it). Frames of this runtime
// are cut from every trace, so a trace ends at the handler, as on Lambda.
package lambdaworkbench.runtime;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

final class UserFault extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final String OWN_PACKAGE = UserFault.class.getPackage().getName() + ".";

    final String msg;
    /** The exception's class name, or null for a fault that is only a message. */
    final String exception;
    /** The printed stack trace, or null. */
    final String trace;
    final boolean fatal;

    UserFault(String msg, String exception, String trace, boolean fatal) {
        super(msg);
        this.msg = msg;
        this.exception = exception;
        this.trace = trace;
        this.fatal = fatal;
    }

    static UserFault of(Throwable t, boolean fatal) {
        if (t instanceof UserFault) return (UserFault) t;
        return new UserFault(messageOf(t), t.getClass().getName(), trace(t), fatal);
    }

    static UserFault of(String msg) {
        return new UserFault(msg, null, null, false);
    }

    /** The message Lambda reports for an exception: its own, or its class name when it has none. */
    static String messageOf(Throwable t) {
        String m = t.getLocalizedMessage();
        return m == null ? t.getClass().getName() : m;
    }

    static String trace(Throwable t) {
        filter(t);
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    /** Cuts this runtime's frames (and everything under them) from `t`, its causes and suppressed exceptions. */
    static <T extends Throwable> T filter(T t) {
        filter(t, Collections.newSetFromMap(new IdentityHashMap<Throwable, Boolean>()));
        return t;
    }

    private static void filter(Throwable t, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) return;
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = 0; i < frames.length; i++) {
            if (frames[i].getClassName().startsWith(OWN_PACKAGE)) {
                StackTraceElement[] kept = new StackTraceElement[i];
                System.arraycopy(frames, 0, kept, 0, i);
                t.setStackTrace(kept);
                break;
            }
        }
        filter(t.getCause(), seen);
        for (Throwable s : t.getSuppressed()) filter(s, seen);
    }

    /** What the runtime logs for the fault: `message: Class` then the printed trace. */
    String reportable() {
        if (exception != null || trace != null) {
            return msg + ": " + (exception == null ? "" : exception) + "\n" + (trace == null ? "" : trace) + "\n";
        }
        return msg + "\n";
    }

    /** The error body posted to the Runtime API: `{errorMessage, errorType}` (no stackTrace for a fault). */
    String body() {
        StringBuilder b = new StringBuilder("{\"errorMessage\":");
        Json.quote(b, msg);
        if (exception != null) {
            b.append(",\"errorType\":");
            Json.quote(b, exception);
        }
        return b.append('}').toString();
    }

    /** `{errorMessage, errorType, stackTrace}` for an exception the handler threw. */
    static String body(Throwable t) {
        StringBuilder b = new StringBuilder("{\"errorMessage\":");
        Json.quote(b, messageOf(t));
        b.append(",\"errorType\":");
        Json.quote(b, t.getClass().getName());
        b.append(",\"stackTrace\":[");
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = 0; i < frames.length; i++) {
            if (i > 0) b.append(',');
            Json.quote(b, frames[i].toString());
        }
        return b.append("]}").toString();
    }

    /** Throws any throwable without declaring it. */
    @SuppressWarnings("unchecked")
    static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
