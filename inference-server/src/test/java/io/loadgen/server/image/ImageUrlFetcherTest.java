package io.loadgen.server.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fetcher against real loopback servers: JDK HttpServers that serve images and redirects, and plain server
 * sockets that count (never answer) connections, to show that a refused URL is not connected to.
 */
// SEPARATE_THREAD: a test blocked in a socket read (which an interrupt does not end) still fails on time
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ImageUrlFetcherTest {
    private static final byte[] IMAGE = bytes(5000, 1);

    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    // 1. not on the list: refused before any connection

    @Test
    void aHostPortNotOnTheListIsRefusedWithoutConnecting() throws Exception {
        ServerSocket counting = countingSocket();
        int other = counting.getLocalPort() == 65535 ? 65534 : counting.getLocalPort() + 1;
        ImageUrlFetcher fetcher = fetcher("127.0.0.1:" + other);

        UrlNotAllowedException e = assertThrows(UrlNotAllowedException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + counting.getLocalPort() + "/img.jpg"));
        assertEquals("host '127.0.0.1:" + counting.getLocalPort() + "' is not on imageUrlAllow (allowed: 127.0.0.1:"
                + other + "); an entry without a port allows only port 80 for http and 443 for https", e.getMessage());
        assertNoConnectionYet(counting);
    }

    @Test
    void aNameNotOnTheListIsRefusedWithoutLookingItUp() {
        ImageUrlFetcher fetcher = fetcher("images.example.com,cdn.local:8080");
        UrlNotAllowedException e = assertThrows(UrlNotAllowedException.class,
                () -> fetcher.fetch("https://evil.invalid/x.png"));
        assertEquals("host 'evil.invalid' is not on imageUrlAllow (allowed: images.example.com, cdn.local:8080)",
                e.getMessage());
        e = assertThrows(UrlNotAllowedException.class, () -> fetcher.fetch("http://images.example.com:8080/x.png"));
        assertTrue(e.getMessage().startsWith("host 'images.example.com:8080' is not on imageUrlAllow"), e.getMessage());
    }

    @Test
    void anEmptyListRefusesEveryUrl() {
        ImageUrlFetcher fetcher = fetcher("");
        UrlNotAllowedException e = assertThrows(UrlNotAllowedException.class,
                () -> fetcher.fetch("http://127.0.0.1/x.png"));
        assertEquals("host '127.0.0.1' is not on imageUrlAllow, which lists no host: images by URL are off",
                e.getMessage());
    }

    // 2. listed by name, resolving to loopback: refused by the address check

    @Test
    void localhostListedByNameIsRefusedAsLoopbackWithoutConnecting() throws Exception {
        ServerSocket counting = countingSocket();
        int port = counting.getLocalPort();
        ImageUrlFetcher fetcher = fetcher("localhost:" + port);

        UrlNotAllowedException e = assertThrows(UrlNotAllowedException.class,
                () -> fetcher.fetch("http://LocalHost:" + port + "/img.jpg"));
        assertTrue(e.getMessage().startsWith("host 'localhost' resolves to "), e.getMessage());
        assertTrue(e.getMessage().contains(", a loopback address, which is refused unless imageUrlAllow lists that IP"
                + " address itself"), e.getMessage());
        assertNoConnectionYet(counting);
    }

    // 3. listed as a literal: works

    @Test
    void aListedLoopbackLiteralIsFetched() throws Exception {
        HttpServer server = server();
        serve(server, "/img.jpg", IMAGE);
        int port = server.getAddress().getPort();
        ImageUrlFetcher fetcher = fetcher("127.0.0.1:" + port);

        assertArrayEquals(IMAGE, fetcher.fetch("http://127.0.0.1:" + port + "/img.jpg"));
        // again (a pooled connection), with an upper-case scheme and a fragment that is not sent
        assertArrayEquals(IMAGE, fetcher.fetch("HTTP://127.0.0.1:" + port + "/img.jpg#frag"));
    }

    @Test
    void aListedIpv6LoopbackLiteralIsFetched() throws Exception {
        HttpServer server;
        try {
            server = server(InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
        } catch (IOException e) {
            Assumptions.abort("no IPv6 loopback: " + e);
            return;
        }
        serve(server, "/img.png", IMAGE);
        int port = server.getAddress().getPort();
        ImageUrlFetcher fetcher = fetcher("[::1]:" + port);
        assertArrayEquals(IMAGE, fetcher.fetch("http://[0:0:0:0:0:0:0:1]:" + port + "/img.png"));
    }

    @Test
    void aBodyOfExactlyTheLimitIsAccepted() throws Exception {
        HttpServer server = server();
        byte[] body = bytes(1000, 2);
        serve(server, "/fixed", body);
        server.createContext("/chunked", ex -> respondChunked(ex, body));
        int port = server.getAddress().getPort();
        ImageUrlFetcher fetcher = fetcher(config("127.0.0.1:" + port).maxBodyBytes(1000));
        assertArrayEquals(body, fetcher.fetch("http://127.0.0.1:" + port + "/fixed"));
        assertArrayEquals(body, fetcher.fetch("http://127.0.0.1:" + port + "/chunked"));
        serve(server, "/empty", new byte[0]);
        assertArrayEquals(new byte[0], fetcher.fetch("http://127.0.0.1:" + port + "/empty"));
    }

    // 4. redirects

    @Test
    void aRedirectToAHostPortNotOnTheListIsRefusedWithoutConnecting() throws Exception {
        ServerSocket counting = countingSocket();
        HttpServer server = server();
        String target = "http://127.0.0.1:" + counting.getLocalPort() + "/img.jpg";
        redirect(server, "/r", 302, target);
        int port = server.getAddress().getPort();
        ImageUrlFetcher fetcher = fetcher("127.0.0.1:" + port);

        UrlNotAllowedException e = assertThrows(UrlNotAllowedException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + port + "/r"));
        assertTrue(e.getMessage().startsWith("redirect to '" + target + "' which is not allowed: host '127.0.0.1:"
                + counting.getLocalPort() + "' is not on imageUrlAllow (allowed: 127.0.0.1:" + port + ")"),
                e.getMessage());
        assertNoConnectionYet(counting);
    }

    @Test
    void aRedirectToALoopbackNameIsRefusedByTheAddressCheck() throws Exception {
        ServerSocket counting = countingSocket();
        HttpServer server = server();
        String target = "http://localhost:" + counting.getLocalPort() + "/img.jpg";
        redirect(server, "/r", 301, target);
        int port = server.getAddress().getPort();
        ImageUrlFetcher fetcher = fetcher("127.0.0.1:" + port + ",localhost:" + counting.getLocalPort());

        UrlNotAllowedException e = assertThrows(UrlNotAllowedException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + port + "/r"));
        assertTrue(e.getMessage().startsWith("redirect to '" + target + "' which is not allowed: host 'localhost'"
                + " resolves to "), e.getMessage());
        assertNoConnectionYet(counting);
    }

    @Test
    void aRedirectToAnotherSchemeIsRefused() throws Exception {
        HttpServer server = server();
        redirect(server, "/r", 302, "file:///etc/passwd");
        int port = server.getAddress().getPort();
        ImageUrlFetcher fetcher = fetcher("127.0.0.1:" + port);
        UrlNotAllowedException e = assertThrows(UrlNotAllowedException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + port + "/r"));
        assertEquals("redirect to 'file:///etc/passwd' which is not allowed: the scheme 'file' is not allowed: only"
                + " http and https", e.getMessage());
    }

    @Test
    void redirectsToListedHostsAreFollowed() throws Exception {
        HttpServer a = server();
        HttpServer b = server();
        byte[] other = bytes(3000, 3);
        serve(b, "/img.jpg", other);
        serve(a, "/img.jpg", IMAGE);
        int portA = a.getAddress().getPort();
        int portB = b.getAddress().getPort();
        redirect(a, "/to-b", 302, "http://127.0.0.1:" + portB + "/img.jpg");
        redirect(a, "/relative", 307, "/img.jpg");
        redirect(a, "/see-other", 303, "img.jpg");
        ImageUrlFetcher fetcher = fetcher("127.0.0.1:" + portA + ", 127.0.0.1:" + portB);

        assertArrayEquals(other, fetcher.fetch("http://127.0.0.1:" + portA + "/to-b"));
        assertArrayEquals(IMAGE, fetcher.fetch("http://127.0.0.1:" + portA + "/relative"));
        assertArrayEquals(IMAGE, fetcher.fetch("http://127.0.0.1:" + portA + "/see-other"));
    }

    @Test
    void atMostMaxRedirectsAreFollowed() throws Exception {
        HttpServer server = server();
        AtomicInteger loops = new AtomicInteger();
        server.createContext("/loop", ex -> {
            loops.incrementAndGet();
            ex.getResponseHeaders().add("Location", "/loop");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        // /chain/n redirects to /chain/n-1; /chain/0 is the image
        server.createContext("/chain/", ex -> {
            int n = Integer.parseInt(ex.getRequestURI().getPath().substring("/chain/".length()));
            if (n == 0) {
                respond(ex, 200, IMAGE);
            } else {
                ex.getResponseHeaders().add("Location", "/chain/" + (n - 1));
                ex.sendResponseHeaders(308, -1);
                ex.close();
            }
        });
        int port = server.getAddress().getPort();
        ImageUrlFetcher fetcher = fetcher(config("127.0.0.1:" + port).maxRedirects(3));

        UrlFetchException e = assertThrows(UrlFetchException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + port + "/loop"));
        assertEquals("more than 3 redirects (the last from 'http://127.0.0.1:" + port + "/loop')", e.getMessage());
        assertEquals(4, loops.get(), "the first request and 3 redirects");

        assertArrayEquals(IMAGE, fetcher.fetch("http://127.0.0.1:" + port + "/chain/3"));
        e = assertThrows(UrlFetchException.class, () -> fetcher.fetch("http://127.0.0.1:" + port + "/chain/4"));
        assertTrue(e.getMessage().startsWith("more than 3 redirects"), e.getMessage());

        ImageUrlFetcher none = fetcher(config("127.0.0.1:" + port).maxRedirects(0));
        e = assertThrows(UrlFetchException.class, () -> none.fetch("http://127.0.0.1:" + port + "/chain/1"));
        assertTrue(e.getMessage().startsWith("more than 0 redirects"), e.getMessage());
    }

    @Test
    void aRedirectWithoutLocationFails() throws Exception {
        HttpServer server = server();
        server.createContext("/r", ex -> respond(ex, 302, new byte[0]));
        int port = server.getAddress().getPort();
        ImageUrlFetcher fetcher = fetcher("127.0.0.1:" + port);
        UrlFetchException e = assertThrows(UrlFetchException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + port + "/r"));
        assertTrue(e.getMessage().startsWith("the response was 302 without a Location header"), e.getMessage());
    }

    // 5. failures: status, size, timeouts

    @Test
    void aNon2xxStatusFailsNamingIt() throws Exception {
        HttpServer server = server();
        server.createContext("/", ex -> respond(ex, 404, "not here".getBytes(StandardCharsets.UTF_8)));
        redirect(server, "/moved", 302, "/missing");
        server.createContext("/error", ex -> respond(ex, 500, new byte[0]));
        int port = server.getAddress().getPort();
        ImageUrlFetcher fetcher = fetcher("127.0.0.1:" + port);

        UrlFetchException e = assertThrows(UrlFetchException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + port + "/missing.jpg"));
        assertEquals("the response was 404", e.getMessage());
        e = assertThrows(UrlFetchException.class, () -> fetcher.fetch("http://127.0.0.1:" + port + "/moved"));
        assertEquals("the response was 404 (from 'http://127.0.0.1:" + port + "/missing', after 1 redirect)",
                e.getMessage());
        e = assertThrows(UrlFetchException.class, () -> fetcher.fetch("http://127.0.0.1:" + port + "/error"));
        assertEquals("the response was 500", e.getMessage());
    }

    @Test
    void aBodyOverTheLimitFailsWithAndWithoutContentLength() throws Exception {
        HttpServer server = server();
        serve(server, "/fixed", bytes(1001, 4));
        server.createContext("/chunked", ex -> respondChunked(ex, bytes(1024 * 1024, 5)));
        int port = server.getAddress().getPort();
        ImageUrlFetcher fetcher = fetcher(config("127.0.0.1:" + port).maxBodyBytes(1000));

        UrlFetchException e = assertThrows(UrlFetchException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + port + "/fixed"));
        assertEquals("the body is larger than 1000 bytes (Content-Length: 1001)", e.getMessage());
        e = assertThrows(UrlFetchException.class, () -> fetcher.fetch("http://127.0.0.1:" + port + "/chunked"));
        assertEquals("the body is larger than 1000 bytes", e.getMessage());
        // the connections were dropped, not left broken in the pool
        serve(server, "/ok", bytes(1000, 6));
        assertArrayEquals(bytes(1000, 6), fetcher.fetch("http://127.0.0.1:" + port + "/ok"));
    }

    /**
     * Endless bodies: if the fetcher read on (or drained the body when giving up), the fetch would not return and
     * the server would never see the connection close; the test's timeout would fail it.
     */
    @Test
    void anEndlessBodyIsNotReadBeyondTheLimit() throws Exception {
        HttpServer server = server();
        AtomicLong written = new AtomicLong();
        CountDownLatch dropped = new CountDownLatch(2);
        server.createContext("/endless-chunked", ex -> writeForever(ex, 0, written, dropped));
        server.createContext("/endless-declared", ex -> writeForever(ex, Long.MAX_VALUE, written, dropped));
        int port = server.getAddress().getPort();
        ImageUrlFetcher fetcher = fetcher(config("127.0.0.1:" + port).maxBodyBytes(64 * 1024));

        UrlFetchException e = assertThrows(UrlFetchException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + port + "/endless-chunked"));
        assertEquals("the body is larger than 65536 bytes", e.getMessage());
        e = assertThrows(UrlFetchException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + port + "/endless-declared"));
        assertEquals("the body is larger than 65536 bytes (Content-Length: " + Long.MAX_VALUE + ")", e.getMessage());

        assertTrue(dropped.await(10, TimeUnit.SECONDS), "the server's writes should fail: connections closed");
        // what the server got out before the connection closed: socket buffers, not the endless rest
        assertTrue(written.get() < 128L * 1024 * 1024, "written " + written.get());
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        int port = rawServer(socket -> {
            // accept, read the request, never answer
        });
        ImageUrlFetcher fetcher = fetcher(config("127.0.0.1:" + port).readTimeout(Duration.ofMillis(300)));
        UrlFetchException e = assertThrows(UrlFetchException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + port + "/img.jpg"));
        assertEquals("timed out after 300 ms waiting for the response from '127.0.0.1:" + port + "'",
                e.getMessage());
    }

    @Test
    void aBodyThatStallsTimesOut() throws Exception {
        int port = rawServer(socket -> {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 100\r\n\r\n0123456789")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException ignored) {
                // the test fails on its own
            }
        });
        ImageUrlFetcher fetcher = fetcher(config("127.0.0.1:" + port).readTimeout(Duration.ofMillis(300)));
        UrlFetchException e = assertThrows(UrlFetchException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + port + "/img.jpg"));
        assertEquals("timed out after 300 ms reading the body from '127.0.0.1:" + port + "' (10 bytes read)",
                e.getMessage());
    }

    @Test
    void aListedPortWithNoServerFailsToConnect() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, loopbackV4())) {
            port = s.getLocalPort();
        }
        ImageUrlFetcher fetcher = fetcher("127.0.0.1:" + port);
        UrlFetchException e = assertThrows(UrlFetchException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + port + "/img.jpg"));
        assertTrue(e.getMessage().startsWith("could not connect to '127.0.0.1:" + port + "': "), e.getMessage());
    }

    @Test
    void garbageInsteadOfHttpFails() throws Exception {
        int port = rawServer(socket -> {
            try {
                socket.getOutputStream().write("SSH-2.0-OpenSSH\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.close();
            } catch (IOException ignored) {
                // the test fails on its own
            }
        });
        ImageUrlFetcher fetcher = fetcher("127.0.0.1:" + port);
        UrlFetchException e = assertThrows(UrlFetchException.class,
                () -> fetcher.fetch("http://127.0.0.1:" + port + "/img.jpg"));
        assertTrue(e.getMessage().contains("'127.0.0.1:" + port + "'"), e.getMessage());
    }

    // 6. schemes, user-info, malformed URLs

    @ParameterizedTest
    @ValueSource(strings = {"file:///etc/passwd", "ftp://127.0.0.1:PORT/img.jpg", "gopher://127.0.0.1:PORT/_x",
        "jar:http://127.0.0.1:PORT/x.jar!/img.jpg", "javascript:alert(1)", "data:image/png;base64,AAAA",
        "http://user@127.0.0.1:PORT/img.jpg", "http://user:pw@127.0.0.1:PORT/img.jpg",
        "http://127.0.0.1:PORT@127.0.0.1:PORT/img.jpg", "http://[::1", "http://127.0.0.1:PORT/a b.jpg",
        "not a url", "img.jpg", "//127.0.0.1:PORT/img.jpg", "http:///img.jpg", "http:img.jpg",
        "http://127.0.0.1:99999/img.jpg", "http://127.0.0.1:0/img.jpg", "http://[fe80::1%25lo]:PORT/img.jpg",
        "http://exa_mple.com/img.jpg", "http://127.1:PORT/img.jpg", "http://0177.0.0.1:PORT/img.jpg",
        "http://2130706433:PORT/img.jpg", "http://127.0.0.1.:PORT/img.jpg", ""})
    void urlsThatAreNotHttpOrMalformedAreRefused(String template) throws Exception {
        ServerSocket counting = countingSocket();
        String url = template.replace("PORT", Integer.toString(counting.getLocalPort()));
        ImageUrlFetcher fetcher = fetcher("127.0.0.1:" + counting.getLocalPort());
        UrlNotAllowedException e = assertThrows(UrlNotAllowedException.class, () -> fetcher.fetch(url));
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        assertNoConnectionYet(counting);
    }

    @Test
    void refusalMessagesSayWhy() {
        ImageUrlFetcher fetcher = fetcher("127.0.0.1:9000");
        assertEquals("the scheme 'ftp' is not allowed: only http and https",
                assertThrows(UrlNotAllowedException.class, () -> fetcher.fetch("ftp://127.0.0.1:9000/x")).getMessage());
        assertEquals("the URL has user-info (user[:password]@), which is not allowed",
                assertThrows(UrlNotAllowedException.class, () -> fetcher.fetch("http://u:p@127.0.0.1:9000/x"))
                        .getMessage());
        assertTrue(assertThrows(UrlNotAllowedException.class, () -> fetcher.fetch("http://[::1"))
                .getMessage().startsWith("the URL 'http://[::1' is malformed: "));
        assertEquals("the URL is empty", assertThrows(UrlNotAllowedException.class, () -> fetcher.fetch(null))
                .getMessage());
        assertTrue(assertThrows(UrlNotAllowedException.class, () -> fetcher.fetch("/img.jpg"))
                .getMessage().contains("has no scheme"));
    }

    // the resolver the client connects through

    @Test
    void theResolverChecksHostPortAndAddresses() throws Exception {
        GuardedDnsResolver resolver = new GuardedDnsResolver(UrlAllowList.parse("127.0.0.1:9000,localhost:9001"));
        assertEquals(List.of(new InetSocketAddress(loopbackV4(), 9000)), resolver.resolve("127.0.0.1", 9000));
        assertThrows(GuardedDnsResolver.Refused.class, () -> resolver.resolve("127.0.0.1", 9001));
        assertThrows(GuardedDnsResolver.Refused.class, () -> resolver.resolve("127.0.0.2", 9000));
        UnknownHostException e = assertThrows(GuardedDnsResolver.Refused.class,
                () -> resolver.resolve("localhost", 9001));
        assertTrue(e.getMessage().contains("a loopback address"), e.getMessage());
        assertThrows(GuardedDnsResolver.Refused.class, () -> resolver.resolve("localhost"));
    }

    @Test
    void configRangesAndDefaults() {
        ImageUrlFetcher.Config c = ImageUrlFetcher.Config.builder().build();
        assertTrue(c.allowList().isEmpty());
        assertEquals(Duration.ofSeconds(2), c.connectTimeout());
        assertEquals(Duration.ofSeconds(5), c.readTimeout());
        assertEquals(10 * 1024 * 1024, c.maxBodyBytes());
        assertEquals(3, c.maxRedirects());
        assertThrows(IllegalArgumentException.class, () -> ImageUrlFetcher.Config.builder().maxBodyBytes(0).build());
        assertThrows(IllegalArgumentException.class, () -> ImageUrlFetcher.Config.builder().maxRedirects(-1).build());
        assertThrows(IllegalArgumentException.class,
                () -> ImageUrlFetcher.Config.builder().readTimeout(Duration.ZERO).build());
        assertThrows(IllegalArgumentException.class, () -> ImageUrlFetcher.Config.builder().allowList("http://x"));
    }

    @Test
    void fetchAfterCloseFails() {
        ImageUrlFetcher fetcher = fetcher("127.0.0.1:9000");
        fetcher.close();
        assertThrows(IllegalStateException.class, () -> fetcher.fetch("http://127.0.0.1:9000/x"));
    }

    // helpers

    private static InetAddress loopbackV4() throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private ImageUrlFetcher.Config.Builder config(String allow) {
        return ImageUrlFetcher.Config.builder().allowList(allow)
                .connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(5));
    }

    private ImageUrlFetcher fetcher(String allow) {
        return fetcher(config(allow));
    }

    private ImageUrlFetcher fetcher(ImageUrlFetcher.Config.Builder config) {
        ImageUrlFetcher f = new ImageUrlFetcher(config.build());
        toClose.add(f);
        return f;
    }

    /** A loopback server socket that nobody accepts on: connections queue up, in order. */
    private ServerSocket countingSocket() throws IOException {
        ServerSocket s = new ServerSocket(0, 50, loopbackV4());
        toClose.add(s);
        return s;
    }

    /**
     * Proves that nothing has connected to {@code counting}: connects once itself, and checks that its own
     * connection is the first one the socket accepts (connections are accepted in the order they were made).
     */
    private static void assertNoConnectionYet(ServerSocket counting) throws IOException {
        try (Socket mine = new Socket()) {
            mine.connect(counting.getLocalSocketAddress(), 5000);
            counting.setSoTimeout(5000);
            try (Socket first = counting.accept()) {
                assertEquals(mine.getLocalPort(), first.getPort(),
                        "the first connection accepted is not the test's own: the fetcher connected");
            }
        }
    }

    private HttpServer server() throws IOException {
        return server(loopbackV4());
    }

    private HttpServer server(InetAddress address) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.start();
        toClose.add(threads::shutdownNow);
        toClose.add(() -> server.stop(0));
        return server;
    }

    private static void serve(HttpServer server, String path, byte[] body) {
        server.createContext(path, ex -> respond(ex, 200, body));
    }

    private static void redirect(HttpServer server, String path, int code, String location) {
        server.createContext(path, ex -> {
            ex.getResponseHeaders().add("Location", location);
            respond(ex, code, "moved".getBytes(StandardCharsets.US_ASCII));
        });
    }

    private static void respond(HttpExchange ex, int code, byte[] body) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
        }
        ex.getResponseHeaders().add("Content-Type", "image/jpeg");
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void respondChunked(HttpExchange ex, byte[] body) throws IOException {
        ex.sendResponseHeaders(200, 0); // 0: chunked
        try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < body.length; i += 4096) {
                out.write(body, i, Math.min(4096, body.length - i));
                out.flush();
            }
        }
    }

    /** Writes until the client closes the connection; {@code length} 0 is chunked. */
    private static void writeForever(HttpExchange ex, long length, AtomicLong written, CountDownLatch dropped) {
        byte[] chunk = new byte[16 * 1024];
        try {
            ex.sendResponseHeaders(200, length);
            OutputStream out = ex.getResponseBody();
            while (true) {
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
        } catch (IOException e) {
            dropped.countDown();
        } finally {
            ex.close();
        }
    }

    /**
     * A loopback server that reads each request's head and then runs {@code behaviour} on the socket, leaving it
     * open until the test ends.
     *
     * @return its port
     */
    private int rawServer(Consumer<Socket> behaviour) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, loopbackV4());
        List<Socket> sockets = new ArrayList<>();
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    synchronized (sockets) {
                        sockets.add(s);
                    }
                    readHead(s.getInputStream());
                    behaviour.accept(s);
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-raw-server");
        t.setDaemon(true);
        t.start();
        toClose.add(() -> {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            t.join(5000);
        });
        return server.getLocalPort();
    }

    private static void readHead(InputStream in) throws IOException {
        int window = 0; // the last four bytes read
        while (window != 0x0d0a0d0a) {
            int c = in.read();
            if (c < 0) {
                return;
            }
            window = window << 8 | c;
        }
    }
}
