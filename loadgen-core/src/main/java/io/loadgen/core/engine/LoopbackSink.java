package io.loadgen.core.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 server on an ephemeral loopback port, one thread, for the generator's self-warm: it reads each
 * request (head and {@code Content-Length} body) and answers 200 (in turn a few shapes of answer real servers give),
 * keeping the connection alive. It speaks
 * only what loadgen's own transport sends (no chunked bodies, no pipelining); anything else closes the connection.
 */
final class LoopbackSink implements AutoCloseable {
    /**
     * The answers, in turn: shaped like those of the servers a run meets (nginx's static files, a JSON API, chunked
     * bodies), so that the client's parser is compiled for their headers and framings rather than for one.
     */
    private static final byte[][] RESPONSES = {
        ascii("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 01 Dec 2026 12:00:00 GMT\r\n"
                + "Content-Type: text/html\r\nContent-Length: 13\r\nLast-Modified: Tue, 01 Dec 2026 11:00:00 GMT\r\n"
                + "Connection: keep-alive\r\nETag: \"692d8000-d\"\r\nAccept-Ranges: bytes\r\n\r\n<p>hello</p>\n"),
        ascii("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 27\r\n\r\n"
                + "{\"predictions\":[[0.1,0.9]]}"),
        ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\n\r\n"),
        ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"),
    };

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private int answered;
    private static final int MAX_HEAD = 64 * 1024;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    private volatile boolean closed;

    private LoopbackSink() throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::loop, "loadgen-self-warm-sink");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return a started sink */
    static LoopbackSink start() throws IOException {
        return new LoopbackSink();
    }

    /** @return {@code target}'s path and query on this sink */
    URI uri(URI target) {
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        String query = target.getRawQuery() == null ? "" : "?" + target.getRawQuery();
        return URI.create("http://127.0.0.1:" + server.socket().getLocalPort() + path + query);
    }

    /** Per connection: bytes of the request read so far, and the response bytes still to write. */
    private static final class Conn {
        ByteBuffer in = ByteBuffer.allocate(8192);
        ByteBuffer out;
        long bodyLeft = -1;
    }

    private void loop() {
        try {
            while (!closed) {
                selector.select(100);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    try {
                        if (k.isAcceptable()) {
                            SocketChannel c = server.accept();
                            if (c != null) {
                                c.configureBlocking(false);
                                c.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                                c.register(selector, SelectionKey.OP_READ, new Conn());
                            }
                        } else {
                            serve(k);
                        }
                    } catch (IOException | RuntimeException e) {
                        k.cancel();
                        k.channel().close();
                    }
                }
            }
        } catch (IOException e) {
            // the selector broke: the sink is done
        }
    }

    private void serve(SelectionKey k) throws IOException {
        SocketChannel ch = (SocketChannel) k.channel();
        Conn c = (Conn) k.attachment();
        if (k.isWritable() && c.out != null) {
            ch.write(c.out);
            if (!c.out.hasRemaining()) {
                c.out = null;
                k.interestOps(SelectionKey.OP_READ);
            }
            return;
        }
        if (ch.read(c.in) < 0) {
            k.cancel();
            ch.close();
            return;
        }
        while (c.out == null && parse(c)) {
            c.out = ByteBuffer.wrap(RESPONSES[answered++ & (RESPONSES.length - 1)]);
            ch.write(c.out);
            if (c.out.hasRemaining()) {
                k.interestOps(SelectionKey.OP_WRITE);
                return;
            }
            c.out = null;
        }
    }

    /** @return whether a whole request was consumed from the buffer */
    private static boolean parse(Conn c) throws IOException {
        ByteBuffer b = c.in;
        if (c.bodyLeft < 0) {
            int end = headEnd(b);
            if (end < 0) {
                if (b.position() >= MAX_HEAD) {
                    throw new IOException("request head too long");
                }
                if (!b.hasRemaining()) {
                    c.in = grow(b);
                }
                return false;
            }
            String head = new String(b.array(), 0, end, StandardCharsets.ISO_8859_1);
            c.bodyLeft = contentLength(head);
            compact(b, end);
        }
        long take = Math.min(c.bodyLeft, b.position());
        compact(b, (int) take);
        c.bodyLeft -= take;
        if (c.bodyLeft > 0) {
            return false;
        }
        c.bodyLeft = -1;
        return true;
    }

    private static int headEnd(ByteBuffer b) {
        byte[] a = b.array();
        for (int i = 3; i < b.position(); i++) {
            if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private static long contentLength(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                if (name.equals("transfer-encoding")) {
                    throw new IOException("chunked bodies are not spoken here");
                }
                if (name.equals("content-length")) {
                    return Long.parseLong(line.substring(colon + 1).trim());
                }
            }
        }
        return 0;
    }

    /** Drops the first {@code n} bytes read. */
    private static void compact(ByteBuffer b, int n) {
        b.flip();
        b.position(n);
        b.compact();
    }

    private static ByteBuffer grow(ByteBuffer b) {
        ByteBuffer g = ByteBuffer.allocate(b.capacity() * 2);
        b.flip();
        g.put(b);
        return g;
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(2000);
            for (SelectionKey k : selector.keys()) {
                k.channel().close();
            }
            selector.close();
            server.close();
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
