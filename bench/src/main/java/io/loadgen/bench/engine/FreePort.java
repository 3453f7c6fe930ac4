package io.loadgen.bench.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** Loopback ports: a free one to give a server, and a wait until a server accepts on one. */
final class FreePort {
    /** Ports in use by others on the machines this bench runs on, never handed out. */
    private static final Set<Integer> RESERVED = Set.of(18080);

    private FreePort() {
    }

    /**
     * @return a port that was free on 127.0.0.1 a moment ago (the OS's pick)
     * @throws IOException if none can be had
     */
    static int pick() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                if (!RESERVED.contains(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
        throw new IOException("no free port on 127.0.0.1");
    }

    /**
     * @param port a port on 127.0.0.1
     * @param timeout how long to wait
     * @param alive whether the server still runs (stop waiting if not)
     * @return true once a connection is accepted, false after the time-out or when the server died
     * @throws InterruptedException if interrupted
     */
    static boolean awaitAccepting(int port, Duration timeout, BooleanSupplier alive) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && alive.getAsBoolean()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return true;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        return false;
    }
}
