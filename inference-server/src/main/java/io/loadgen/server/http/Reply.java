package io.loadgen.server.http;

import java.util.Map;

/**
 * A successful answer of a route: the bytes, their content type and any extra headers (e.g. the binary tensor
 * extension's {@code Inference-Header-Content-Length}). Errors are not replies: they are {@link ApiError}s.
 *
 * @param contentType the {@code Content-Type}
 * @param body the bytes to send
 * @param headers extra response headers, none by default
 */
record Reply(String contentType, byte[] body, Map<String, String> headers) {
    Reply {
        headers = Map.copyOf(headers);
    }

    static Reply json(byte[] body) {
        return new Reply("application/json", body, Map.of());
    }
}
