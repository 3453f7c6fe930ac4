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

    /**
     * @return whether {@code t} ends the run, not just its request: the JVM ran out of memory (or another error of the
     *     virtual machine), so that the generator can no longer keep its schedule
     */
    static boolean isFatal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof VirtualMachineError) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** @return why the run failed, in words a user can act on */
    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return "failed: the generator ran out of memory (" + c.getMessage() + "; its heap's ceiling is "
                        + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB): raise it with LOADGEN_OPTS=-Xmx...,"
                        + " or send smaller bodies, fewer at once or at a lower rate";
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return "failed: " + t;
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
