package io.loadgen.server.image;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The hosts images may be fetched from by URL ({@code imageUrlAllow}): an immutable list of {@code host[:port]}
 * entries, written comma-separated, e.g. {@code images.example.com,cdn.local:8080,127.0.0.1:9000,[::1]:9000}.
 *
 * <p>A host is a DNS name (ASCII; use the punycode {@code xn--} form of an international name; no wildcards), a
 * dotted-quad IPv4 address or a bracketed IPv6 address. Names compare case-insensitively, IP literals by address.
 * An entry <b>without a port allows only the URL scheme's default port</b>: 80 for {@code http}, 443 for
 * {@code https}; an entry with a port (1-65535) allows that port, for both schemes.
 *
 * <p>Listing a host decides which URLs may be tried; the addresses a <em>name</em> resolves to must moreover be
 * public (see {@link ImageUrlFetcher}). A loopback, private or link-local address is reachable only through an entry
 * that is that IP literal itself: {@code 127.0.0.1:9000} allows it, {@code localhost:9000} does not.
 *
 * <p>Thread-safe (immutable).
 */
public final class UrlAllowList {
    /** The setting's name, as messages quote it. */
    public static final String SETTING = "imageUrlAllow";

    private static final UrlAllowList EMPTY = new UrlAllowList(List.of());

    private final List<Entry> entries;

    private UrlAllowList(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** @return the list that allows no URL */
    public static UrlAllowList empty() {
        return EMPTY;
    }

    /**
     * Parses {@code host[:port],...}. Spaces around entries are ignored; an empty or blank string is the
     * {@linkplain #empty() empty list}, which refuses every URL.
     *
     * @param list e.g. {@code images.example.com,cdn.local:8080,127.0.0.1:9000}
     * @return the list
     * @throws IllegalArgumentException on a malformed entry, naming it and why: an empty entry ({@code a,,b}), a
     *     scheme, path, query or user-info ({@code http://x}, {@code x/y}, {@code u@x}), a bad port ({@code x:},
     *     {@code x:0}, {@code x:65536}, {@code x:http}), an IPv6 address without brackets, or a host that is not a
     *     name, IPv4 or IPv6 address
     * @throws NullPointerException when {@code list} is null
     */
    public static UrlAllowList parse(String list) {
        if (list.isBlank()) {
            return EMPTY;
        }
        String[] parts = list.split(",", -1);
        List<Entry> entries = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            String text = parts[i].strip();
            try {
                entries.add(Entry.parse(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(SETTING + " entry " + (i + 1) + " ('" + text + "') is not host[:port]: "
                        + e.getMessage() + "; the list reads like images.example.com,cdn.local:8080,127.0.0.1:9000", e);
            }
        }
        return new UrlAllowList(entries);
    }

    /** @return whether no URL is allowed */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** @return the entries in canonical form (lower-case names, normalised literals), in the order given */
    public List<String> entries() {
        return entries.stream().map(Entry::toString).toList();
    }

    /** @return the entries joined by {@code ", "}, or {@code none} */
    @Override
    public String toString() {
        return entries.isEmpty() ? "none" : entries.stream().map(Entry::toString).collect(Collectors.joining(", "));
    }

    /**
     * @param scheme {@code http} or {@code https}
     * @param host the URL's host
     * @param port the URL's effective port (the scheme's default when it names none)
     * @return the first entry allowing this host and port, or {@code null}
     */
    Entry find(String scheme, HostName host, int port) {
        int defaultPort = defaultPort(scheme);
        for (Entry e : entries) {
            if (e.host.equals(host) && (e.port == port || (e.port == Entry.NO_PORT && port == defaultPort))) {
                return e;
            }
        }
        return null;
    }

    /**
     * The check at connection time, where the scheme is not known: an entry without a port allows 80 and 443.
     *
     * @return the first entry allowing this host and port, or {@code null}
     */
    Entry findForConnection(HostName host, int port) {
        for (Entry e : entries) {
            if (e.host.equals(host) && (e.port == port || (e.port == Entry.NO_PORT && (port == 80 || port == 443)))) {
                return e;
            }
        }
        return null;
    }

    /** @return whether some entry names this host, whatever its port */
    boolean listsHost(HostName host) {
        for (Entry e : entries) {
            if (e.host.equals(host)) {
                return true;
            }
        }
        return false;
    }

    /** @return 80 for http, 443 for https, -1 otherwise */
    static int defaultPort(String scheme) {
        return switch (scheme) {
            case "http" -> 80;
            case "https" -> 443;
            default -> -1;
        };
    }

    /** One {@code host[:port]}; {@link #NO_PORT} for none. */
    record Entry(HostName host, int port) {
        static final int NO_PORT = -1;

        static Entry parse(String text) {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("it is empty");
            }
            for (String bad : new String[] {"://", "/", "@", "?", "#", "%", " ", "\t"}) {
                if (text.contains(bad)) {
                    throw new IllegalArgumentException("it may not contain '" + bad.strip() + "' (no scheme, path,"
                            + " query, user-info or zone id)");
                }
            }
            String host;
            String port = null;
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("the '[' of an IPv6 address is not closed");
                }
                host = text.substring(0, close + 1);
                String rest = text.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        throw new IllegalArgumentException("'" + rest + "' follows the IPv6 address");
                    }
                    port = rest.substring(1);
                }
            } else {
                int colon = text.indexOf(':');
                if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) {
                    throw new IllegalArgumentException("an IPv6 address must be in brackets, e.g. [::1]:9000");
                }
                host = colon >= 0 ? text.substring(0, colon) : text;
                port = colon >= 0 ? text.substring(colon + 1) : null;
            }
            return new Entry(HostName.parse(host), port == null ? NO_PORT : parsePort(port));
        }

        private static int parsePort(String p) {
            if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("the port '" + p + "' is not a number 1-65535");
            }
            int v = Integer.parseInt(p);
            if (v < 1 || v > 65535) {
                throw new IllegalArgumentException("the port " + v + " is not in 1-65535");
            }
            return v;
        }

        @Override
        public String toString() {
            return port == NO_PORT ? host.toString() : host + ":" + port;
        }
    }
}
