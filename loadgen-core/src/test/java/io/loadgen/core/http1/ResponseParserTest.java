package io.loadgen.core.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ResponseParserTest {
    private record Seen(int status, boolean keepAlive) {
    }

    /** Feeds the text in pieces of {@code step} bytes (1: every split point) and returns the responses heard. */
    private static List<Seen> parse(String text, int expected, int step) throws Exception {
        ResponseParser p = new ResponseParser(false);
        for (int i = 0; i < expected; i++) {
            p.expect();
        }
        List<Seen> seen = new ArrayList<>();
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += step) {
            ByteBuf b = Unpooled.wrappedBuffer(bytes, i, Math.min(step, bytes.length - i));
            p.feed(b, (s, k, body) -> seen.add(new Seen(s, k)));
            assertFalse(b.isReadable(), "all consumed");
        }
        return seen;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 1000})
    void contentLengthBodiesAreSkippedWhereverTheBytesSplit(int step) throws Exception {
        String r = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello";
        assertEquals(List.of(new Seen(200, true)), parse(r, 1, step));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 1000})
    void chunkedBodiesWithExtensionsAndTrailersAreRead(int step) throws Exception {
        String r = "HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n"
                + "0\r\nX-Trailer: yes\r\n\r\n";
        assertEquals(List.of(new Seen(201, true)), parse(r, 1, step));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 1000})
    void pipelinedResponsesInOneBufferAreEachReported(int step) throws Exception {
        String one = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        String two = "HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nbad\r\n0\r\n\r\n";
        String three = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        assertEquals(List.of(new Seen(200, true), new Seen(503, true), new Seen(404, true)),
                parse(one + two + three, 3, step));
    }

    @Test
    void connectionCloseAndHttp10EndTheConnection() throws Exception {
        assertEquals(List.of(new Seen(200, false)),
                parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx", 1, 1000));
        assertEquals(List.of(new Seen(200, false)), parse("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", 1, 1000));
        assertEquals(List.of(new Seen(200, true)),
                parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx", 1, 1000));
    }

    @Test
    void aBodyWithoutFramingEndsWithTheConnection() throws Exception {
        ResponseParser p = new ResponseParser(false);
        p.expect();
        List<Seen> seen = new ArrayList<>();
        p.feed(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n\r\nsome body", StandardCharsets.US_ASCII),
                (s, k, body) -> seen.add(new Seen(s, k)));
        assertEquals(List.of(), seen, "not complete until the close");
        assertTrue(p.closed((s, k, body) -> seen.add(new Seen(s, k))));
        assertEquals(List.of(new Seen(200, false)), seen);
        assertEquals(0, p.expected());
    }

    @Test
    void informationalResponsesAreSkippedAndBodilessStatusesHaveNoBody() throws Exception {
        String r = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n"
                + "Content-Length: 99\r\n\r\n";
        assertEquals(List.of(new Seen(204, true), new Seen(304, true)), parse(r, 2, 1));
    }

    @Test
    void headResponsesHaveNoBodyWhateverTheirLength() throws Exception {
        ResponseParser p = new ResponseParser(true);
        p.expect();
        List<Seen> seen = new ArrayList<>();
        p.feed(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 4000\r\n\r\n", StandardCharsets.US_ASCII),
                (s, k, body) -> seen.add(new Seen(s, k)));
        assertEquals(List.of(new Seen(200, true)), seen);
    }

    @Test
    void aFourMegabyteBodyIsSkippedWithoutBeingKept() throws Exception {
        ResponseParser p = new ResponseParser(false);
        p.expect();
        List<Seen> seen = new ArrayList<>();
        int size = 4 << 20;
        p.feed(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n",
                StandardCharsets.US_ASCII), (s, k, body) -> seen.add(new Seen(s, k)));
        ByteBuf chunk = Unpooled.wrappedBuffer(new byte[64 * 1024]);
        for (int i = 0; i < size / chunk.capacity(); i++) {
            chunk.readerIndex(0);
            p.feed(chunk, (s, k, body) -> seen.add(new Seen(s, k)));
        }
        assertEquals(List.of(new Seen(200, true)), seen);
    }

    @Test
    void garbageAndUnsolicitedBytesAreProtocolErrors() {
        assertThrows(ResponseParser.ProtocolException.class, () -> parse("SSH-2.0-OpenSSH\r\n", 1, 1000));
        assertThrows(ResponseParser.ProtocolException.class, () -> parse("HTTP/1.1 abc OK\r\n", 1, 1000));
        assertThrows(ResponseParser.ProtocolException.class,
                () -> parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 1, 1000));
        assertThrows(ResponseParser.ProtocolException.class,
                () -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 1, 1000));
        assertThrows(ResponseParser.ProtocolException.class,
                () -> parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n", 1, 1000),
                "a second response nobody asked for");
        assertThrows(ResponseParser.ProtocolException.class,
                () -> parse("HTTP/1.1 200 OK\r\nX: " + "a".repeat(ResponseParser.MAX_LINE) + "\r\n", 1, 1000));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 1000})
    void framingHeadersAreFoundWhateverTheirCaseAndSpacing(int step) throws Exception {
        String r = "HTTP/1.1 200 OK\r\nCONTENT-length :  3 \r\nX-Content-Length: 99\r\nconnection:\tClose\r\n\r\nabc";
        assertEquals(List.of(new Seen(200, false)), parse(r, 1, step));
        String h10 = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: Keep-Alive\r\n\r\n";
        assertEquals(List.of(new Seen(200, true)), parse(h10, 1, step));
    }

    @Test
    void overlongLinesSplitAcrossReadsAndConflictingLengthsAreProtocolErrors() {
        String longHeader = "HTTP/1.1 200 OK\r\nX: " + "a".repeat(ResponseParser.MAX_LINE) + "\r\n";
        assertThrows(ResponseParser.ProtocolException.class, () -> parse(longHeader, 1, 4096));
        assertThrows(ResponseParser.ProtocolException.class,
                () -> parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 1, 7));
        assertThrows(ResponseParser.ProtocolException.class, () -> parse("HTTP/1.1 2000 OK\r\n", 1, 1000));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 1000})
    void keptBodiesArriveWholeForLengthChunkedAndUntilCloseAndAreCutAtTheLimit(int step) throws Exception {
        String r = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"a\": 123}"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"b\"\r\n4\r\n: 1}\r\n0\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij"
                + "HTTP/1.1 204 No Content\r\n\r\n";
        ResponseParser p = new ResponseParser(false, 16);
        for (int i = 0; i < 4; i++) {
            p.expect();
        }
        List<String> bodies = new ArrayList<>();
        byte[] bytes = r.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += step) {
            p.feed(Unpooled.wrappedBuffer(bytes, i, Math.min(step, bytes.length - i)),
                    (s, k, b) -> bodies.add(new String(b, StandardCharsets.ISO_8859_1)));
        }
        assertEquals(List.of("{\"a\": 123}", "{\"b\": 1}", "0123456789abcdef", ""), bodies,
                "each response's own body, the third cut at the 16-byte limit");
        ResponseParser untilClose = new ResponseParser(false, 100);
        untilClose.expect();
        List<String> last = new ArrayList<>();
        untilClose.feed(Unpooled.copiedBuffer("HTTP/1.0 200 OK\r\n\r\nto the end", StandardCharsets.US_ASCII),
                (s, k, b) -> last.add(new String(b, StandardCharsets.US_ASCII)));
        assertTrue(untilClose.closed((s, k, b) -> last.add(new String(b, StandardCharsets.US_ASCII))));
        assertEquals(List.of("to the end"), last);
        ResponseParser discarding = new ResponseParser(false);
        discarding.expect();
        List<byte[]> none = new ArrayList<>();
        discarding.feed(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                StandardCharsets.US_ASCII), (s, k, b) -> none.add(b));
        assertEquals(1, none.size());
        assertEquals(null, none.get(0), "without a limit nothing is kept");
    }
}
