package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** An HTTP API (payload 2.0) handler: GET /hello/{name} → a JSON greeting. */
public class App implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final String GREETING = System.getenv().getOrDefault("GREETING", "Hello");

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        LambdaLogger logger = context.getLogger();
        Object params = event.get("pathParameters");
        Object name = params instanceof Map ? ((Map<?, ?>) params).get("name") : null;
        if (name == null) name = "world";
        logger.log("greeting " + name + ", " + context.getRemainingTimeInMillis() + " ms left");
        String body = "{\"message\":\"" + GREETING + ", " + name + "!\",\"requestId\":\"" + context.getAwsRequestId() + "\"}";
        return Map.of("statusCode", 200, "headers", Map.of("content-type", "application/json"), "body", body);
    }
}
