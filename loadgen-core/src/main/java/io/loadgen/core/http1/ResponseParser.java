package io.loadgen.core.http1;

import io.netty.buffer.ByteBuf;

/**
 * Reads HTTP/1.1 responses from a connection's byte stream, incrementally, without copying or keeping bodies: the
 * status line, the headers that frame the message ({@code Content-Length}, {@code Transfer-Encoding: chunked},
 * {@code Connection}), and a body of known length, chunked (extensions and trailers skipped) or read until the
 * connection closes. Informational (1xx) responses are skipped; responses to HEAD, 204 and 304 have no body.
 * Back-to-back responses in one buffer (pipelining) are each reported. Not thread-safe: one connection's event loop
 * owns it.
 */
final class ResponseParser {
    /** Longest status line, header line or chunk-size line accepted. */
    static final int MAX_LINE = 16 * 1024;
    /** Most header lines in one response. */
    static final int MAX_HEADERS = 256;

    /** Hears each whole response. */
    interface Listener {
        /**
         * @param status the status code
         * @param keepAlive whether the connection may carry another request
         */
        void response(int status, boolean keepAlive);
    }

    /** The stream is not HTTP/1.x as this parser reads it. */
    static final class ProtocolException extends java.io.IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    private enum State { STATUS, HEADERS, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, IDLE }

    private final StringBuilder line = new StringBuilder(128);
    private final boolean noBody;
    private State state = State.IDLE;
    private int expected;
    private int status;
    private boolean http10;
    private boolean close;
    private boolean keepAliveHeader;
    private boolean chunked;
    private long length;
    private long remaining;
    private int headers;
    private boolean lastWasCr;

    /**
     * @param headRequests whether the requests on this connection are HEAD requests (their responses have no body;
     *     a run sends one method)
     */
    ResponseParser(boolean headRequests) {
        this.noBody = headRequests;
    }

    /** A request was sent: its response comes after those already expected. */
    void expect() {
        expected++;
        if (state == State.IDLE) {
            startResponse();
        }
    }

    /** @return responses expected and not yet read */
    int expected() {
        return expected;
    }

    private void startResponse() {
        state = State.STATUS;
        status = 0;
        http10 = false;
        close = false;
        keepAliveHeader = false;
        chunked = false;
        length = -1;
        headers = 0;
        line.setLength(0);
    }


