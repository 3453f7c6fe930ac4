package io.loadgen.server.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.io.ModalCloseable;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Fetches an image named by URL ({@code {"url": "http://host/img.jpg"}}), guarded against server-side request
 * forgery. For each URL, and again for each redirect:
 * <ol>
 *   <li>the URL must be absolute {@code http} or {@code https}, well-formed, without user-info, and its host and
 *       effective port must be on the {@link UrlAllowList} ({@code imageUrlAllow}); this is checked before any DNS
 *       lookup or connection;</li>
 *   <li>the host is resolved once, by a {@link GuardedDnsResolver} that the HTTP client uses for every connection, so
 *       that it connects only to the addresses checked: a name whose addresses include one that is loopback, private,
 *       link-local, any-local, multicast, CGNAT or otherwise not public ({@link AddressClassifier}) is refused; an IP
 *       literal is allowed whatever its class, because the list names it;</li>
 *   <li>a GET is sent (no proxy, no cookies, no authentication, no automatic retries, no automatic redirects, no
 *       content decoding); 301, 302, 303, 307 and 308 with a {@code Location} are followed here, at most
 *       {@link Config#maxRedirects()} times; any other non-2xx status is a failure;</li>
 *   <li>the body is read into memory with a hard cap: a {@code Content-Length} above
 *       {@link Config#maxBodyBytes()} fails before reading, and reading stops at the first byte beyond it. A failed
 *       exchange closes its connection rather than drain the rest of the body.</li>
 * </ol>
 *
 * <p>Timeouts: the connect timeout bounds each TCP connect and TLS handshake; the read timeout bounds each wait for
 * data (the status line and headers, and each read of the body), not the whole transfer, and also the wait for a free
 * pooled connection. DNS lookups use the JVM's resolver and its own timeouts.
 *
 * <p>Thread-safe: one instance is meant to be shared by all HTTP threads; connections are pooled (at most
 * {@value #MAX_CONNECTIONS} in all, {@value #MAX_CONNECTIONS_PER_ROUTE} per host and port) and reused when a body was
 * read to its end. {@link #close()} releases them; {@code fetch} after {@code close} throws
 * {@link IllegalStateException}.
 */
public final class ImageUrlFetcher implements AutoCloseable {
    /** Most connections open at once, over all hosts. */
    public static final int MAX_CONNECTIONS = 64;
    /** Most connections open at once to one host and port. */
    public static final int MAX_CONNECTIONS_PER_ROUTE = 16;

    private static final int MAX_HEADER_LINE = 8 * 1024;
    private static final int MAX_HEADERS = 100;
    private static final int MAX_QUOTED = 200;
    private static final List<Integer> REDIRECTS = List.of(301, 302, 303, 307, 308);

    private final Config config;
    private final CloseableHttpClient client;
    private volatile boolean closed;

    /**
     * Builds the HTTP client; opens no connection.
     *
     * @param config the limits and the allow-list
     */
    public ImageUrlFetcher(Config config) {
        this.config = Objects.requireNonNull(config, "config");
        Timeout connect = Timeout.of(config.connectTimeout());
        Timeout read = Timeout.of(config.readTimeout());
        ConnectionConfig connectionConfig = ConnectionConfig.custom()
                .setConnectTimeout(connect)
                .setSocketTimeout(read)
                .setTimeToLive(TimeValue.ofSeconds(30))
                .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                .build();
        ManagedHttpClientConnectionFactory connections = ManagedHttpClientConnectionFactory.builder()
                .http1Config(Http1Config.custom().setMaxLineLength(MAX_HEADER_LINE).setMaxHeaderCount(MAX_HEADERS)
                        .build())
                .build();
        RequestConfig requestConfig = RequestConfig.custom()
                .setRedirectsEnabled(false)
                .setResponseTimeout(read)
                .setConnectionRequestTimeout(read)
                .setAuthenticationEnabled(false)
                .setContentCompressionEnabled(false)
                .setProtocolUpgradeEnabled(false)
                .setExpectContinueEnabled(false)
                .build();
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new GuardedDnsResolver(config.allowList()))
                        .setConnectionFactory(connections)
                        .setDefaultConnectionConfig(connectionConfig)
                        .setMaxConnTotal(MAX_CONNECTIONS)
                        .setMaxConnPerRoute(MAX_CONNECTIONS_PER_ROUTE)
                        .build())
                .setDefaultRequestConfig(requestConfig)
                // never useSystemProperties(): that would bring in the system proxy and its own resolution
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent("loadgen-inference-server")
                .setDefaultHeaders(List.of(new BasicHeader(HttpHeaders.ACCEPT, "image/*")))
                .build();
    }

    /** @return the configuration */
    public Config config() {
        return config;
    }

    /**
     * Fetches the body of {@code url}, following redirects. Blocks the calling thread: per hop, up to the connect
     * timeout for each address tried and the read timeout for each read, plus DNS time (there is no deadline for the
     * whole transfer: a server that keeps trickling bytes is bounded only by the body cap). May be called from many
     * threads at once.
     *
     * @param url an absolute {@code http} or {@code https} URL
     * @return the body, at most {@link Config#maxBodyBytes()} bytes (possibly empty)
     * @throws UrlNotAllowedException when the URL (or a redirect's) is malformed, not http/https, has user-info, is
     *     not on the allow-list, or its host resolves to a refused address; e.g. {@code host 'evil.com' is not on
     *     imageUrlAllow (allowed: a, b)}, {@code redirect to 'http://x/' which is not allowed: ...}
     * @throws UrlFetchException when fetching failed; e.g. {@code the response was 404}, {@code the body is larger
     *     than 10485760 bytes}, {@code more than 3 redirects}, {@code timed out after 5 s waiting for the response
     *     from 'host:port'}, {@code timed out after 2 s connecting to 'host:port'}
     * @throws IllegalStateException after {@link #close()}
     */
    public byte[] fetch(String url) throws UrlNotAllowedException, UrlFetchException {
        if (closed) {
            throw new IllegalStateException("the image URL fetcher is closed");
        }
        Target target = check(url);
        for (int redirects = 0; ; redirects++) {
            ClassicHttpResponse response = open(target, redirects);
            boolean reusable = false;
            try {
                int code = response.getCode();
                if (REDIRECTS.contains(code)) {
                    if (redirects >= config.maxRedirects) {
                        throw new UrlFetchException("more than " + config.maxRedirects + " redirect"
                                + (config.maxRedirects == 1 ? "" : "s") + " (the last from '" + quote(target.uri)
                                + "')");
                    }
                    target = redirect(target, response);
                    continue;
                }
                if (code < 200 || code > 299) {
                    throw new UrlFetchException("the response was " + code + after(target, redirects));
                }
                byte[] body = read(response.getEntity(), target);
                reusable = true;
                return body;
            } finally {
                release(response, reusable);
            }
        }
    }

    /** Closes the pooled connections. Idempotent. A {@code fetch} in progress fails. */
    @Override
    public void close() {
        closed = true;
        client.close(CloseMode.GRACEFUL);
    }

    /** A checked URL: what to request, and from which host and port. */
    private record Target(URI uri, HttpHost host, String hostPort) {
    }

    /** Checks a URL against the rules that need no DNS. */
    private Target check(String url) throws UrlNotAllowedException {
        if (url == null || url.isEmpty()) {
            throw new UrlNotAllowedException("the URL is empty");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new UrlNotAllowedException("the URL '" + quote(url) + "' is malformed: " + e.getReason()
                    + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
        }
        return check(uri);
    }

    private Target check(URI uri) throws UrlNotAllowedException {
        String text = quote(uri.toString());
        if (!uri.isAbsolute()) {
            throw new UrlNotAllowedException("the URL '" + text + "' has no scheme: it must start with http:// or"
                    + " https://");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new UrlNotAllowedException("the scheme '" + quote(uri.getScheme()) + "' is not allowed: only http"
                    + " and https");
        }
        if (uri.isOpaque() || uri.getRawAuthority() == null) {
            throw new UrlNotAllowedException("the URL '" + text + "' has no host: it must read " + scheme
                    + "://host[:port]/path");
        }
        if (uri.getRawUserInfo() != null) {
            throw new UrlNotAllowedException("the URL has user-info (user[:password]@), which is not allowed");
        }
        if (uri.getHost() == null) {
            throw new UrlNotAllowedException("the URL's host '" + quote(uri.getRawAuthority()) + "' is not a valid"
                    + " host[:port]");
        }
        HostName host;
        try {
            host = HostName.parse(uri.getHost());
        } catch (IllegalArgumentException e) {
            throw new UrlNotAllowedException("the URL's host is not valid: " + e.getMessage());
        }
        int port = uri.getPort() == -1 ? UrlAllowList.defaultPort(scheme) : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new UrlNotAllowedException("the URL's port " + port + " is not in 1-65535");
        }
        UrlAllowList allow = config.allowList;
        String shown = uri.getPort() == -1 ? host.toString() : host + ":" + port;
        if (allow.isEmpty()) {
            throw new UrlNotAllowedException("host '" + shown + "' is not on " + UrlAllowList.SETTING
                    + ", which lists no host: images by URL are off");
        }
        if (allow.find(scheme, host, port) == null) {
            throw new UrlNotAllowedException("host '" + shown + "' is not on " + UrlAllowList.SETTING + " (allowed: "
                    + allow + ")" + (allow.listsHost(host) ? "; an entry without a port allows only port 80 for"
                    + " http and 443 for https" : ""));
        }
        String s = scheme + uri.toString().substring(uri.getScheme().length()); // lower-case scheme
        int hash = s.indexOf('#');
        URI request = URI.create(hash >= 0 ? s.substring(0, hash) : s); // the fragment is not sent
        return new Target(request, new HttpHost(scheme, host.clientName(), port), host + ":" + port);
    }

    /** Sends the GET; the connection goes through the {@link GuardedDnsResolver}. */
    private ClassicHttpResponse open(Target target, int redirects) throws UrlNotAllowedException, UrlFetchException {
        try {
            return client.executeOpen(target.host, new HttpGet(target.uri), HttpClientContext.create());
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof GuardedDnsResolver.Refused r) {
                    throw new UrlNotAllowedException(redirects == 0 ? r.getMessage()
                            : "redirect to '" + quote(target.uri) + "' which is not allowed: " + r.getMessage());
                }
            }
            throw new UrlFetchException(describe(e, target) + after(target, redirects), e);
        } catch (IllegalStateException e) {
            if (closed) {
                throw new IllegalStateException("the image URL fetcher is closed", e);
            }
            throw e;
        }
    }

    private String describe(IOException e, Target target) {
        String at = "'" + target.hostPort + "'";
        if (e instanceof ConnectTimeoutException) {
            return "timed out after " + format(config.connectTimeout) + " connecting to " + at;
        }
        if (e instanceof ConnectionRequestTimeoutException) {
            return "timed out after " + format(config.readTimeout) + " waiting for a free connection to " + at
                    + " (at most " + MAX_CONNECTIONS_PER_ROUTE + " per host, " + MAX_CONNECTIONS + " in all)";
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out after " + format(config.readTimeout) + " waiting for the response from " + at;
        }
        if (e instanceof UnknownHostException) {
            return "host '" + target.host.getHostName() + "' could not be resolved";
        }
        if (e instanceof ConnectException) {
            return "could not connect to " + at + ": " + rootMessage(e);
        }
        if (e instanceof NoHttpResponseException) {
            return at + " closed the connection without a response";
        }
        if (e instanceof SSLException) {
            return "TLS with " + at + " failed: " + rootMessage(e);
        }
        if (e instanceof ClientProtocolException || e.getCause() instanceof ProtocolException
                || e instanceof org.apache.hc.core5.http.MessageConstraintException) {
            return "the response from " + at + " is not valid HTTP/1.1: " + rootMessage(e);
        }
        return "fetching from " + at + " failed: " + rootMessage(e);
    }

    /** The next hop of a 3xx: its Location, resolved against the current URL and checked like the first. */
    private Target redirect(Target from, ClassicHttpResponse response) throws UrlNotAllowedException,
            UrlFetchException {
        Header location = response.getFirstHeader(HttpHeaders.LOCATION);
        if (location == null || location.getValue() == null || location.getValue().isBlank()) {
            throw new UrlFetchException("the response was " + response.getCode() + " without a Location header"
                    + " (from '" + quote(from.uri) + "')");
        }
        String value = location.getValue().strip();
        URI next;
        try {
            next = from.uri.resolve(new URI(value));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new UrlNotAllowedException("redirect to '" + quote(value) + "' which is not allowed: the URL is"
                    + " malformed");
        }
        try {
            return check(next);
        } catch (UrlNotAllowedException e) {
            throw new UrlNotAllowedException("redirect to '" + quote(next) + "' which is not allowed: "
                    + e.getMessage());
        }
    }

    /** Reads the body, at most maxBodyBytes of it; never more than one byte beyond. */
    private byte[] read(HttpEntity entity, Target target) throws UrlFetchException {
        if (entity == null) {
            return new byte[0];
        }
        int max = config.maxBodyBytes;
        long declared = entity.getContentLength();
        if (declared > max) {
            throw new UrlFetchException("the body is larger than " + max + " bytes (Content-Length: " + declared
                    + ")");
        }
        int cap = max + 1; // one byte more than allowed tells "too large" from "exactly max"
        byte[] buf = new byte[(int) Math.min(cap, declared >= 0 ? declared + 1 : 64 * 1024)];
        int n = 0;
        try {
            // Not closed here: closing the client's stream would drain the rest of the body.
            InputStream in = entity.getContent();
            while (true) {
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(cap, Math.max(8192L, 2L * buf.length)));
                }
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
                if (n > max) {
                    throw new UrlFetchException("the body is larger than " + max + " bytes");
                }
            }
        } catch (SocketTimeoutException e) {
            throw new UrlFetchException("timed out after " + format(config.readTimeout) + " reading the body from '"
                    + target.hostPort + "' (" + n + " bytes read)", e);
        } catch (IOException e) {
            throw new UrlFetchException("reading the body from '" + target.hostPort + "' failed after " + n
                    + " bytes: " + rootMessage(e), e);
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    /** A body read to its end: the connection goes back to the pool. Else it is closed, not drained. */
    private static void release(ClassicHttpResponse response, boolean reusable) {
        if (!reusable && response instanceof ModalCloseable m) {
            m.close(CloseMode.IMMEDIATE);
            return;
        }
        try {
            response.close();
        } catch (IOException ignored) {
            // the connection is discarded
        }
    }

    private static String after(Target target, int redirects) {
        return redirects == 0 ? "" : " (from '" + quote(target.uri) + "', after " + redirects + " redirect"
                + (redirects == 1 ? "" : "s") + ")";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    private static String quote(Object o) {
        String s = String.valueOf(o);
        return s.length() <= MAX_QUOTED ? s : s.substring(0, MAX_QUOTED) + "...";
    }

    /** {@code 5 s}, {@code 300 ms}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    /**
     * The fetcher's limits and allow-list. Immutable; build one with {@link #builder()}.
     *
     * @param allowList the hosts URLs may name; default {@linkplain UrlAllowList#empty() empty} (every URL refused)
     * @param connectTimeout longest wait for a TCP connect (and TLS handshake), 1 ms to 10 min; default
     *     {@value #DEFAULT_CONNECT_TIMEOUT_MS} ms
     * @param readTimeout longest wait for any read of a response (and for a free pooled connection), 1 ms to 10 min;
     *     default
     *     {@value #DEFAULT_READ_TIMEOUT_MS} ms
     * @param maxBodyBytes largest body accepted, in bytes, 1 to {@value #MAX_BODY_BYTES_LIMIT} (1 GiB); default
     *     {@value #DEFAULT_MAX_BODY_BYTES} (10 MiB)
     * @param maxRedirects most redirects followed per fetch, 0 (none: a redirect fails) to
     *     {@value #MAX_REDIRECTS_LIMIT}; default {@value #DEFAULT_MAX_REDIRECTS}
     */
    public record Config(UrlAllowList allowList, Duration connectTimeout, Duration readTimeout, int maxBodyBytes,
            int maxRedirects) {
        /** Default connect timeout, ms. */
        public static final long DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
        /** Default read timeout, ms. */
        public static final long DEFAULT_READ_TIMEOUT_MS = 5_000;
        /** Default body cap: 10 MiB. */
        public static final int DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
        /** Largest body cap: 1 GiB. */
        public static final int MAX_BODY_BYTES_LIMIT = 1 << 30;
        /** Default number of redirects followed. */
        public static final int DEFAULT_MAX_REDIRECTS = 3;
        /** Largest number of redirects that may be configured. */
        public static final int MAX_REDIRECTS_LIMIT = 20;

        private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

        /** @throws IllegalArgumentException when a value is out of its range; NullPointerException on a null */
        public Config {
            Objects.requireNonNull(allowList, "allowList");
            checkTimeout("connectTimeout", connectTimeout);
            checkTimeout("readTimeout", readTimeout);
            if (maxBodyBytes < 1 || maxBodyBytes > MAX_BODY_BYTES_LIMIT) {
                throw new IllegalArgumentException("maxBodyBytes must be 1-" + MAX_BODY_BYTES_LIMIT + ", not "
                        + maxBodyBytes);
            }
            if (maxRedirects < 0 || maxRedirects > MAX_REDIRECTS_LIMIT) {
                throw new IllegalArgumentException("maxRedirects must be 0-" + MAX_REDIRECTS_LIMIT + ", not "
                        + maxRedirects);
            }
        }

        private static void checkTimeout(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.toMillis() < 1 || d.compareTo(MAX_TIMEOUT) > 0) {
                throw new IllegalArgumentException(name + " must be 1 ms to 10 min, not " + d);
            }
        }

        /** @return a builder with the defaults */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds a {@link Config}; not thread-safe. Each setter's range is the record component's. */
        public static final class Builder {
            private UrlAllowList allowList = UrlAllowList.empty();
            private Duration connectTimeout = Duration.ofMillis(DEFAULT_CONNECT_TIMEOUT_MS);
            private Duration readTimeout = Duration.ofMillis(DEFAULT_READ_TIMEOUT_MS);
            private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
            private int maxRedirects = DEFAULT_MAX_REDIRECTS;

            private Builder() {
            }

            /** @param list the hosts allowed; default empty */
            public Builder allowList(UrlAllowList list) {
                this.allowList = Objects.requireNonNull(list, "list");
                return this;
            }

            /**
             * @param list {@code host[:port],...}, parsed by {@link UrlAllowList#parse}
             * @throws IllegalArgumentException on a malformed entry
             */
            public Builder allowList(String list) {
                return allowList(UrlAllowList.parse(list));
            }

            /** @param timeout connect timeout, 1 ms to 10 min; default 2 s */
            public Builder connectTimeout(Duration timeout) {
                this.connectTimeout = timeout;
                return this;
            }

            /** @param timeout read timeout, 1 ms to 10 min; default 5 s */
            public Builder readTimeout(Duration timeout) {
                this.readTimeout = timeout;
                return this;
            }

            /** @param bytes body cap, 1 to 1 GiB; default 10 MiB */
            public Builder maxBodyBytes(int bytes) {
                this.maxBodyBytes = bytes;
                return this;
            }

            /** @param redirects redirects followed, 0-20; default 3 */
            public Builder maxRedirects(int redirects) {
                this.maxRedirects = redirects;
                return this;
            }

            /**
             * @return the config
             * @throws IllegalArgumentException when a value is out of range
             */
            public Config build() {
                return new Config(allowList, connectTimeout, readTimeout, maxBodyBytes, maxRedirects);
            }
        }
    }
}
