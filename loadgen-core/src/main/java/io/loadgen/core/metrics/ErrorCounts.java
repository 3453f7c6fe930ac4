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
 * @param shed of {@code http4xx} and {@code http5xx}: the answers 429 Too Many Requests and 503 Service Unavailable,
 *     with which a server sheds load it has no room for; counted in those, not again in {@link #total()}
 */
public record ErrorCounts(long connect, long timeout, long http4xx, long http5xx, long other, long check, long shed)
        implements Serializable {
    /** No errors. */
    public static final ErrorCounts NONE = new ErrorCounts(0, 0, 0, 0, 0, 0, 0);

    /** Errors of a run without checks, and no load shed. */
    public ErrorCounts(long connect, long timeout, long http4xx, long http5xx, long other) {
        this(connect, timeout, http4xx, http5xx, other, 0, 0);
    }

    /** Errors with no load shed. */
    public ErrorCounts(long connect, long timeout, long http4xx, long http5xx, long other, long check) {
        this(connect, timeout, http4xx, http5xx, other, check, 0);
    }

    /** @return whether {@code status} is one with which a server sheds load: 429 or 503 */
    public static boolean isShed(int status) {
        return status == 429 || status == 503;
    }

    /** @return all errors together */
    public long total() {
        return connect + timeout + http4xx + http5xx + other + check;
    }

    /** @return the sum of this and {@code o} */
    public ErrorCounts plus(ErrorCounts o) {
        return new ErrorCounts(connect + o.connect, timeout + o.timeout, http4xx + o.http4xx, http5xx + o.http5xx,
                other + o.other, check + o.check, shed + o.shed);
    }
}
