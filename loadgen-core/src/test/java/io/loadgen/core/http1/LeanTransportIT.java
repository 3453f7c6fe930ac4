package io.loadgen.core.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.engine.Warmup;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.testing.ScriptedServer;
import io.netty.util.ResourceLeakDetector;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The lean transport against servers that do what a well-behaved server does not: every request ends counted for
 * what it is, and no buffer leaks (Netty's leak detector at PARANOID, its reports collected from the log).
 */
class LeanTransportIT {
    private static final ListAppender<ILoggingEvent> NETTY_LOG = new ListAppender<>();
    private static ResourceLeakDetector.Level before;

    @BeforeAll
    static void paranoid() {
        before = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        NETTY_LOG.start();
        ((Logger) LoggerFactory.getLogger("io.netty")).addAppender(NETTY_LOG);
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        // leaks are reported when a leaked buffer has been collected and a later allocation looks: make both happen
        for (int i = 0; i < 5; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(100);
            for (int j = 0; j < 100; j++) {
                io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(64).release();
            }
        }
        ((Logger) LoggerFactory.getLogger("io.netty")).detachAppender(NETTY_LOG);
        ResourceLeakDetector.setLevel(before);
        List<String> leaks = new ArrayList<>();
        for (ILoggingEvent e : NETTY_LOG.list) {
            if (e.getFormattedMessage().contains("LEAK")) {
                leaks.add(e.getFormattedMessage());
            }
        }
        assertEquals(List.of(), leaks, "Netty reported leaked buffers");
    }

    private static RunSummary run(URI target, double rate, Duration length, TransportConfig t) throws Exception {
        LoadGenerator gen = LoadGenerator.builder(Workload.builder(target).build())
                .transport(t)
                .engine(EngineConfig.custom().warmup(Warmup.NONE).drainTimeout(Duration.ofSeconds(3)).build())
                .plan(new RunPlan(new ConstantRate(rate), Arrival.CONSTANT, 1, length))
                .build();
        gen.start();
        assertTrue(gen.awaitEnd(Duration.ofSeconds(60)), "the run did not end");
        RunSummary s = gen.summary();
        assertEquals("lean", s.transport());
        assertEquals(s.counts().scheduled(), s.counts().sent() + s.counts().dropped(), "every request counted");
        assertEquals(s.counts().sent(), s.counts().completed() + s.counts().unfinished(), "every request counted");
        return s;
    }

    private static TransportConfig lean() {
        return TransportConfig.custom().kind(TransportConfig.Kind.LEAN).build();
    }

    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    @Test
    void pipelinedRequestsAnsweredInOneWriteAreEachCounted() throws Exception {
        try (ScriptedServer server = ScriptedServer.start((s, in) -> {
            int pending = 0;
            while (in.next() != null) {
                pending++;
                if (!in.ready()) { // answer everything read so far, in one write
                    ScriptedServer.write(s, OK.repeat(pending));
                    pending = 0;
                }
            }
        })) {
            RunSummary s = run(server.uri("/p"), 400, Duration.ofSeconds(2), TransportConfig.custom()
                    .kind(TransportConfig.Kind.LEAN).connections(2).pipelining(4).build());
            assertEquals(800, s.counts().ok(), 2);
            assertEquals(0, s.counts().errors().total(), s.counts().errors().toString());
            assertTrue(server.connections() <= 2, "two connections carry it all: " + server.connections());
        }
    }

    @Test
    void chunkedBodiesWithTrailersAndConnectionCloseAreRead() throws Exception {
        AtomicInteger n = new AtomicInteger();
        try (ScriptedServer server = ScriptedServer.start((s, in) -> {
            while (in.next() != null) {
                if (n.incrementAndGet() % 5 == 0) {
                    ScriptedServer.write(s, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye");
                    return; // and the server closes
                }
                ScriptedServer.write(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n");
                ScriptedServer.write(s, "5;x=y\r\npedia\r\n0\r\nExpires: never\r\n\r\n");
            }
        })) {
            RunSummary s = run(server.uri("/c"), 200, Duration.ofSeconds(2), lean());
            assertEquals(400, s.counts().ok(), 2);
            assertEquals(0, s.counts().errors().total(), s.counts().errors().toString());
            assertTrue(server.connections() >= 80, "a connection closed by the server is not reused: "
                    + server.connections());
        }
    }

    @Test
    void aServerThatResetsConnectionsIsCountedAndTheRestGoesOn() throws Exception {
        AtomicInteger n = new AtomicInteger();
        try (ScriptedServer server = ScriptedServer.start((s, in) -> {
            while (in.next() != null) {
                if (n.incrementAndGet() % 2 == 0) {
                    s.setSoLinger(true, 0); // close with RST
                    s.close();
                    return;
                }
                ScriptedServer.write(s, OK);
            }
        })) {
            RunSummary s = run(server.uri("/r"), 200, Duration.ofSeconds(2), lean());
            assertEquals(400, s.counts().completed(), 2);
            assertEquals(200, s.counts().ok(), 5);
            assertEquals(200, s.counts().errors().other(), 5, s.counts().errors().toString());
        }
    }

    @Test
    void aSlowLorisServerCannotHoldARequestPastItsTimeout() throws Exception {
        try (ScriptedServer server = ScriptedServer.start((s, in) -> {
            if (in.next() != null) {
                ScriptedServer.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
                for (int i = 0; i < 100; i++) { // a byte every 100 ms: never silent, never done in time
                    TimeUnit.MILLISECONDS.sleep(100);
                    ScriptedServer.write(s, "x");
                }
            }
        })) {
            RunSummary s = run(server.uri("/loris"), 20, Duration.ofSeconds(1), TransportConfig.custom()
                    .kind(TransportConfig.Kind.LEAN).responseTimeout(Duration.ofSeconds(1)).build());
            assertEquals(20, s.counts().errors().timeout(), s.counts().errors().toString());
            assertTrue(s.latency().p50().toMillis() >= 1000 && s.latency().max().toMillis() < 1200,
                    "timed out at its deadline: " + s.latency());
        }
    }

    @Test
    void aFourMegabyteResponseIsReadAndDiscarded() throws Exception {
        byte[] body = new byte[4 << 20];
        try (ScriptedServer server = ScriptedServer.start((s, in) -> {
            while (in.next() != null) {
                ScriptedServer.write(s, "HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
                s.getOutputStream().write(body);
                s.getOutputStream().flush();
            }
        })) {
            RunSummary s = run(server.uri("/big"), 20, Duration.ofSeconds(1), lean());
            assertEquals(20, s.counts().ok(), s.counts().toString());
        }
    }

    @Test
    void aBodyWithoutFramingEndsWithTheConnectionAndGarbageIsAnError() throws Exception {
        AtomicInteger n = new AtomicInteger();
        try (ScriptedServer server = ScriptedServer.start((Socket s, ScriptedServer.Requests in) -> {
            if (in.next() != null) {
                ScriptedServer.write(s, n.incrementAndGet() % 2 == 0 ? "SSH-2.0-OpenSSH_9\r\n"
                        : "HTTP/1.0 200 OK\r\n\r\nuntil the close");
            }
        })) {
            RunSummary s = run(server.uri("/raw"), 100, Duration.ofSeconds(1), lean());
            assertEquals(100, s.counts().completed(), 2);
            assertEquals(50, s.counts().ok(), 3);
            assertEquals(50, s.counts().errors().other(), 3, s.counts().errors().toString());
        }
    }
}
