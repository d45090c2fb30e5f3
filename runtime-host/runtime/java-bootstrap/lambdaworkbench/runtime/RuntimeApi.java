// The Lambda Runtime API client (lambda-behaviour §7): GET /invocation/next, POST …/response, …/error and
// /init/error over one keep-alive HTTP/1.1 connection to AWS_LAMBDA_RUNTIME_API. A plain socket rather than
// the JDK's HTTP clients: fewer classes to load, so a shorter cold start.
package lambdaworkbench.runtime;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

final class RuntimeApi {
    private static final String PREFIX = "/2018-06-01/runtime";

    /** One invocation as GET /next hands it over. */
    static final class Invocation {
        String requestId;
        long deadlineMs;
        String invokedFunctionArn;
        String traceId;
        String clientContext;
        String cognitoIdentity;
        String tenantId;
        byte[] body;
    }

    private static final class Response {
        int status;
        final Map<String, String> headers = new HashMap<>();
        byte[] body;
    }

    private final String hostPort;
    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RuntimeApi(String hostPort) {
        if (hostPort == null || hostPort.isEmpty()) throw new IllegalStateException("AWS_LAMBDA_RUNTIME_API is not set");
        this.hostPort = hostPort;
        int colon = hostPort.lastIndexOf(':');
        this.host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        this.port = colon < 0 ? 80 : Integer.parseInt(hostPort.substring(colon + 1));
    }

    Invocation next() throws IOException {
        Response r = exchange("GET", PREFIX + "/invocation/next", null, null);
        if (r.status != 200) throw new IOException("GET /invocation/next returned " + r.status + ": " + new String(r.body, StandardCharsets.UTF_8));
        Invocation i = new Invocation();
        i.requestId = r.headers.get("lambda-runtime-aws-request-id");
        String deadline = r.headers.get("lambda-runtime-deadline-ms");
        try {
            i.deadlineMs = deadline == null ? Long.MAX_VALUE : Long.parseLong(deadline.trim());
        } catch (NumberFormatException e) {
            i.deadlineMs = Long.MAX_VALUE;
        }
        i.invokedFunctionArn = r.headers.get("lambda-runtime-invoked-function-arn");
        i.traceId = r.headers.get("lambda-runtime-trace-id");
        i.clientContext = utf8(r.headers.get("lambda-runtime-client-context"));
        i.cognitoIdentity = utf8(r.headers.get("lambda-runtime-cognito-identity"));
        i.tenantId = r.headers.get("lambda-runtime-aws-tenant-id");
        i.body = r.body;
        return i;
    }

    /** Header values arrive as bytes read as Latin-1; JSON ones are UTF-8. */
    private static String utf8(String latin1) {
        return latin1 == null ? null : new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    void postResponse(String requestId, byte[] body) throws IOException {
        check(exchange("POST", PREFIX + "/invocation/" + requestId + "/response", body, null), "response");
    }

    void postError(String requestId, String body, String errorType) throws IOException {
        check(exchange("POST", PREFIX + "/invocation/" + requestId + "/error", body.getBytes(StandardCharsets.UTF_8), errorType), "error");
    }

    void postInitError(String body, String errorType) throws IOException {
        check(exchange("POST", PREFIX + "/init/error", body.getBytes(StandardCharsets.UTF_8), errorType), "init error");
    }

    private static void check(Response r, String what) throws IOException {
        if (r.status != 202) throw new IOException("posting the " + what + " returned " + r.status + ": " + new String(r.body, StandardCharsets.UTF_8));
    }

    private Response exchange(String method, String path, byte[] body, String errorType) throws IOException {
        for (int attempt = 0;; attempt++) {
            boolean reused = socket != null;
            try {
                if (socket == null) connect();
                send(method, path, body, errorType);
                Response r = receive();
                if ("close".equalsIgnoreCase(r.headers.get("connection"))) close();
                return r;
            } catch (IOException e) {
                close();
                // A kept-alive connection the host closed meanwhile: one more try on a new one.
                if (!reused || attempt > 0) throw e;
            }
        }
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setKeepAlive(true);
        s.connect(new InetSocketAddress(host, port));
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 65536);
        out = s.getOutputStream();
    }

    private void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
        in = null;
        out = null;
    }

    private void send(String method, String path, byte[] body, String errorType) throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(hostPort).append("\r\n");
        head.append("User-Agent: lambda-workbench-java/").append(System.getProperty("java.version")).append("\r\n");
        if (body != null) {
            head.append("Content-Type: application/json\r\n");
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        if (errorType != null) head.append("Lambda-Runtime-Function-Error-Type: ").append(errorType).append("\r\n");
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) out.write(body);
        out.flush();
    }

    private Response receive() throws IOException {
        Response r = new Response();
        String status = line();
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) throw new IOException("not an HTTP response: " + status);
        r.status = Integer.parseInt(parts[1]);
        for (;;) {
            String h = line();
            if (h.isEmpty()) break;
            int colon = h.indexOf(':');
            if (colon > 0) r.headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        String length = r.headers.get("content-length");
        if ("chunked".equalsIgnoreCase(r.headers.get("transfer-encoding"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (;;) {
                String size = line();
                int semi = size.indexOf(';');
                int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                b.write(exactly(n));
                line();
            }
            r.body = b.toByteArray();
        } else if (length != null) {
            r.body = exactly(Integer.parseInt(length.trim()));
        } else {
            r.body = new byte[0];
        }
        return r;
    }

    private byte[] exactly(int n) throws IOException {
        byte[] buf = new byte[n];
        int read = 0;
        while (read < n) {
            int k = in.read(buf, read, n - read);
            if (k < 0) throw new EOFException("the Runtime API closed the connection mid-body");
            read += k;
        }
        return buf;
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        for (;;) {
            int c = in.read();
            if (c < 0) throw new EOFException("the Runtime API closed the connection");
            if (c == '\n') break;
            if (c != '\r') b.write(c);
        }
        return new String(b.toByteArray(), StandardCharsets.ISO_8859_1);
    }
}
