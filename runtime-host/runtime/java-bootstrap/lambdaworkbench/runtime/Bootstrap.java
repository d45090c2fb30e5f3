// Lambda Workbench's Java runtime: the main class of a Java execution environment. JDK only.
//
// The host starts `java <Lambda's flags> -cp <this runtime> lambdaworkbench.runtime.Bootstrap <handler>` with
// the function's class path in _LAMBDA_WORKBENCH_JAVA_CLASSPATH. It loads the handler's class with a class
// loader over that path whose parent holds this runtime and its aws-lambda-java-core API, so those classes
// always come from here, as on Lambda (init), then pulls invocations from the Runtime API forever, reporting
// results and errors the way Lambda's Java runtime does (lambda-behaviour §10).
package lambdaworkbench.runtime;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOError;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

public final class Bootstrap {
    private Bootstrap() {
    }

    /** The system property the AWS SDK and X-Ray read the invocation's trace header from. */
    private static final String TRACE_PROPERTY = "com.amazonaws.xray.traceHeader";

    public static void main(String[] args) throws Exception {
        String handler = args.length > 0 ? args[0] : System.getenv("_HANDLER");
        if (handler == null) handler = "";
        // UTF-8 whatever the locale; a line goes out whole (one write), and everything is flushed before a response.
        System.setOut(new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 8192), true, "UTF-8"));
        System.setErr(new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.err), 8192), true, "UTF-8"));
        RuntimeLogger logger = RuntimeLogger.fromEnvironment(new FileOutputStream(FileDescriptor.out));
        installLogger(logger);

        RuntimeApi api = new RuntimeApi(System.getenv("AWS_LAMBDA_RUNTIME_API"));
        ClassLoader loader = customerLoader();
        Thread.currentThread().setContextClassLoader(loader);

        Handlers.Invocable invocable;
        try {
            invocable = Handlers.find(handler, loader);
        } catch (UserFault fault) {
            flushOutput();
            logger.fault(fault);
            api.postInitError(fault.body(), "Runtime.BadFunctionCode");
            System.exit(1);
            return;
        }

        boolean stop = false;
        ByteArrayOutputStream output = new ByteArrayOutputStream(1024);
        while (!stop) {
            RuntimeApi.Invocation invocation = api.next();
            if (invocation.traceId != null) System.setProperty(TRACE_PROPERTY, invocation.traceId);
            else System.clearProperty(TRACE_PROPERTY);
            InvocationContext context = new InvocationContext(invocation);
            logger.setContext(context);
            output.reset();
            Throwable failure = null;
            try {
                invocable.call(invocation.body, output, context);
            } catch (Throwable t) {
                failure = t;
            }
            flushOutput();
            if (failure == null) {
                api.postResponse(invocation.requestId, output.toByteArray());
                // A handler that interrupted its own thread does not interrupt the runtime.
                Thread.interrupted();
                continue;
            }
            UserFault.filter(failure);
            UserFault fault = UserFault.of(failure, false);
            // The JVM's own failures and faults that leave the function unusable end the environment after this report.
            stop = failure instanceof VirtualMachineError || failure instanceof IOError || fault.fatal;
            // Logged before the error is posted: the invocation's log closes once the host has the error.
            logger.fault(fault);
            if (failure instanceof UserFault) api.postError(invocation.requestId, fault.body(), "Runtime.BadFunctionCode");
            else api.postError(invocation.requestId, UserFault.body(failure), "Runtime.UserException");
        }
    }

    /** What the handler printed without a line break reaches the log before its invocation ends. */
    private static void flushOutput() {
        System.out.flush();
        System.err.flush();
    }

    /** LambdaRuntime.getLogger() returns the runtime's logger from here on (its field is set as Lambda's runtime sets it). */
    private static void installLogger(LambdaLogger logger) throws ReflectiveOperationException {
        Field field = LambdaRuntime.class.getDeclaredField("logger");
        field.setAccessible(true);
        field.set(null, logger);
    }

    /** The function's classes and jars, in the order the host gives them; parent-first over this runtime. */
    private static ClassLoader customerLoader() throws MalformedURLException {
        String path = System.getenv("_LAMBDA_WORKBENCH_JAVA_CLASSPATH");
        List<URL> urls = new ArrayList<>();
        if (path != null) {
            for (String entry : path.split(File.pathSeparator)) {
                if (!entry.isEmpty()) urls.add(new File(entry).toURI().toURL());
            }
        }
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getSystemClassLoader());
    }
}
