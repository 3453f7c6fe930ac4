package io.loadgen.core.metrics;

/** How one request ended. */
public enum Outcome {
    /** A response with status 1xx, 2xx or 3xx. */
    OK,
    /** The connection could not be made (refused, unreachable, connect timeout). */
    CONNECT,
    /** No complete response within the response timeout. */
    TIMEOUT,
    /** A response with status 4xx. */
    HTTP_4XX,
    /** A response with status 5xx. */
    HTTP_5XX,
    /** Anything else: protocol error, connection reset, cancelled at the end of a run. */
    OTHER,
    /** A response with status 1xx, 2xx or 3xx whose answer failed a check ({@code --check}). */
    CHECK;

    /** @return the outcome of an HTTP response with this status code */
    public static Outcome ofStatus(int status) {
        if (status >= 500) {
            return HTTP_5XX;
        }
        return status >= 400 ? HTTP_4XX : OK;
    }

    /** @return whether a response arrived (so response time and service time were measured) */
    public boolean hasResponse() {
        return this == OK || this == HTTP_4XX || this == HTTP_5XX || this == CHECK;
    }
}
