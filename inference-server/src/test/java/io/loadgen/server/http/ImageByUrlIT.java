package io.loadgen.server.http;

import static io.loadgen.server.testing.ServerHttp.json;
import static io.loadgen.server.testing.ServerHttp.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.loadgen.server.InferenceServer;
import io.loadgen.server.ServerConfig;
import io.loadgen.server.testing.BrightnessModel;
import io.loadgen.server.testing.Images;
import io.loadgen.server.testing.ServerHttp;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Images by URL through {@code /v1/classify}, over real HTTP on loopback: off by default; with {@code imageUrlAllow}
 * only the listed host:port is fetched; a URL to any other host is refused before any connection is made to it (a
 * loopback socket counts what connects); a failed fetch is a 502.
 */
@Timeout(60)
class ImageByUrlIT {
    private InferenceServer server;
    private HttpServer images;
    private final AtomicInteger imageRequests = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (images != null) {
            images.stop(0);
        }
    }

    private ServerHttp start(String allow) throws Exception {
        server = InferenceServer.start(ServerConfig.custom().host("127.0.0.1").port(0).imageUrlAllow(allow).build(),
                maxBatch -> new BrightnessModel(0, 0));
        assertTrue(server.awaitReady(Duration.ofSeconds(10)));
        return new ServerHttp(server.baseUri());
    }

    private int imageServer() throws Exception {
        images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] png = Images.grey(240, 8, 8, "png");
        images.createContext("/bright.png", x -> {
            imageRequests.incrementAndGet();
            x.getResponseHeaders().add("Content-Type", "image/png");
            x.sendResponseHeaders(200, png.length);
            x.getResponseBody().write(png);
            x.close();
        });
        images.createContext("/slow.png", x -> {
            imageRequests.incrementAndGet();
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.getResponseHeaders().add("Content-Type", "image/png");
            x.sendResponseHeaders(200, png.length);
            x.getResponseBody().write(png);
            x.close();
        });
        images.createContext("/missing.png", x -> {
            imageRequests.incrementAndGet();
            x.sendResponseHeaders(404, -1);
            x.close();
        });
        images.start();
        return images.getAddress().getPort();
    }

    private static HttpResponse<byte[]> byUrl(ServerHttp http, String url) throws Exception {
        return http.post("/v1/classify", "application/json", ("{\"url\": \"" + url + "\"}").getBytes(
                StandardCharsets.UTF_8));
    }

    @Test
    void aListedHostIsFetchedAndClassifiedAndAFailedFetchIs502() throws Exception {
        int port = imageServer();
        ServerHttp http = start("127.0.0.1:" + port);
        HttpResponse<byte[]> r = byUrl(http, "http://127.0.0.1:" + port + "/bright.png");
        assertEquals(200, r.statusCode(), text(r));
        assertEquals(9, json(r).get("predictions").get(0).get("class_id").asInt(), "the fetched image, classified");
        HttpResponse<byte[]> missing = byUrl(http, "http://127.0.0.1:" + port + "/missing.png");
        assertEquals(502, missing.statusCode(), text(missing));
        assertEquals("url_fetch_failed", json(missing).get("error").get("code").asText());
        assertTrue(text(missing).contains("404"), text(missing));
        assertEquals(2, imageRequests.get());
    }

    @Test
    void aHostNotOnTheListIsRefusedWithNoConnectionMadeToIt() throws Exception {
        int listed = imageServer();
        try (ServerSocket unlisted = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            unlisted.setSoTimeout(5_000);
            int port = unlisted.getLocalPort();
            ServerHttp http = start("127.0.0.1:" + listed);
            for (String url : new String[] {"http://127.0.0.1:" + port + "/x.png", "http://localhost:" + port + "/x.png",
                "http://[::1]:" + port + "/x.png", "file:///etc/passwd"}) {
                HttpResponse<byte[]> r = byUrl(http, url);
                assertEquals(400, r.statusCode(), url + ": " + text(r));
                assertEquals("url_not_allowed", json(r).get("error").get("code").asText(), url + ": " + text(r));
            }
            // nothing connected to the unlisted socket: the first connection it accepts is our own probe
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port);
                    Socket accepted = unlisted.accept()) {
                assertEquals(probe.getLocalPort(), accepted.getPort(), "the server connected to an unlisted host");
            }
        }
        assertEquals(0, imageRequests.get(), "the listed host was not asked either");
    }

    @Test
    void aRequestStillFetchingItsImageWhenTheDrainBeginsIsAnsweredNotRefused() throws Exception {
        int port = imageServer();
        ServerHttp http = start("127.0.0.1:" + port);
        java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> slow = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> {
                    try {
                        return byUrl(http, "http://127.0.0.1:" + port + "/slow.png");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        long until = System.nanoTime() + 20_000_000_000L;
        while (imageRequests.get() == 0 && System.nanoTime() < until) {
            Thread.sleep(2);
        }
        assertEquals(1, imageRequests.get(), "the server is fetching the image");
        java.util.concurrent.CompletableFuture<Void> closing = java.util.concurrent.CompletableFuture.runAsync(
                server::close);
        HttpResponse<byte[]> r = slow.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), "admitted before the drain, so answered: " + text(r));
        closing.get(30, java.util.concurrent.TimeUnit.SECONDS);
        server = null;
    }

    @Test
    void urlsAreRefusedByDefault() throws Exception {
        int port = imageServer();
        ServerHttp http = start("");
        HttpResponse<byte[]> r = byUrl(http, "http://127.0.0.1:" + port + "/bright.png");
        assertEquals(400, r.statusCode(), text(r));
        assertEquals("url_not_allowed", json(r).get("error").get("code").asText());
        assertEquals(0, imageRequests.get());
    }
}
