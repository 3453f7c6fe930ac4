package io.loadgen.core.http1;

import io.loadgen.core.engine.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP/1.1 connection of a {@link Http1Pool}: writes requests (up to the pool's pipelining depth outstanding at
 * once), reads their responses in order with a {@link ResponseParser}, and tells each request's exchange how it ended.
 * Every method runs on the connection's event loop.
 */
final class Http1Connection extends ChannelInboundHandlerAdapter implements ResponseParser.Listener {
    /** A request on its way: its bytes, its exchange, and when it was written. */
    static final class Pending {
        final RequestEncoder.Encoded bytes;
        final Transport.Exchange exchange;
        long writtenNanos;

        Pending(RequestEncoder.Encoded bytes, Transport.Exchange exchange) {
            this.bytes = bytes;
            this.exchange = exchange;
        }
    }

    private final Http1Pool pool;
    private final ResponseParser parser;
    private final ArrayDeque<Pending> outstanding = new ArrayDeque<>(2);
    private final ArrayDeque<Pending> beforeConnect = new ArrayDeque<>(2);
    private Channel channel;
    private boolean active;
    private boolean closed;

    Http1Connection(Http1Pool pool, boolean headRequests, int keepBodyBytes) {
        this.pool = pool;
        this.parser = new ResponseParser(headRequests, keepBodyBytes);
    }

    /** @return requests written or waiting to be, and not yet answered */
    int load() {
        return outstanding.size() + beforeConnect.size();
    }

    /** When it last became idle, {@link System#nanoTime()} (the pool's loop only). */
    long idleSince;

    boolean isActive() {
        return active && !closed;
    }

    boolean isClosed() {
        return closed;
    }

    /** Sends a request now, or as soon as the connection is made. */
    void send(Pending p) {
        if (!active) {
            beforeConnect.add(p);
            return;
        }
        outstanding.add(p);
        parser.expect();
        long now = System.nanoTime();
        p.writtenNanos = now;
        p.exchange.written(now);
        // Into a pooled direct buffer: a heap buffer would be copied into a direct one by the transport anyway, with
        // a few wrappers allocated on the way.
        channel.writeAndFlush(p.bytes.buffer(channel.alloc()), channel.voidPromise());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        active = true;
        while (!beforeConnect.isEmpty() && !closed) {
            send(beforeConnect.poll());
        }
        if (outstanding.isEmpty() && !closed) {
            pool.idle(this); // opened ahead of need
        }
        ctx.fireChannelActive();
    }

    /** The connection could not be made: every request waiting for it fails with the cause. */
    void connectFailed(Throwable cause) {
        closed = true;
        long now = System.nanoTime();
        while (!beforeConnect.isEmpty()) {
            beforeConnect.poll().exchange.failed(cause, now);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            parser.feed(in, this);
        } catch (ResponseParser.ProtocolException e) {
            failAll(e);
            close();
        } finally {
            in.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        pool.readComplete();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void response(int status, boolean keepAlive, byte[] body) {
        Pending p = outstanding.poll();
        if (p == null) {
            return; // answered after a failure already ended it
        }
        long now = System.nanoTime();
        if (!keepAlive) {
            closed = true; // the server ends the connection: nothing more goes on it
        }
        // Free the connection before telling the exchange, so that a request sent in reply finds it.
        if (keepAlive && outstanding.isEmpty()) {
            pool.idle(this);
        }
        if (body == null) {
            p.exchange.responded(status, now);
        } else {
            p.exchange.responded(status, body, now);
        }
        if (!keepAlive) {
            failAll(new IOException("the server closed the connection (Connection: close) with requests pipelined"
                    + " behind the answered one"));
            close();
        }
    }

    /** Fails the oldest request if its response is overdue, and closes the connection (its reply may still come). */
    void checkDeadline(long now, long timeoutNanos) {
        Pending head = outstanding.peek();
        if (head != null && now - head.writtenNanos >= timeoutNanos) {
            outstanding.poll();
            head.exchange.failed(new TimeoutException("no complete response within " + timeoutNanos / 1_000_000
                    + " ms"), now);
            failAll(new IOException("connection closed after a timeout of a request ahead of this one"));
            close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        parser.closed(this); // completes a response read until the close
        closed = true;
        failAll(new IOException("connection closed by the server"));
        pool.closed(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failAll(cause);
        close();
    }

    private void failAll(Throwable cause) {
        long now = System.nanoTime();
        while (!outstanding.isEmpty()) {
            outstanding.poll().exchange.failed(cause, now);
        }
        while (!beforeConnect.isEmpty()) {
            beforeConnect.poll().exchange.failed(cause, now);
        }
    }

    /** Closes the channel (idempotent); requests still outstanding fail. */
    void close() {
        closed = true;
        if (channel != null) {
            channel.close();
        }
    }
}
