// Lambda Workbench's own copy of the aws-lambda-java-core API (the interfaces handlers compile against),
// written to the same names and signatures as the Apache-2.0 library so that classes built against the real
// jar link against this one. The Java runtime loads it from its own class path, ahead of any copy in the
// function's jars (lambda-behaviour §10).
package com.amazonaws.services.lambda.runtime;

import java.io.IOException;

/** The runtime's logger, for code that has no {@link Context} at hand. */
public final class LambdaRuntime {
    private LambdaRuntime() {
    }

    /** Replaced by the runtime at start-up (by reflection, as Lambda's runtime does); this one serves code run outside it. */
    private static volatile LambdaLogger logger = new LambdaLogger() {
        @Override
        public void log(String message) {
            System.out.print(message);
        }

        @Override
        public void log(byte[] message) {
            try {
                System.out.write(message);
            } catch (IOException e) {
                e.printStackTrace();
            }
        }
    };

    public static LambdaLogger getLogger() {
        return logger;
    }
}
