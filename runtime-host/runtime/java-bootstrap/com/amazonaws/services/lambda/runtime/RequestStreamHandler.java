// Lambda Workbench's own copy of the aws-lambda-java-core API (the interfaces handlers compile against),
// written to the same names and signatures as the Apache-2.0 library so that classes built against the real
// jar link against this one. The Java runtime loads it from its own class path, ahead of any copy in the
// function's jars (lambda-behaviour §10).
package com.amazonaws.services.lambda.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A handler that reads the event's bytes and writes the response's bytes itself. */
public interface RequestStreamHandler {
    void handleRequest(InputStream input, OutputStream output, Context context) throws IOException;
}
