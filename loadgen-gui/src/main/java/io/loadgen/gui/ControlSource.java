package io.loadgen.gui;

import io.loadgen.core.control.LoadControl;
import io.loadgen.rmi.RmiLoadControls;
import java.util.Objects;

/**
 * Where the dashboard's {@link LoadControl} comes from: a local engine, or a remote one over RMI that may vanish and
 * come back. {@link #get()} is called off the FX thread only.
 */
public interface ControlSource {
    /**
     * @return the control
     * @throws RuntimeException when it cannot be reached now; the dashboard shows "disconnected" and tries again
     */
    LoadControl get();

    /** Forgets a connection that failed, so that the next {@link #get()} connects anew. */
    void reset();

    /** @return what to show as the engine's place, e.g. "local" or "rmi://127.0.0.1:2222" */
    String describe();

    /** A local engine. */
    static ControlSource local(LoadControl control) {
        Objects.requireNonNull(control);
        return new ControlSource() {
            @Override
            public LoadControl get() {
                return control;
            }

            @Override
            public void reset() {
            }

            @Override
            public String describe() {
                return "local engine";
            }
        };
    }

    /** A remote engine over RMI, reconnected on demand. */
    static ControlSource remote(String host, int port, String token) {
        return new ControlSource() {
            private volatile LoadControl cached;

            @Override
            public LoadControl get() {
                LoadControl c = cached;
                if (c == null) {
                    c = RmiLoadControls.connect(host, port, token);
                    cached = c;
                }
                return c;
            }

            @Override
            public void reset() {
                cached = null;
            }

            @Override
            public String describe() {
                return "rmi://" + host + ":" + port;
            }
        };
    }
}
