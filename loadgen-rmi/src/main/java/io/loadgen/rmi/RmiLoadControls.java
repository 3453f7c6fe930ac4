package io.loadgen.rmi;

import io.loadgen.core.control.LoadControl;
import io.loadgen.core.control.RunStatus;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.metrics.WindowStats;
import io.loadgen.core.schedule.RateProfile;
import java.rmi.NotBoundException;
import java.rmi.RemoteException;
import java.rmi.registry.LocateRegistry;
import java.util.Optional;

/**
 * Returns a {@link LoadControl} for a remote engine, so that code driving a local engine drives a remote one
 * unchanged. Transport failures arrive as {@link RemoteControlException}; the engine's own exceptions (a bad rate,
 * a run already going on) as themselves.
 */
public final class RmiLoadControls {
    private RmiLoadControls() {
    }

    /** An engine without a token. @see #connect(String, int, String) */
    public static LoadControl connect(String host, int port) {
        return connect(host, port, null);
    }

    /**
     * @param host the engine's host, e.g. 127.0.0.1
     * @param port its {@code rmiPort}
     * @param token its shared token, or {@code null} when it has none
     * @return a control of the remote engine
     * @throws RemoteControlException if nothing answers there
     * @throws SecurityException if the engine needs a token and this is not it
     */
    public static LoadControl connect(String host, int port, String token) {
        return connect(host, port, token, false);
    }

    /**
     * @param tls whether the engine serves over TLS; the client then trusts its certificate through its trust store
     *     ({@code -Djavax.net.ssl.trustStore=...})
     * @see #connect(String, int, String)
     */
    public static LoadControl connect(String host, int port, String token, boolean tls) {
        String where = host + ":" + port;
        try {
            RemoteLogin login = (RemoteLogin) (tls
                    ? LocateRegistry.getRegistry(host, port, new javax.rmi.ssl.SslRMIClientSocketFactory())
                    : LocateRegistry.getRegistry(host, port)).lookup(RemoteLoadControl.NAME);
            return new Client(login.open(token), where);
        } catch (RemoteException | NotBoundException e) {
            throw new RemoteControlException("no loadgen remote control at " + where + ": " + e, e);
        }
    }

    /** A call that may fail remotely. */
    @FunctionalInterface
    private interface Call<T> {
        T call() throws RemoteException;
    }

    private record Client(RemoteLoadControl remote, String where) implements LoadControl {
        private <T> T call(Call<T> c) {
            try {
                return c.call();
            } catch (RemoteException e) {
                throw new RemoteControlException("call to the loadgen engine at " + where + " failed: " + e, e);
            }
        }

        @Override
        public void start() {
            call(() -> {
                remote.start();
                return null;
            });
        }

        @Override
        public void start(RunPlan plan) {
            call(() -> {
                remote.start(plan);
                return null;
            });
        }

        @Override
        public void stop() {
            call(() -> {
                remote.stop();
                return null;
            });
        }

        @Override
        public void setRate(double perSecond) {
            call(() -> {
                remote.setRate(perSecond);
                return null;
            });
        }

        @Override
        public void setProfile(RateProfile profile) {
            call(() -> {
                remote.setProfile(profile);
                return null;
            });
        }

        @Override
        public void setConcurrency(int sessions) {
            call(() -> {
                remote.setConcurrency(sessions);
                return null;
            });
        }

        @Override
        public double currentRate() {
            return call(remote::currentRate);
        }

        @Override
        public Optional<IntervalStats> latestInterval() {
            return Optional.ofNullable(call(remote::latestInterval));
        }

        @Override
        public WindowStats window() {
            return call(remote::window);
        }

        @Override
        public RunSummary summary() {
            return call(remote::summary);
        }

        @Override
        public RunStatus status() {
            return call(remote::status);
        }
    }
}
