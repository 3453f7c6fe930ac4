package io.loadgen.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpStatus;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.impl.bootstrap.AsyncServerBootstrap;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncServer;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.nio.AsyncRequestConsumer;
import org.apache.hc.core5.http.nio.AsyncServerRequestHandler;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.entity.DiscardingEntityConsumer;
import org.apache.hc.core5.http.nio.support.AsyncResponseBuilder;
import org.apache.hc.core5.http.nio.support.BasicRequestConsumer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.reactor.ListenerEndpoint;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * A loopback HTTP/1.1 server for benchmarks: answers every request with {@code 200 hello} and keeps the connection
 * alive. Binds 127.0.0.1 only and prints {@code PORT <n>} on stdout once it listens; runs until killed or until
 * stdin closes (so it dies with the process that started it).
 *
 * <pre>
 * java -cp bench/target/classes:bench/target/lib/* io.loadgen.bench.HelloServer [PORT] [--async|--classic]
 *     [--threads N]
 * </pre>
 *
 * <p>{@code --async} (default): HttpCore5's non-blocking server, {@code --threads} I/O reactor threads (default: the
 * number of processors). {@code --classic}: HttpCore5's blocking server, one thread per connection.
 *
 * <p>Two behaviours for the truth checks of {@code bench/truth} (async server only): {@code --delay MS} answers every
 * request after a fixed delay, all in parallel (a timer, no thread per request); {@code --silent-every N} never
 * answers every N-th request (the connection stays open, as a hung backend).
 */
public final class HelloServer {
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

    private HelloServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        boolean classic = false;
        int threads = Runtime.getRuntime().availableProcessors();
        long delayMs = 0;
        long silentEvery = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--classic" -> classic = true;
                case "--async" -> classic = false;
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--delay" -> delayMs = Long.parseLong(args[++i]);
                case "--silent-every" -> silentEvery = Long.parseLong(args[++i]);
                default -> port = Integer.parseInt(args[i]);
            }
        }
        if (classic && (delayMs > 0 || silentEvery > 0)) {
            throw new IllegalArgumentException("--delay and --silent-every need the async server");
        }
        Runnable stop = classic ? classic(port) : async(port, threads, delayMs, silentEvery);
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "hello-server-stop"));
        CountDownLatch forever = new CountDownLatch(1);
        Thread stdinWatch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // ignore input; end of stdin means the parent is gone
                }
            } catch (IOException ignored) {
                // treat as end of stdin
            }
            forever.countDown();
        }, "hello-server-stdin");
        stdinWatch.setDaemon(true);
        stdinWatch.start();
        forever.await();
        System.exit(0);
    }

    private static Runnable async(int port, int threads, long delayMs, long silentEvery) throws Exception {
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "hello-server-timer");
                    t.setDaemon(true);
                    return t;
                });
        java.util.concurrent.atomic.AtomicLong seq = new java.util.concurrent.atomic.AtomicLong();
        HttpAsyncServer server = AsyncServerBootstrap.bootstrap()
                .setIOReactorConfig(IOReactorConfig.custom()
                        .setIoThreadCount(threads)
                        .setTcpNoDelay(true)
                        .setSoReuseAddress(true)
                        .setBacklogSize(4096)
                        .setSoTimeout(Timeout.ofMinutes(5))
                        .build())
                .setCanonicalHostName("127.0.0.1")
                .register("*", new AsyncServerRequestHandler<Message<HttpRequest, Void>>() {
                    @Override
                    public AsyncRequestConsumer<Message<HttpRequest, Void>> prepare(HttpRequest request,
                            EntityDetails entityDetails, HttpContext context) {
                        return new BasicRequestConsumer<>(entityDetails == null ? null
                                : new DiscardingEntityConsumer<>());
                    }

                    @Override
                    public void handle(Message<HttpRequest, Void> message, ResponseTrigger trigger,
                            HttpContext context) throws HttpException, IOException {
                        if (silentEvery > 0 && seq.incrementAndGet() % silentEvery == 0) {
                            return; // never answered
                        }
                        if (delayMs <= 0) {
                            respond(trigger, context);
                            return;
                        }
                        timer.schedule(() -> {
                            try {
                                respond(trigger, context);
                            } catch (HttpException | IOException e) {
                                // the client went away
                            }
                        }, delayMs, TimeUnit.MILLISECONDS);
                    }

                    private void respond(ResponseTrigger trigger, HttpContext context)
                            throws HttpException, IOException {
                        trigger.submitResponse(AsyncResponseBuilder.create(HttpStatus.SC_OK)
                                .setEntity(AsyncEntityProducers.create(HELLO, ContentType.TEXT_PLAIN))
                                .build(), context);
                    }
                })
                .create();
        server.start();
        ListenerEndpoint endpoint = server.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                URIScheme.HTTP).get(10, TimeUnit.SECONDS);
        int bound = ((InetSocketAddress) endpoint.getAddress()).getPort();
        System.out.println("PORT " + bound);
        System.out.flush();
        return () -> {
            server.close(CloseMode.IMMEDIATE);
        };
    }

    private static Runnable classic(int port) throws IOException {
        HttpServer server = ServerBootstrap.bootstrap()
                .setLocalAddress(InetAddress.getLoopbackAddress())
                .setListenerPort(port)
                .setCanonicalHostName("127.0.0.1")
                .setSocketConfig(SocketConfig.custom()
                        .setTcpNoDelay(true)
                        .setSoReuseAddress(true)
                        .setBacklogSize(4096)
                        .setSoTimeout(Timeout.ofMinutes(5))
                        .build())
                .register("*", (request, response, context) -> {
                    response.setCode(HttpStatus.SC_OK);
                    response.setEntity(new ByteArrayEntity(HELLO, ContentType.TEXT_PLAIN));
                })
                .create();
        server.start();
        System.out.println("PORT " + server.getLocalPort());
        System.out.flush();
        return () -> {
            server.close(CloseMode.IMMEDIATE);
            try {
                server.awaitTermination(TimeValue.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }
}
