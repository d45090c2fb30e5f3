// Lambda Workbench's own copy of the aws-lambda-java-core API (the interfaces handlers compile against),
// written to the same names and signatures as the Apache-2.0 library so that classes built against the real
// jar link against this one. The Java runtime loads it from its own class path, ahead of any copy in the
// function's jars (lambda-behaviour §10).
package com.amazonaws.services.lambda.runtime;

/** What a handler learns about its invocation and its environment. */
public interface Context {
    String getAwsRequestId();

    String getLogGroupName();

    String getLogStreamName();

    String getFunctionName();

    String getFunctionVersion();

    String getInvokedFunctionArn();

    CognitoIdentity getIdentity();

    ClientContext getClientContext();

    /** Milliseconds left before the invocation times out. */
    int getRemainingTimeInMillis();

    int getMemoryLimitInMB();

    LambdaLogger getLogger();

    default String getTenantId() {
        return null;
    }

    default String getXrayTraceId() {
        return null;
    }
}
