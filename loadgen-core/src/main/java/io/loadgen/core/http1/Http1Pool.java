package io.loadgen.core.http1;

import io.loadgen.core.engine.Request;
import io.loadgen.core.engine.ConnectPacing;
import io.loadgen.core.engine.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's HTTP/1.1 connections to one target, as a {@link Transport}: a request goes on an idle connection
 * (the most recently used), or a new one while the pool has room (connects paced at {@link ConnectPacing#PER_MILLI} a
 * millisecond after a burst), or waits for one; with a pipelining depth above 1,
 * a busy connection takes up to that many. Every request's deadline is its write time plus the response timeout,
 * checked every {@link #SWEEP_MILLIS} ms, whatever the server trickles in meanwhile (a slow-loris server cannot hold a
 * request longer). No locks: {@link #send}, {@link #resize} and the connections' callbacks run on the pool's event
 * loop; {@link #close} and {@link #pendingConnections} may be called from any thread.
 */
public final class Http1Pool implements Transport {
    /** How often deadlines are checked, in milliseconds: a timeout fires within this of its deadline. */
    static final long SWEEP_MILLIS = 10;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final InetSocketAddress address;
    private final RequestEncoder encoder;
    private final long timeoutNanos;
    private final int depth;
    private final boolean head;
    private final int keepBodyBytes;
    private final ArrayDeque<Http1Connection> idle = new ArrayDeque<>();
    /** How long a connection above the pool's size stays idle before it is closed. */
    static final long IDLE_TRIM_NANOS = 30_000_000_000L;
    private final List<Http1Connection> all = new ArrayList<>();
    private final ArrayDeque<Http1Connection.Pending> waiting = new ArrayDeque<>();
    private final ScheduledFuture<?> sweep;
    private volatile int waitingCount;
    private volatile boolean closed;
    private int max;
    /** Connects the pool may start now. */
    private final ConnectPacing pacing = new ConnectPacing(System.nanoTime());
    private boolean retryScheduled;
    private Runnable afterRead = () -> { };

    /**
     * @param loop the event loop that owns the pool
     * @param channelType the socket channel class of the loop's transport (epoll or NIO)
     * @param target the target URL (http://)
     * @param connectTimeout connect timeout
     * @param responseTimeout the longest a request may wait for its whole response once written
     * @param maxConnections connections at most, {@code >= 1}
     * @param pipelining requests outstanding on one connection at most, {@code >= 1}
     * @param keepBodyBytes how much of each response body to keep for checks, {@code >= 0} (0: discard)
     * @param headRequests whether the requests are HEAD requests
     */
    Http1Pool(EventLoop loop, Class<? extends Channel> channelType, URI target, Duration connectTimeout,
            Duration responseTimeout, int maxConnections, int pipelining, int keepBodyBytes, boolean headRequests) {
        this.keepBodyBytes = keepBodyBytes;
        this.loop = loop;
        this.address = new InetSocketAddress(target.getHost(), target.getPort() < 0 ? 80 : target.getPort());
        this.encoder = new RequestEncoder(target);
        this.timeoutNanos = responseTimeout.toNanos();
        this.depth = Math.max(1, pipelining);
        this.head = headRequests;
        this.max = Math.max(1, maxConnections);
        this.bootstrap = new Bootstrap().group(loop).channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        Math.max(1, connectTimeout.toMillis())));
        this.sweep = loop.scheduleAtFixedRate(this::checkDeadlines, SWEEP_MILLIS, SWEEP_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * @param hook run on the loop after each batch of reads of a connection (the lane dispatches what has come due
     *     while the loop is awake anyway)
     */
    public void afterRead(Runnable hook) {
        this.afterRead = hook;
    }

    void readComplete() {
        afterRead.run();
    }

    /** @return the pool's event loop */
    public EventLoop loop() {
        return loop;
    }

    @Override
    public void send(Request request, Exchange exchange) {
        if (closed) {
            exchange.failed(new CancellationException("the transport is closed"), System.nanoTime());
            return;
        }
        Http1Connection.Pending p = new Http1Connection.Pending(encoder.encode(request), exchange);
        Http1Connection c = pick();
        if (c != null) {
            c.send(p);
            return;
        }
        waiting.add(p);
        waitingCount = waiting.size();
    }

    /** @return a connection that takes a request now (idle, with pipelining room, or new), or null */
    private Http1Connection pick() {
        Http1Connection c;
        while ((c = idle.pollLast()) != null) {
            if (!c.isClosed()) {
                return c;
            }
        }
        if (depth > 1) {
            for (Http1Connection x : all) {
                if (x.isActive() && x.load() < depth) {
                    return x;
                }
            }
        }
        if (all.size() < max && takeOpenToken()) {
            return open();
        }
        return null;
    }

    private boolean takeOpenToken() {
        if (pacing.take(1, System.nanoTime()) == 1) {
            return true;
        }
        if (!retryScheduled) { // requests wait: come back when the next connect may start
            retryScheduled = true;
            long wait = pacing.nanosUntilNext();
            loop.schedule(() -> {
                retryScheduled = false;
                serveWaiting();
            }, wait, TimeUnit.NANOSECONDS);
        }
        return false;
    }

    private Http1Connection open() {
        Http1Connection c = new Http1Connection(this, head, keepBodyBytes);
        connect(c);
        return c;
    }

    /** @return completes when the connection is made or has failed; on the pool's loop */
    private ChannelFuture connect(Http1Connection c) {
        all.add(c);
        ChannelFuture f = bootstrap.clone().handler(c).connect(address);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                all.remove(c);
                c.connectFailed(done.cause());
                // The target refuses: requests waiting for a connection would meet the same end, not a later one.
                long now = System.nanoTime();
                while (!waiting.isEmpty()) {
                    waiting.poll().exchange.failed(done.cause(), now);
                }
                waitingCount = 0;
            } else if (c.isClosed() || closed) {
                f.channel().close();
            }
        });
        return f;
    }

    /**
     * Opens connections until the pool holds {@code connections} (at most its size), before any request needs them,
     * so that the first requests of a run do not each wait for a connect.
     *
     * @param connections how many to hold open, {@code >= 0}
     * @return completes (on the pool's loop) with the number of connections open once every connect has ended
     */
    public java.util.concurrent.CompletableFuture<Integer> preconnect(int connections) {
        java.util.concurrent.CompletableFuture<Integer> done = new java.util.concurrent.CompletableFuture<>();
        loop.execute(() -> {
            int want = Math.min(connections, max) - all.size();
            if (want <= 0 || closed) {
                done.complete(all.size());
                return;
            }
            int[] left = {want};
            for (int i = 0; i < want; i++) {
                Http1Connection c = new Http1Connection(this, head, keepBodyBytes);
                connect(c).addListener(f -> {
                    if (--left[0] == 0) {
                        done.complete(all.size());
                    }
                });
            }
        });
        return done;
    }

    /** A connection has nothing outstanding: give it a waiting request, or keep it for the next. */
    void idle(Http1Connection c) {
        if (!waiting.isEmpty() && !closed) {
            Http1Connection.Pending p = waiting.poll();
            waitingCount = waiting.size();
            c.send(p);
            return;
        }
        c.idleSince = System.nanoTime();
        idle.addLast(c);
    }

    /** A connection closed: forget it, and open another for requests that wait. */
    void closed(Http1Connection c) {
        all.remove(c);
        idle.remove(c);
        serveWaiting();
    }

    private void serveWaiting() {
        while (!waiting.isEmpty() && !closed) {
            Http1Connection c = pick();
            if (c == null) {
                break;
            }
            c.send(waiting.poll());
        }
        waitingCount = waiting.size();
    }

    private void checkDeadlines() {
        long now = System.nanoTime();
        trimIdle(now);
        // Backwards by index, without a copy: a connection that times out may leave the list meanwhile.
        for (int i = all.size() - 1; i >= 0; i--) {
            if (i < all.size()) {
                all.get(i).checkDeadline(now, timeoutNanos);
            }
        }
    }

    @Override
    public void resize(int connections) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> resize(connections));
            return;
        }
        max = Math.max(1, connections);
        // connections above the new size are closed once they have been idle a while (trimIdle), not now: the load
        // that grew them comes back in bursts (a stall, a step), and reopening them is a connect storm
        serveWaiting();
    }

    /**
     * Closes, oldest idle first, the connections above the pool's size that have been idle for
     * {@link #IDLE_TRIM_NANOS}: a smaller load gives its connections back without churning them.
     */
    private void trimIdle(long now) {
        Http1Connection c;
        while (all.size() > max && (c = idle.peekFirst()) != null && now - c.idleSince > IDLE_TRIM_NANOS) {
            idle.pollFirst();
            all.remove(c);
            c.close();
        }
    }

    @Override
    public int pendingConnections() {
        return waitingCount;
    }

    /** @return connections open or opening (on the loop only) */
    int connections() {
        return all.size();
    }

    @Override
    public void close() {
        closed = true;
        if (loop.inEventLoop()) {
            closeNow();
        } else if (!loop.isShuttingDown()) {
            loop.execute(this::closeNow);
        }
    }

    private void closeNow() {
        sweep.cancel(false);
        long now = System.nanoTime();
        while (!waiting.isEmpty()) {
            waiting.poll().exchange.failed(new CancellationException("the transport was closed"), now);
        }
        waitingCount = 0;
        for (Http1Connection c : List.copyOf(all)) {
            c.close();
        }
        idle.clear();
        encoder.close();
    }
}