    /**
     * Reads what arrived; reports each response completed by it.
     *
     * @param in the bytes, consumed entirely
     * @param listener hears each whole response
     * @throws ProtocolException for bytes that are not a response, or bytes no request asked for
     */
    void feed(ByteBuf in, Listener listener) throws ProtocolException {
        while (in.isReadable()) {
            switch (state) {
                case IDLE -> throw new ProtocolException("bytes from the server while no response was expected");
                case STATUS, HEADERS, CHUNK_SIZE, CHUNK_END, TRAILERS -> {
                    if (!readLine(in)) {
                        return;
                    }
                    onLine(listener);
                }
                case BODY, CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    in.skipBytes(n);
                    remaining -= n;
                    if (remaining == 0) {
                        if (state == State.BODY) {
                            complete(listener);
                        } else {
                            state = State.CHUNK_END;
                        }
                    }
                }
                case UNTIL_CLOSE -> in.skipBytes(in.readableBytes());
                default -> throw new IllegalStateException(state.toString());
            }
        }
    }

    /**
     * The connection closed.
     *
     * @return whether that completed a response (one read until the close)
     */
    boolean closed(Listener listener) {
        if (state == State.UNTIL_CLOSE) {
            state = State.IDLE;
            expected--;
            listener.response(status, false);
            return true;
        }
        return false;
    }

    /** @return whether a whole line was read into {@link #line} (without its CRLF) */
    private boolean readLine(ByteBuf in) throws ProtocolException {
        while (in.isReadable()) {
            byte b = in.readByte();
            if (b == '\n') {
                if (lastWasCr) {
                    line.setLength(line.length() - 1);
                }
                lastWasCr = false;
                return true;
            }
            lastWasCr = b == '\r';
            line.append((char) (b & 0xff));
            if (line.length() > MAX_LINE) {
                throw new ProtocolException("line longer than " + MAX_LINE + " bytes");
            }
        }
        return false;
    }

    private void onLine(Listener listener) throws ProtocolException {
        String l = line.toString();
        line.setLength(0);
        switch (state) {
            case STATUS -> statusLine(l);
            case HEADERS -> {
                if (l.isEmpty()) {
                    endOfHead(listener);
                } else {
                    header(l);
                }
            }
            case CHUNK_SIZE -> {
                int semi = l.indexOf(';');
                String hex = (semi >= 0 ? l.substring(0, semi) : l).trim();
                long size;
                try {
                    size = Long.parseLong(hex, 16);
                } catch (NumberFormatException e) {
                    throw new ProtocolException("bad chunk size '" + hex + "'");
                }
                if (size < 0) {
                    throw new ProtocolException("bad chunk size '" + hex + "'");
                }
                if (size == 0) {
                    state = State.TRAILERS;
                } else {
                    remaining = size;
                    state = State.CHUNK_DATA;
                }
            }
            case CHUNK_END -> {
                if (!l.isEmpty()) {
                    throw new ProtocolException("chunk data longer than its size");
                }
                state = State.CHUNK_SIZE;
            }
            case TRAILERS -> {
                if (l.isEmpty()) {
                    complete(listener);
                }
            }
            default -> throw new IllegalStateException(state.toString());
        }
    }

    private void statusLine(String l) throws ProtocolException {
        if (l.isEmpty()) {
            return; // a stray CRLF between responses is tolerated
        }
        if (!l.startsWith("HTTP/1.") || l.length() < 12 || l.charAt(8) != ' ') {
            throw new ProtocolException("not an HTTP/1.x status line: '" + abbreviate(l) + "'");
        }
        http10 = l.charAt(7) == '0';
        try {
            status = Integer.parseInt(l.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new ProtocolException("bad status code in '" + abbreviate(l) + "'");
        }
        if (status < 100 || status > 999) {
            throw new ProtocolException("bad status code " + status);
        }
        state = State.HEADERS;
    }

    private void header(String l) throws ProtocolException {
        if (++headers > MAX_HEADERS) {
            throw new ProtocolException("more than " + MAX_HEADERS + " header lines");
        }
        int colon = l.indexOf(':');
        if (colon <= 0) {
            throw new ProtocolException("bad header line '" + abbreviate(l) + "'");
        }
        String name = l.substring(0, colon).trim();
        String value = l.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("content-length")) {
            try {
                long n = Long.parseLong(value);
                if (n < 0 || (length >= 0 && length != n)) {
                    throw new ProtocolException("bad Content-Length '" + value + "'");
                }
                length = n;
            } catch (NumberFormatException e) {
                throw new ProtocolException("bad Content-Length '" + value + "'");
            }
        } else if (name.equalsIgnoreCase("transfer-encoding")) {
            chunked = value.toLowerCase(java.util.Locale.ROOT).endsWith("chunked");
        } else if (name.equalsIgnoreCase("connection")) {
            String v = value.toLowerCase(java.util.Locale.ROOT);
            close |= v.contains("close");
            keepAliveHeader |= v.contains("keep-alive");
        }
    }

    private void endOfHead(Listener listener) {
        if (status >= 100 && status < 200 && status != 101) {
            startResponse(); // informational: the real response follows
            return;
        }
        if (noBody || status == 204 || status == 304 || status == 101) {
            complete(listener);
        } else if (chunked) {
            state = State.CHUNK_SIZE;
        } else if (length >= 0) {
            remaining = length;
            if (remaining == 0) {
                complete(listener);
            } else {
                state = State.BODY;
            }
        } else {
            state = State.UNTIL_CLOSE; // no framing: the body ends when the connection does
        }
    }

    private void complete(Listener listener) {
        boolean keepAlive = !close && (!http10 || keepAliveHeader) && status != 101;
        int s = status;
        expected--;
        state = State.IDLE;
        if (keepAlive && expected > 0) {
            startResponse();
        }
        listener.response(s, keepAlive);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
