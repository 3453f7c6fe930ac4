package io.loadgen.server.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The address rules, on addresses built from bytes: no DNS. */
@Timeout(10)
class AddressClassifierTest {

    @ParameterizedTest
    @ValueSource(strings = {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.255.0.9", "0.0.0.0", "0.1.2.3", "224.0.0.1",
        "239.255.255.250", "255.255.255.255", "240.0.0.1", "198.18.0.1", "192.0.0.8",
        "::1", "::", "fe80::1", "febf::1", "fec0::1", "fc00::1", "fdff:ffff::1", "ff02::1",
        "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "2002:c0a8:101::1"})
    void refusesNonPublicAddresses(String ip) throws Exception {
        Optional<String> why = AddressClassifier.refusal(ip(ip));
        assertTrue(why.isPresent(), ip + " should be refused");
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255",
        "100.128.0.1", "169.253.1.1", "192.169.0.1", "11.0.0.1", "223.255.255.255", "2606:4700::1",
        "2001:4860:4860::8888", "::ffff:93.184.216.34", "64:ff9b::808:808", "2002:5db8:d822::1", "fbff::1"})
    void allowsPublicAddresses(String ip) throws Exception {
        Optional<String> why = AddressClassifier.refusal(ip(ip));
        assertEquals(Optional.empty(), why, ip + " should be public");
    }

    @Test
    void namesTheKindOfAddress() throws Exception {
        assertEquals("a loopback address", AddressClassifier.refusal(ip("::1")).orElseThrow());
        assertEquals("a link-local address", AddressClassifier.refusal(ip("169.254.169.254")).orElseThrow());
        assertEquals("a private address", AddressClassifier.refusal(ip("192.168.1.1")).orElseThrow());
        assertEquals("a carrier-grade NAT (100.64.0.0/10) address",
                AddressClassifier.refusal(ip("100.64.0.1")).orElseThrow());
        assertEquals("a NAT64 address of 169.254.169.254, a link-local address",
                AddressClassifier.refusal(ip("64:ff9b::a9fe:a9fe")).orElseThrow());
    }

    /** An address from its text, parsed here into bytes, so that no lookup can happen. */
    static InetAddress ip(String text) throws UnknownHostException {
        if (text.indexOf(':') < 0) {
            String[] p = text.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                b[i] = (byte) Integer.parseInt(p[i]);
            }
            return InetAddress.getByAddress(b);
        }
        byte[] b = new byte[16];
        String s = text;
        int[] tailV4 = null;
        int lastColon = s.lastIndexOf(':');
        if (s.indexOf('.', lastColon) > 0) {
            InetAddress v4 = ip(s.substring(lastColon + 1));
            byte[] a = v4.getAddress();
            tailV4 = new int[] {(a[0] & 0xff) << 8 | (a[1] & 0xff), (a[2] & 0xff) << 8 | (a[3] & 0xff)};
            s = s.substring(0, lastColon + 1) + "0:0";
        }
        String[] halves = s.split("::", -1);
        String[] head = halves[0].isEmpty() ? new String[0] : halves[0].split(":");
        String[] tail = halves.length == 1 || halves[1].isEmpty() ? new String[0] : halves[1].split(":");
        int[] groups = new int[8];
        for (int i = 0; i < head.length; i++) {
            groups[i] = Integer.parseInt(head[i], 16);
        }
        for (int i = 0; i < tail.length; i++) {
            groups[8 - tail.length + i] = Integer.parseInt(tail[i], 16);
        }
        if (tailV4 != null) {
            groups[6] = tailV4[0];
            groups[7] = tailV4[1];
        }
        for (int i = 0; i < 8; i++) {
            b[2 * i] = (byte) (groups[i] >> 8);
            b[2 * i + 1] = (byte) groups[i];
        }
        return InetAddress.getByAddress(b);
    }
}
