// Lambda Workbench's own copy of the aws-lambda-java-core API (the interfaces handlers compile against),
// written to the same names and signatures as the Apache-2.0 library so that classes built against the real
// jar link against this one. The Java runtime loads it from its own class path, ahead of any copy in the
// function's jars (lambda-behaviour §10).
package com.amazonaws.services.lambda.runtime.logging;

/** Log levels; UNDEFINED is what {@code log(message)} without a level uses, and is never filtered. */
public enum LogLevel {
    UNDEFINED,
    TRACE,
    DEBUG,
    INFO,
    WARN,
    ERROR,
    FATAL;

    public static LogLevel fromString(String logLevel) {
        try {
            return LogLevel.valueOf(logLevel.toUpperCase());
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "Invalid log level: '" + logLevel + "' expected one of [TRACE, DEBUG, INFO, WARN, ERROR, FATAL]");
        }
    }
}
