package io.loadgen.server.image;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A host as written in a URL or an allow-list entry, parsed without any DNS lookup: either a DNS name (ASCII,
 * lower-cased) or an IP literal (a dotted-quad IPv4 address, or an IPv6 address in brackets). Two hosts are equal
 * when they are the same name, or literals of the same address ({@code [::1]} equals {@code [0:0:0:0:0:0:0:1]}).
 * Immutable.
 */
final class HostName {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final String HEX = "0123456789abcdef";

    private final String name;
    private final InetAddress literal;

    private HostName(String name, InetAddress literal) {
        this.name = name;
        this.literal = literal;
    }

    /**
     * @param text a host: {@code images.example.com}, {@code 127.0.0.1} or {@code [::1]} (brackets optional for IPv6
     *     here, because an HTTP client may hand the name over without them)
     * @return the host
     * @throws IllegalArgumentException when it is none of these; the message says why
     */
    static HostName parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("the host is empty");
        }
        String s = text;
        boolean bracketed = s.startsWith("[");
        if (bracketed) {
            if (!s.endsWith("]") || s.length() < 3) {
                throw new IllegalArgumentException("'" + text + "' is not a bracketed IPv6 address");
            }
            s = s.substring(1, s.length() - 1);
        }
        if (bracketed || s.indexOf(':') >= 0) {
            byte[] bytes = ipv6(s);
            if (bytes == null) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv6 address (zone ids are not supported)");
            }
            return new HostName(null, address(bytes));
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".")) {
            throw new IllegalArgumentException("'" + text + "' ends with a dot");
        }
        String[] labels = lower.split("\\.", -1);
        if (DIGITS.matcher(labels[labels.length - 1]).matches()) {
            byte[] bytes = ipv4(labels);
            if (bytes == null) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (four decimal numbers"
                        + " 0-255 without leading zeros) nor a host name");
            }
            return new HostName(null, address(bytes));
        }
        if (lower.length() > 253) {
            throw new IllegalArgumentException("'" + text + "' is longer than 253 characters");
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("'" + text + "' is not a host name (letters, digits and inner"
                        + " hyphens, in labels separated by dots; no wildcards)");
            }
        }
        return new HostName(lower, null);
    }

    /** @return whether this is an IP literal rather than a name */
    boolean isLiteral() {
        return literal != null;
    }

    /** @return the address of an IP literal, {@code null} for a name */
    InetAddress literal() {
        return literal;
    }

    /** @return the name, or the literal's address without brackets: the host name to hand an HTTP client */
    String clientName() {
        return literal != null ? literal.getHostAddress() : name;
    }

    /** @return the lower-case name, or the literal in URL form ({@code 127.0.0.1}, {@code [::1]}) */
    @Override
    public String toString() {
        if (literal == null) {
            return name;
        }
        String a = literal.getHostAddress();
        return a.indexOf(':') >= 0 ? "[" + a + "]" : a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostName h
                && (literal != null ? literal.equals(h.literal) : h.literal == null && name.equals(h.name));
    }

    @Override
    public int hashCode() {
        return literal != null ? literal.hashCode() : name.hashCode();
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes); // no lookup: the bytes are the address; IPv4-mapped -> Inet4Address
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong array length
        }
    }

    /** Four decimal parts 0-255, no leading zeros (so that {@code 010.0.0.1} is not read as octal by anyone). */
    private static byte[] ipv4(String[] parts) {
        if (parts.length != 4) {
            return null;
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (!DIGITS.matcher(p).matches() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            b[i] = (byte) v;
        }
        return b;
    }

    /** RFC 4291 text form: eight hex groups, one {@code ::}, an optional trailing dotted quad; no zone id. */
    private static byte[] ipv6(String s) {
        if (s.isEmpty() || s.length() > 45) {
            return null;
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        byte[] out = new byte[16];
        int[] head = groups(gap >= 0 ? s.substring(0, gap) : s, gap < 0);
        int[] tail = gap >= 0 ? groups(s.substring(gap + 2), true) : new int[0];
        if (head == null || tail == null) {
            return null;
        }
        int total = head.length + tail.length;
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        for (int i = 0; i < head.length; i++) {
            out[2 * i] = (byte) (head[i] >> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        for (int i = 0; i < tail.length; i++) {
            int at = 8 - tail.length + i;
            out[2 * at] = (byte) (tail[i] >> 8);
            out[2 * at + 1] = (byte) tail[i];
        }
        return out;
    }

    /** Colon-separated 16-bit groups; the last may be a dotted quad (two groups) when {@code last} says so. */
    private static int[] groups(String s, boolean last) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        int dotted = last && parts[parts.length - 1].indexOf('.') >= 0 ? 1 : 0;
        int[] g = new int[parts.length + dotted];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (dotted == 1 && i == parts.length - 1) {
                byte[] v4 = ipv4(p.split("\\.", -1));
                if (v4 == null) {
                    return null;
                }
                g[i] = (v4[0] & 0xff) << 8 | (v4[1] & 0xff);
                g[i + 1] = (v4[2] & 0xff) << 8 | (v4[3] & 0xff);
            } else {
                if (p.isEmpty() || p.length() > 4) {
                    return null;
                }
                int v = 0;
                for (int k = 0; k < p.length(); k++) {
                    char c = p.charAt(k);
                    int d = c < 128 ? HEX.indexOf(Character.toLowerCase(c)) : -1; // unlike Character.digit
                    if (d < 0) {
                        return null;
                    }
                    v = v << 4 | d;
                }
                g[i] = v;
            }
        }
        return g;
    }
}
