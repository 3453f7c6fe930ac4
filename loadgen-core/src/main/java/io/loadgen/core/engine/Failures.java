package io.loadgen.core.engine;

import io.loadgen.core.metrics.Outcome;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/** Sorts transport failures into the kinds the recorder counts. */
final class Failures {
    private Failures() {
    }

    static Outcome classify(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof NoRouteToHostException
                    || c instanceof UnknownHostException
                    || c instanceof org.apache.hc.client5.http.ConnectTimeoutException) {
                return Outcome.CONNECT;
            }
            if (c instanceof SocketTimeoutException || c instanceof TimeoutException) {
                return Outcome.TIMEOUT;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return Outcome.OTHER;
    }
}
