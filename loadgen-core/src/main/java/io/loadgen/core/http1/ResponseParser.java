package io.loadgen.core.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

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
         * @param body the body's first bytes when the parser keeps bodies, else {@code null}
         */
        void response(int status, boolean keepAlive, byte[] body);
    }

    /** The stream is not HTTP/1.x as this parser reads it. */
    static final class ProtocolException extends java.io.IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    private enum State { STATUS, HEADERS, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, IDLE }

    /** A line split across reads, gathered until its end arrives (empty otherwise). */
    private byte[] carry = new byte[0];
    private int carried;
    private ByteBuf lineBuf;
    private int lineStart;
    private int lineEnd;
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
    private final int keep;
    private byte[] body;
    private int kept;

    /**
     * @param headRequests whether the requests on this connection are HEAD requests (their responses have no body;
     *     a run sends one method)
     */
    ResponseParser(boolean headRequests) {
        this(headRequests, 0);
    }

    /**
     * @param headRequests as above
     * @param keepBodyBytes how much of each body to keep and hand to the listener, {@code >= 0}; 0 discards bodies
     *     (nothing is copied)
     */
    ResponseParser(boolean headRequests, int keepBodyBytes) {
        this.noBody = headRequests;
        this.keep = keepBodyBytes;
    }

    /** Copies up to what is left of the kept part of the body from {@code in} (its reader index unchanged). */
    private void keepBody(ByteBuf in, int n) {
        if (keep == 0 || kept >= keep) {
            return;
        }
        if (body == null) {
            body = new byte[Math.min(keep, 4096)];
        }
        int take = Math.min(n, keep - kept);
        if (kept + take > body.length) {
            body = java.util.Arrays.copyOf(body, Math.min(keep, Math.max(body.length * 2, kept + take)));
        }
        in.getBytes(in.readerIndex(), body, kept, take);
        kept += take;
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
        carried = 0;
        body = null;
        kept = 0;
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
                    keepBody(in, n);
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
                case UNTIL_CLOSE -> {
                    keepBody(in, in.readableBytes());
                    in.skipBytes(in.readableBytes());
                }
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
            listener.response(status, false, keptBody());
            return true;
        }
        return false;
    }

    /**
     * Finds the end of the current line. A line wholly inside {@code in} is read in place; one split across reads is
     * gathered in {@link #carry}.
     *
     * @return whether a whole line was read; its bytes (without CRLF) are then {@link #lineBuf} from
     *     {@link #lineStart} to {@link #lineEnd}
     */
    private boolean readLine(ByteBuf in) throws ProtocolException {
        int from = in.readerIndex();
        int lf = in.indexOf(from, in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            gather(in, in.readableBytes());
            return false;
        }
        if (carried > 0) {
            gather(in, lf - from);
            in.skipBytes(1);
            lineBuf = Unpooled.wrappedBuffer(carry, 0, carried);
            lineStart = 0;
            lineEnd = carried;
        } else {
            if (lf - from > MAX_LINE) {
                throw new ProtocolException("line longer than " + MAX_LINE + " bytes");
            }
            lineBuf = in;
            lineStart = from;
            lineEnd = lf;
            in.readerIndex(lf + 1);
        }
        if (lineEnd > lineStart && lineBuf.getByte(lineEnd - 1) == '\r') {
            lineEnd--;
        }
        return true;
    }

    /** Moves {@code n} bytes of a line not yet ended into {@link #carry}. */
    private void gather(ByteBuf in, int n) throws ProtocolException {
        if (carried + n > MAX_LINE) {
            throw new ProtocolException("line longer than " + MAX_LINE + " bytes");
        }
        if (carried + n > carry.length) {
            carry = java.util.Arrays.copyOf(carry, Math.min(MAX_LINE, Math.max(128, 2 * (carried + n))));
        }
        in.readBytes(carry, carried, n);
        carried += n;
    }

    private void onLine(Listener listener) throws ProtocolException {
        ByteBuf b = lineBuf;
        int s = lineStart;
        int e = lineEnd;
        try {
            switch (state) {
                case STATUS -> statusLine(b, s, e);
                case HEADERS -> {
                    if (s == e) {
                        endOfHead(listener);
                    } else {
                        header(b, s, e);
                    }
                }
                case CHUNK_SIZE -> chunkSize(b, s, e);
                case CHUNK_END -> {
                    if (s != e) {
                        throw new ProtocolException("chunk data longer than its size");
                    }
                    state = State.CHUNK_SIZE;
                }
                case TRAILERS -> {
                    if (s == e) {
                        complete(listener);
                    }
                }
                default -> throw new IllegalStateException(state.toString());
            }
        } finally {
            carried = 0;
            lineBuf = null;
        }
    }

    private void chunkSize(ByteBuf b, int s, int e) throws ProtocolException {
        int i = skipSpaces(b, s, e);
        long size = 0;
        int digits = 0;
        for (; i < e; i++) {
            int d = Character.digit(b.getByte(i), 16);
            if (d < 0) {
                break;
            }
            if (++digits > 15) {
                throw new ProtocolException("bad chunk size '" + text(b, s, e) + "'");
            }
            size = size << 4 | d;
        }
        i = skipSpaces(b, i, e);
        if (digits == 0 || (i < e && b.getByte(i) != ';')) {
            throw new ProtocolException("bad chunk size '" + text(b, s, e) + "'");
        }
        if (size == 0) {
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
    }

    private void statusLine(ByteBuf b, int s, int e) throws ProtocolException {
        if (s == e) {
            return; // a stray CRLF between responses is tolerated
        }
        if (e - s < 12 || !startsWith(b, s, HTTP_1) || b.getByte(s + 8) != ' ') {
            throw new ProtocolException("not an HTTP/1.x status line: '" + text(b, s, e) + "'");
        }
        http10 = b.getByte(s + 7) == '0';
        int code = 0;
        for (int i = s + 9; i < s + 12; i++) {
            int d = b.getByte(i) - '0';
            if (d < 0 || d > 9) {
                throw new ProtocolException("bad status code in '" + text(b, s, e) + "'");
            }
            code = code * 10 + d;
        }
        if (code < 100 || (e - s > 12 && b.getByte(s + 12) != ' ')) {
            throw new ProtocolException("bad status code in '" + text(b, s, e) + "'");
        }
        status = code;
        state = State.HEADERS;
    }

    private void header(ByteBuf b, int s, int e) throws ProtocolException {
        if (++headers > MAX_HEADERS) {
            throw new ProtocolException("more than " + MAX_HEADERS + " header lines");
        }
        int colon = b.indexOf(s, e, (byte) ':');
        if (colon <= s) {
            throw new ProtocolException("bad header line '" + text(b, s, e) + "'");
        }
        int nameEnd = colon;
        while (nameEnd > s && isSpace(b.getByte(nameEnd - 1))) {
            nameEnd--;
        }
        int vs = skipSpaces(b, colon + 1, e);
        int ve = e;
        while (ve > vs && isSpace(b.getByte(ve - 1))) {
            ve--;
        }
        int nameLength = nameEnd - s;
        // Only the headers that frame the message are looked at; the rest are skipped without being decoded.
        if (nameLength == CONTENT_LENGTH.length && equalsIgnoreCase(b, s, CONTENT_LENGTH)) {
            long n = 0;
            if (vs == ve || ve - vs > 18) {
                throw new ProtocolException("bad Content-Length '" + text(b, vs, ve) + "'");
            }
            for (int i = vs; i < ve; i++) {
                int d = b.getByte(i) - '0';
                if (d < 0 || d > 9) {
                    throw new ProtocolException("bad Content-Length '" + text(b, vs, ve) + "'");
                }
                n = n * 10 + d;
            }
            if (length >= 0 && length != n) {
                throw new ProtocolException("bad Content-Length '" + text(b, vs, ve) + "' after " + length);
            }
            length = n;
        } else if (nameLength == TRANSFER_ENCODING.length && equalsIgnoreCase(b, s, TRANSFER_ENCODING)) {
            chunked = ve - vs >= CHUNKED.length && equalsIgnoreCase(b, ve - CHUNKED.length, CHUNKED);
        } else if (nameLength == CONNECTION.length && equalsIgnoreCase(b, s, CONNECTION)) {
            close |= containsIgnoreCase(b, vs, ve, CLOSE);
            keepAliveHeader |= containsIgnoreCase(b, vs, ve, KEEP_ALIVE);
        }
    }

    private static final byte[] HTTP_1 = ascii("HTTP/1.");
    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] CONNECTION = ascii("connection");
    private static final byte[] CHUNKED = ascii("chunked");
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KEEP_ALIVE = ascii("keep-alive");

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t';
    }

    private static int skipSpaces(ByteBuf b, int i, int e) {
        while (i < e && isSpace(b.getByte(i))) {
            i++;
        }
        return i;
    }

    private static boolean startsWith(ByteBuf b, int s, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (b.getByte(s + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** @param lower lower-case ASCII letters and punctuation */
    private static boolean equalsIgnoreCase(ByteBuf b, int s, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            int c = b.getByte(s + i);
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lower[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean containsIgnoreCase(ByteBuf b, int s, int e, byte[] lower) {
        for (int i = s; i + lower.length <= e; i++) {
            if (equalsIgnoreCase(b, i, lower)) {
                return true;
            }
        }
        return false;
    }

    private static String text(ByteBuf b, int s, int e) {
        String t = b.toString(s, e - s, java.nio.charset.StandardCharsets.ISO_8859_1);
        return t.length() <= 60 ? t : t.substring(0, 60) + "...";
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
        byte[] b = keptBody();
        expected--;
        state = State.IDLE;
        if (keepAlive && expected > 0) {
            startResponse();
        }
        listener.response(s, keepAlive, b);
    }

    /** @return the kept body, trimmed, or null when bodies are discarded */
    private byte[] keptBody() {
        if (keep == 0) {
            return null;
        }
        return body == null ? new byte[0] : kept == body.length ? body : java.util.Arrays.copyOf(body, kept);
    }
}
