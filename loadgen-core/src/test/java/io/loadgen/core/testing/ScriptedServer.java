package io.loadgen.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw TCP server on an ephemeral loopback port whose every connection is handled by a script: for the cases a
 * well-behaved HTTP server never produces (pipelined answers in one write, resets, a trickle of bytes, bodies
 * without framing). One thread per connection; {@link #close} ends them all.
 */
public final class ScriptedServer implements AutoCloseable {
    /** What to do with one connection. */
    @FunctionalInterface
    public interface Script {
        void serve(Socket s, Requests in) throws Exception;
    }

    /** Reads requests (heads and Content-Length bodies) from a connection. */
    public static final class Requests {
        private final InputStream in;

        Requests(InputStream in) {
            this.in = in;
        }

        /** @return the next request head, or null at the end of the stream */
        public String next() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int last4 = 0;
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                last4 = (last4 << 8) | b;
                if (last4 == 0x0d0a0d0a) {
                    String h = head.toString(StandardCharsets.ISO_8859_1);
                    for (String line : h.split("\r\n")) {
                        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                            in.readNBytes(Integer.parseInt(line.substring(15).trim()));
                        }
                    }
                    return h;
                }
            }
            return null;
        }

        /** @return whether bytes are waiting to be read now */
        public boolean ready() throws IOException {
            return in.available() > 0;
        }
    }

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;

    private ScriptedServer(Script script) throws IOException {
        server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    sockets.add(s);
                    connections.incrementAndGet();
                    Thread t = new Thread(() -> {
                        try (s) {
                            script.serve(s, new Requests(s.getInputStream()));
                        } catch (Exception e) {
                            // the client went away, or the script ended the connection
                        }
                    }, "scripted-connection");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "scripted-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @return a server running the script on every connection */
    public static ScriptedServer start(Script script) throws IOException {
        return new ScriptedServer(script);
    }

    /** @return {@code http://127.0.0.1:PORT/path} */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    /** @return connections accepted so far */
    public int connections() {
        return connections.get();
    }

    /** Writes text as ISO-8859-1 bytes. */
    public static void write(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
