package io.loadgen.server.image;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Says whether an address is one a name on {@code imageUrlAllow} may resolve to: a public unicast address. Refused:
 * <ul>
 *   <li>IPv4: 0.0.0.0/8 (any-local, "this network"), 10/8, 172.16/12, 192.168/16 (private), 100.64/10 (CGNAT shared
 *       space), 127/8 (loopback), 169.254/16 (link-local, cloud metadata), 192.0.0/24 (IETF protocol assignments),
 *       198.18/15 (benchmarking), 224/4 (multicast), 240/4 and 255.255.255.255 (reserved, broadcast);</li>
 *   <li>IPv6: {@code ::} (any-local), {@code ::1} (loopback), fe80::/10 (link-local), fec0::/10 (site-local),
 *       fc00::/7 (unique local, private), ff00::/8 (multicast), 64:ff9b:1::/48 (local NAT64), and any address that
 *       embeds a refused IPv4 address: IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible {@code ::a.b.c.d}, NAT64
 *       {@code 64:ff9b::a.b.c.d}, 6to4 {@code 2002:AABB:CCDD::}.</li>
 * </ul>
 * Pure function of the address bytes: no DNS lookups. Thread-safe.
 */
final class AddressClassifier {
    private AddressClassifier() {
    }

    /**
     * @param address an address a name resolved to
     * @return why it is refused, e.g. {@code "a loopback address"}; empty when it is public
     */
    static Optional<String> refusal(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address || b.length == 4) {
            return Optional.ofNullable(ipv4(b));
        }
        if (address instanceof Inet6Address && b.length == 16) {
            return Optional.ofNullable(ipv6(b));
        }
        return Optional.of("an address of an unknown family");
    }

    private static String ipv4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        if (a0 == 0) {
            return "an any-local (0.0.0.0/8) address";
        }
        if (a0 == 127) {
            return "a loopback address";
        }
        if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
            return "a private address";
        }
        if (a0 == 169 && a1 == 254) {
            return "a link-local address";
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return "a carrier-grade NAT (100.64.0.0/10) address";
        }
        if (a0 == 192 && a1 == 0 && a2 == 0) {
            return "an IETF protocol (192.0.0.0/24) address";
        }
        if (a0 == 198 && (a1 & 0xfe) == 18) {
            return "a benchmarking (198.18.0.0/15) address";
        }
        if ((a0 & 0xf0) == 224) {
            return "a multicast address";
        }
        if ((a0 & 0xf0) == 240) {
            return "a reserved or broadcast (240.0.0.0/4) address";
        }
        return null;
    }

    private static String ipv6(byte[] b) {
        boolean zero96 = true; // the first 96 bits are zero: ::, ::1, IPv4-compatible
        for (int i = 0; i < 12; i++) {
            zero96 &= b[i] == 0;
        }
        if (zero96) {
            int low = (b[12] | b[13] | b[14]) & 0xff;
            if (low == 0 && b[15] == 0) {
                return "an any-local address";
            }
            if (low == 0 && b[15] == 1) {
                return "a loopback address";
            }
            return embedded(b, 12, "an IPv4-compatible");
        }
        boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
        for (int i = 0; i < 10; i++) {
            mapped &= b[i] == 0;
        }
        if (mapped) {
            return embedded(b, 12, "an IPv4-mapped");
        }
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        if (b0 == 0xff) {
            return "a multicast address";
        }
        if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
            return "a link-local address";
        }
        if (b0 == 0xfe && (b1 & 0xc0) == 0xc0) {
            return "a site-local address";
        }
        if ((b0 & 0xfe) == 0xfc) {
            return "a private (unique local, fc00::/7) address";
        }
        if (b0 == 0x00 && b1 == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
            boolean wellKnown = true; // 64:ff9b::/96
            for (int i = 4; i < 12; i++) {
                wellKnown &= b[i] == 0;
            }
            if (wellKnown) {
                return embedded(b, 12, "a NAT64");
            }
            if (b[4] == 0 && b[5] == 1) {
                return "a local-use NAT64 (64:ff9b:1::/48) address";
            }
        }
        if (b0 == 0x20 && b1 == 0x02) {
            return embedded(b, 2, "a 6to4");
        }
        return null;
    }

    private static String embedded(byte[] b, int at, String kind) {
        byte[] v4 = {b[at], b[at + 1], b[at + 2], b[at + 3]};
        String why = ipv4(v4);
        if (why == null) {
            return null;
        }
        return kind + " address of " + (v4[0] & 0xff) + "." + (v4[1] & 0xff) + "." + (v4[2] & 0xff) + "."
                + (v4[3] & 0xff) + ", " + why;
    }
}
