package io.loadgen.core.http1;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The lean HTTP/1.1 client: Netty event loops (native epoll on Linux, NIO elsewhere), each owning {@link Http1Pool}s
 * of its own, so that a request is encoded, written and read on one thread with no lock and no hand-off. Plain
 * {@code http://} only (TLS, HTTP/2 and proxies are HttpClient 5's). Thread-safe; {@link #close} ends the loops.
 */
public final class Http1Client implements AutoCloseable {
    static {
        // Netty samples buffers for leak reports by default, at a cost on every 128th allocation; the transport's
        // tests turn it to paranoid through the property, and a run needs none of it.
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
    }

    private final EventLoopGroup group;
    private final List<EventLoop> loops = new ArrayList<>();
    private final Class<? extends Channel> channelType;

    /**
     * @param loops event loops, {@code >= 1}
     * @param threads makes the loops' threads
     */
    public Http1Client(int loops, ThreadFactory threads) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.group = new MultiThreadIoEventLoopGroup(Math.max(1, loops), threads, io);
        group.forEach(e -> this.loops.add((EventLoop) e));
    }

    /** @return whether the native epoll transport is in use (else NIO) */
    public static boolean isNative() {
        return Epoll.isAvailable();
    }

    /** @return the number of event loops */
    public int loops() {
        return loops.size();
    }

    /** @return event loop {@code i} */
    public EventLoop loop(int i) {
        return loops.get(i);
    }

    /**
     * A pool of connections owned by one loop.
     *
     * @param i the loop
     * @param target an {@code http://} URL
     * @param connectTimeout connect timeout
     * @param responseTimeout response timeout, from the write
     * @param maxConnections connections at most
     * @param pipelining requests outstanding on one connection at most
     * @param keepBodyBytes how much of each response body to keep for checks, {@code >= 0} (0: discard)
     * @param headRequests whether the requests are HEAD requests
     * @return the pool; use it on loop {@code i} only
     */
    public Http1Pool pool(int i, URI target, Duration connectTimeout, Duration responseTimeout, int maxConnections,
            int pipelining, int keepBodyBytes, boolean headRequests) {
        return new Http1Pool(loops.get(i), channelType, target, connectTimeout, responseTimeout, maxConnections,
                pipelining, keepBodyBytes, headRequests);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
