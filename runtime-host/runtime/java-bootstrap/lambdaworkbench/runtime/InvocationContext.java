// The Context a handler gets: the invocation's request id, deadline, ARN, trace, identity and client context,
// and the function's settings from the environment.
package lambdaworkbench.runtime;

import com.amazonaws.services.lambda.runtime.Client;
import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

final class InvocationContext implements Context {
    private static final int MEMORY = memoryFromEnvironment();
    private static final String LOG_GROUP = System.getenv("AWS_LAMBDA_LOG_GROUP_NAME");
    private static final String LOG_STREAM = System.getenv("AWS_LAMBDA_LOG_STREAM_NAME");
    private static final String FUNCTION_NAME = System.getenv("AWS_LAMBDA_FUNCTION_NAME");
    private static final String FUNCTION_VERSION = System.getenv("AWS_LAMBDA_FUNCTION_VERSION");

    private final RuntimeApi.Invocation invocation;
    private final CognitoIdentity identity;
    private final ClientContext clientContext;
    private final LambdaLogger logger;

    InvocationContext(RuntimeApi.Invocation invocation) {
        this.invocation = invocation;
        this.identity = identityOf(invocation.cognitoIdentity);
        this.clientContext = clientContextOf(invocation.clientContext);
        this.logger = LambdaRuntime.getLogger();
    }

    private static int memoryFromEnvironment() {
        try {
            return Integer.parseInt(System.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
        } catch (RuntimeException e) {
            return 128;
        }
    }

    @Override
    public String getAwsRequestId() {
        return invocation.requestId;
    }

    @Override
    public String getLogGroupName() {
        return LOG_GROUP;
    }

    @Override
    public String getLogStreamName() {
        return LOG_STREAM;
    }

    @Override
    public String getFunctionName() {
        return FUNCTION_NAME;
    }

    @Override
    public String getFunctionVersion() {
        return FUNCTION_VERSION;
    }

    @Override
    public String getInvokedFunctionArn() {
        return invocation.invokedFunctionArn;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return identity;
    }

    @Override
    public ClientContext getClientContext() {
        return clientContext;
    }

    @Override
    public int getRemainingTimeInMillis() {
        long left = invocation.deadlineMs - System.currentTimeMillis();
        return left > 0 ? (int) Math.min(left, Integer.MAX_VALUE) : 0;
    }

    @Override
    public int getMemoryLimitInMB() {
        return MEMORY;
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }

    @Override
    public String getTenantId() {
        return invocation.tenantId;
    }

    @Override
    public String getXrayTraceId() {
        return invocation.traceId;
    }

    private static Map<?, ?> jsonObject(String text) {
        if (text == null || text.isEmpty()) return null;
        try {
            Object parsed = Json.parse(text);
            return parsed instanceof Map ? (Map<?, ?>) parsed : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String text(Object v) {
        if (v == null) return null;
        if (v instanceof String) return (String) v;
        if (v instanceof Map || v instanceof java.util.List) return Binder.write(Binder.natural(v));
        return v.toString();
    }

    private static Map<String, String> strings(Object v) {
        if (!(v instanceof Map)) return null;
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) out.put((String) e.getKey(), text(e.getValue()));
        return Collections.unmodifiableMap(out);
    }

    private static CognitoIdentity identityOf(String header) {
        final Map<?, ?> m = jsonObject(header);
        if (m == null) return null;
        final String id = text(m.get("cognitoIdentityId"));
        final String pool = text(m.get("cognitoIdentityPoolId"));
        return new CognitoIdentity() {
            @Override
            public String getIdentityId() {
                return id;
            }

            @Override
            public String getIdentityPoolId() {
                return pool;
            }
        };
    }

    private static ClientContext clientContextOf(String header) {
        final Map<?, ?> m = jsonObject(header);
        if (m == null) return null;
        final Map<String, String> custom = strings(m.get("custom"));
        final Map<String, String> env = strings(m.get("env"));
        final Map<String, String> c = strings(m.get("client"));
        final Client client = c == null ? null : new Client() {
            @Override
            public String getInstallationId() {
                return c.get("installation_id");
            }

            @Override
            public String getAppTitle() {
                return c.get("app_title");
            }

            @Override
            public String getAppVersionName() {
                return c.get("app_version_name");
            }

            @Override
            public String getAppVersionCode() {
                return c.get("app_version_code");
            }

            @Override
            public String getAppPackageName() {
                return c.get("app_package_name");
            }
        };
        return new ClientContext() {
            @Override
            public Client getClient() {
                return client;
            }

            @Override
            public Map<String, String> getCustom() {
                return custom;
            }

            @Override
            public Map<String, String> getEnvironment() {
                return env;
            }
        };
    }
}
