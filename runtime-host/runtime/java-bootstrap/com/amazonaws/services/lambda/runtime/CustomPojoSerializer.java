// Lambda Workbench's own copy of the aws-lambda-java-core API (the interfaces handlers compile against),
// written to the same names and signatures as the Apache-2.0 library so that classes built against the real
// jar link against this one. The Java runtime loads it from its own class path, ahead of any copy in the
// function's jars (lambda-behaviour §10).
package com.amazonaws.services.lambda.runtime;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Type;

/**
 * A serializer a function provides through META-INF/services: when one is found, the runtime uses it
 * instead of its own JSON binding for a RequestHandler's input and output.
 */
public interface CustomPojoSerializer {
    <T> T fromJson(InputStream input, Type type);

    <T> T fromJson(String input, Type type);

    <T> void toJson(T value, OutputStream output, Type type);
}
