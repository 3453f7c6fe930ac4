package io.loadgen.core.metrics;

import java.io.Serializable;

/**
 * Failed requests by kind. Counts are {@code >= 0}.
 *
 * @param connect the connection could not be made
 * @param timeout no response within the response timeout
 * @param http4xx responses with status 4xx
 * @param http5xx responses with status 5xx
 * @param other any other failure
 * @param check answered 1xx-3xx, but the answer failed a check ({@code --check})
 */
public record ErrorCounts(long connect, long timeout, long http4xx, long http5xx, long other, long check)
        implements Serializable {
    /** No errors. */
    public static final ErrorCounts NONE = new ErrorCounts(0, 0, 0, 0, 0, 0);

    /** Errors of a run without checks. */
    public ErrorCounts(long connect, long timeout, long http4xx, long http5xx, long other) {
        this(connect, timeout, http4xx, http5xx, other, 0);
    }

    /** @return all errors together */
    public long total() {
        return connect + timeout + http4xx + http5xx + other + check;
    }

    /** @return the sum of this and {@code o} */
    public ErrorCounts plus(ErrorCounts o) {
        return new ErrorCounts(connect + o.connect, timeout + o.timeout, http4xx + o.http4xx, http5xx + o.http5xx,
                other + o.other, check + o.check);
    }
}
