package io.loadgen.gatling;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.loadgen.server.InferenceServer;
import io.loadgen.server.ServerConfig;
import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.model.DefaultModel;
import io.loadgen.server.model.TensorFlowModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Posts the sample JPEGs to {@code /v1/classify} with open injection: a constant arrival rate for the warm-up, the
 * same rate for the measured part, then a ramp to twice the rate. Assertions cover the measured requests only
 * (named {@code classify}; the warm-up's are {@code warm-up}): p99 under {@code -Dp99} and more than 99% OK.
 *
 * <p>System properties: {@code target} (base URL; empty starts the bundled server with its default model, embedded,
 * on a free loopback port), {@code rate} (users, i.e. requests, per second), {@code warmup}, {@code duration},
 * {@code ramp} (seconds; 0 for none), {@code p99} (ms, or with a unit: 1ms, 2s), {@code samples} (directory of JPEGs).
 */
public class ClassifySimulation extends Simulation {
    private static final double RATE = Double.parseDouble(System.getProperty("rate", "15"));
    private static final int WARMUP = Integer.parseInt(System.getProperty("warmup", "10"));
    private static final int DURATION = Integer.parseInt(System.getProperty("duration", "20"));
    private static final int RAMP = Integer.parseInt(System.getProperty("ramp", "10"));
    private static final int P99_MS = millis(System.getProperty("p99", "2000"));
    private static final Path SAMPLES = Path.of(System.getProperty("samples", "../samples/images"));

    private static InferenceServer embedded;
    private static final String TARGET = target();

    private static int millis(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.endsWith("ms")) {
            return Integer.parseInt(t.substring(0, t.length() - 2).trim());
        }
        if (t.endsWith("s")) {
            return (int) Math.round(Double.parseDouble(t.substring(0, t.length() - 1).trim()) * 1000);
        }
        return Integer.parseInt(t);
    }

    /** @return the base URL to drive: the one given, or the embedded server's */
    private static String target() {
        String given = System.getProperty("target", "");
        if (!given.isBlank()) {
            return given;
        }
        try {
            embedded = InferenceServer.start(ServerConfig.custom().host("127.0.0.1").port(0)
                    .batcher(BatcherConfig.custom().maxBatch(8).build()).build(), new DefaultModelFactory());
            if (!embedded.awaitReady(Duration.ofMinutes(5))) {
                throw new IllegalStateException("the embedded server did not become ready");
            }
            return embedded.baseUri().toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Opens the default model. A class of its own, not a lambda of this class: the server loads the model on its own
     * thread while this class is still being initialised, and a lambda here would wait for that initialisation.
     */
    private static final class DefaultModelFactory implements io.loadgen.server.ModelFactory {
        @Override
        public io.loadgen.server.model.Model open(int maxBatch) {
            TensorFlowModel m = TensorFlowModel.load(DefaultModel.ensure(),
                    TensorFlowModel.Options.defaults().withThreads(2, 1));
            m.warmUp(TensorFlowModel.powersOfTwoAnd(maxBatch));
            return m;
        }
    }

    private static List<byte[]> samples() {
        try (Stream<Path> files = Files.list(SAMPLES)) {
            List<byte[]> all = files.filter(p -> p.toString().endsWith(".jpg")).sorted().map(p -> {
                try {
                    return Files.readAllBytes(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
            if (all.isEmpty()) {
                throw new IllegalStateException("no .jpg in " + SAMPLES);
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sample images in " + SAMPLES, e);
        }
    }

    /** Cycles through the sample images, one per virtual user. */
    private static Iterator<Map<String, Object>> feeder(List<byte[]> images) {
        AtomicLong n = new AtomicLong();
        return Stream.generate(() -> Map.<String, Object>of("image",
                images.get((int) (n.getAndIncrement() % images.size())))).iterator();
    }

    private static ScenarioBuilder scenario(String name, Iterator<Map<String, Object>> feeder) {
        return io.gatling.javaapi.core.CoreDsl.scenario(name)
                .feed(feeder)
                .exec(http(name).post("/v1/classify")
                        .header("Content-Type", "image/jpeg")
                        .body(ByteArrayBody(session -> session.<byte[]>get("image")))
                        .check(status().is(200)));
    }

    {
        List<byte[]> images = samples();
        HttpProtocolBuilder protocol = http.baseUrl(TARGET).shareConnections();
        ScenarioBuilder warmup = scenario("warm-up", feeder(images));
        ScenarioBuilder measured = scenario("classify", feeder(images));
        setUp(
                warmup.injectOpen(constantUsersPerSec(RATE).during(WARMUP)),
                RAMP > 0
                        ? measured.injectOpen(nothingFor(WARMUP), constantUsersPerSec(RATE).during(DURATION),
                                rampUsersPerSec(RATE).to(2 * RATE).during(RAMP))
                        : measured.injectOpen(nothingFor(WARMUP), constantUsersPerSec(RATE).during(DURATION)))
                .protocols(protocol)
                .assertions(
                        details("classify").responseTime().percentile(99.0).lt(P99_MS),
                        details("classify").successfulRequests().percent().gt(99.0));
    }

    @Override
    public void after() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
