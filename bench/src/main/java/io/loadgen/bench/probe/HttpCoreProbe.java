package io.loadgen.bench.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.Method;
import org.apache.hc.core5.http.impl.bootstrap.AsyncRequesterBootstrap;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncRequester;
import org.apache.hc.core5.http.nio.AsyncClientEndpoint;
import org.apache.hc.core5.http.nio.entity.DiscardingEntityConsumer;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The cheap alternative to the lean transport, measured before it was built: an open loop on HttpCore 5's
 * {@link HttpAsyncRequester} with <em>pinned</em> endpoints (one connection each, leased once, no pool per request),
 * constant arrivals from one scheduler thread that parks until each intended time (no spinning), latency
 * from the intended time, a request waiting in the client when every endpoint is busy. It is a probe, not a
 * transport: it exists so that the engine bench can put HttpCore 5's own cost next to the lean transport's.
 *
 * <p>Writes {@code {"offered", "achieved", "p50_ms", "p99_ms", "max_ms", "lag_p99_ms", "errors", "unfinished",
 * "waited"}} to {@code --json}. Traffic goes to the target given (loopback in the bench); the run is bounded by
 * {@code --duration} plus a 2 s drain.
 */
@Command(name = "httpcore-probe", mixinStandardHelpOptions = true,
        description = "Open loop on HttpCore 5's HttpAsyncRequester with pinned endpoints (a bench probe).")
public final class HttpCoreProbe implements Callable<Integer> {
    @Option(names = "--target", required = true, description = "http:// URL (GET)")
    URI target;
    @Option(names = "--rate", required = true, description = "requests per second, > 0")
    double rate;
    @Option(names = "--duration", defaultValue = "PT10S", converter = DurationConverter.class,
            description = "how long to schedule, e.g. 10s (default ${DEFAULT-VALUE})")
    Duration duration;
    @Option(names = "--warmup", defaultValue = "PT3S", converter = DurationConverter.class,
            description = "an unrecorded run at the same rate first, for the JIT (default ${DEFAULT-VALUE})")
    Duration warmup;
    @Option(names = "--connections", defaultValue = "50", description = "pinned endpoints (default ${DEFAULT-VALUE})")
    int connections;
    @Option(names = "--io-threads", defaultValue = "2", description = "I/O reactor threads (default ${DEFAULT-VALUE})")
    int ioThreads;
    @Option(names = "--json", required = true, description = "where the result is written")
    Path json;

    private final ConcurrentHistogram latency = new ConcurrentHistogram(3);
    private final ConcurrentHistogram lag = new ConcurrentHistogram(3);
    private final ConcurrentLinkedQueue<AsyncClientEndpoint> idle = new ConcurrentLinkedQueue<>();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private volatile Thread scheduler;

    /** Converts {@code 10s}, {@code 500ms} or ISO-8601 text. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String s) {
            if (s.startsWith("P") || s.startsWith("p")) {
                return Duration.parse(s);
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
            }
            throw new CommandLine.TypeConversionException("a duration such as 10s or 500ms, got '" + s + "'");
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new HttpCoreProbe()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (rate <= 0 || connections < 1 || ioThreads < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--rate must be > 0, --connections and --io-threads >= 1");
        }
        HttpHost host = new HttpHost(target.getScheme(), target.getHost(), target.getPort());
        HttpAsyncRequester requester = AsyncRequesterBootstrap.bootstrap()
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(ioThreads).setTcpNoDelay(true)
                        .setSoTimeout(Timeout.ofSeconds(5)).build())
                .setMaxTotal(connections).setDefaultMaxPerRoute(connections).create();
        requester.start();
        try {
            for (int i = 0; i < connections; i++) {
                idle.add(requester.connect(host, Timeout.ofSeconds(5)).get(10, TimeUnit.SECONDS));
            }
            if (!warmup.isZero()) {
                schedule(warmup.toNanos());
                latency.reset();
                lag.reset();
                completed.set(0);
                errors.set(0);
            }
            return run();
        } finally {
            for (AsyncClientEndpoint e : idle) {
                e.releaseAndDiscard();
            }
            requester.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
        }
    }

    private int run() throws Exception {
        long[] left = schedule(duration.toNanos());
        double seconds = duration.toNanos() / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("offered", rate);
        out.put("achieved", completed.get() / seconds);
        out.put("p50_ms", latency.getValueAtPercentile(50) / 1000.0);
        out.put("p99_ms", latency.getValueAtPercentile(99) / 1000.0);
        out.put("max_ms", latency.getMaxValue() / 1000.0);
        out.put("lag_p99_ms", lag.getValueAtPercentile(99) / 1000.0);
        out.put("errors", errors.get());
        out.put("unfinished", left[0]);
        out.put("waited", left[1]);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), out);
        return 0;
    }

    /** @return {unfinished, waited} */
    private long[] schedule(long lengthNanos) throws InterruptedException {
        scheduler = Thread.currentThread();
        long period = Math.max(1, Math.round(1e9 / rate));
        long t0 = System.nanoTime() + 10_000_000;
        long end = t0 + lengthNanos;
        long next = t0;
        long waited = 0;
        java.util.ArrayDeque<Long> pending = new java.util.ArrayDeque<>();
        while (next < end || !pending.isEmpty() && System.nanoTime() < end) {
            long now = System.nanoTime();
            while (!pending.isEmpty()) { // requests that found every endpoint busy go first
                AsyncClientEndpoint e = idle.poll();
                if (e == null) {
                    break;
                }
                long intended = pending.poll();
                send(e, intended, now);
            }
            if (next < end && next <= now) {
                AsyncClientEndpoint e = pending.isEmpty() ? idle.poll() : null;
                if (e != null) {
                    send(e, next, now);
                } else {
                    pending.add(next);
                    waited++;
                }
                next += period;
                continue;
            }
            long wait = (next < end ? next : end) - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait); // woken early by a returned endpoint when requests wait
            }
        }
        long unfinishedQueued = pending.size();
        long drainEnd = System.nanoTime() + 2_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < drainEnd) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return new long[] {inFlight.get() + unfinishedQueued, waited};
    }

    private void send(AsyncClientEndpoint endpoint, long intended, long now) {
        lag.recordValue(Math.max(0, (now - intended) / 1000));
        inFlight.incrementAndGet();
        endpoint.execute(new BasicRequestProducer(Method.GET, target),
                new BasicResponseConsumer<>(new DiscardingEntityConsumer<Void>()),
                new FutureCallback<Message<HttpResponse, Void>>() {
                    @Override
                    public void completed(Message<HttpResponse, Void> result) {
                        latency.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
                        if (result.getHead().getCode() < 400) {
                            completed.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                        }
                        done(endpoint);
                    }

                    @Override
                    public void failed(Exception ex) {
                        errors.incrementAndGet();
                        done(endpoint);
                    }

                    @Override
                    public void cancelled() {
                        errors.incrementAndGet();
                        done(endpoint);
                    }
                });
    }

    private void done(AsyncClientEndpoint endpoint) {
        inFlight.decrementAndGet();
        idle.add(endpoint);
        LockSupport.unpark(scheduler);
    }
}
