package io.loadgen.server.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class UrlAllowListTest {

    @Test
    void parsesEntriesToCanonicalForm() {
        UrlAllowList list = UrlAllowList.parse(" Images.Example.COM, cdn.local:8080 ,127.0.0.1:9000,[0:0::1]:9000,"
                + "[::ffff:10.0.0.1]");
        assertEquals(List.of("images.example.com", "cdn.local:8080", "127.0.0.1:9000", "[0:0:0:0:0:0:0:1]:9000",
                "10.0.0.1"), list.entries());
        assertEquals("images.example.com, cdn.local:8080, 127.0.0.1:9000, [0:0:0:0:0:0:0:1]:9000, 10.0.0.1",
                list.toString());
    }

    @Test
    void blankIsTheEmptyList() {
        assertTrue(UrlAllowList.parse("").isEmpty());
        assertTrue(UrlAllowList.parse("  ").isEmpty());
        assertEquals("none", UrlAllowList.parse("").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://x", "https://images.example.com", "x/y", "user@x", "x?y", "x#y", "a,,b", ",",
        "a,", "x:", "x:0", "x:65536", "x:http", "x:-1", "x:+80", "::1", "::1:9000", "[::1", "[::1]9000", "[zz::1]",
        "[fe80::1%eth0]", "*.example.com", "-bad.com", "bad-.com", "exa_mple.com", "a..b", "a.b.", "010.0.0.1",
        "256.1.1.1", "1.2.3", "127.1", "1.2.3.4.5", "bücher.example", "a b"})
    void refusesMalformedEntries(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UrlAllowList.parse(spec));
        assertTrue(e.getMessage().startsWith("imageUrlAllow entry "), e.getMessage());
        assertTrue(e.getMessage().contains("is not host[:port]: "), e.getMessage());
    }

    @Test
    void messagesSayWhichEntryAndWhy() {
        assertEquals("imageUrlAllow entry 2 ('http://x') is not host[:port]: it may not contain '://' (no scheme,"
                + " path, query, user-info or zone id); the list reads like"
                + " images.example.com,cdn.local:8080,127.0.0.1:9000",
                assertThrows(IllegalArgumentException.class, () -> UrlAllowList.parse("a,http://x")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UrlAllowList.parse("a,,b")).getMessage()
                .startsWith("imageUrlAllow entry 2 ('') is not host[:port]: it is empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UrlAllowList.parse("a:99999")).getMessage()
                .contains("the port 99999 is not in 1-65535"));
    }

    @Test
    void anEntryWithoutAPortAllowsOnlyTheSchemesDefaultPort() {
        UrlAllowList list = UrlAllowList.parse("images.example.com,cdn.local:8080");
        HostName images = HostName.parse("IMAGES.example.com");
        assertNotNull(list.find("http", images, 80));
        assertNotNull(list.find("https", images, 443));
        assertNull(list.find("http", images, 443));
        assertNull(list.find("https", images, 80));
        assertNull(list.find("http", images, 8080));
        HostName cdn = HostName.parse("cdn.local");
        assertNotNull(list.find("http", cdn, 8080));
        assertNotNull(list.find("https", cdn, 8080));
        assertNull(list.find("http", cdn, 80));
        assertNull(list.find("http", HostName.parse("other.example.com"), 80));
        assertNull(list.find("http", HostName.parse("images.example.com.evil.com"), 80));
        assertTrue(list.listsHost(cdn));
        assertFalse(list.listsHost(HostName.parse("cdn.local.evil")));
    }

    @Test
    void literalsCompareByAddress() {
        UrlAllowList list = UrlAllowList.parse("[::1]:9000,127.0.0.1:9001");
        assertNotNull(list.find("http", HostName.parse("[0:0:0:0:0:0:0:1]"), 9000));
        assertNotNull(list.find("http", HostName.parse("::1"), 9000));
        assertNotNull(list.find("http", HostName.parse("127.0.0.1"), 9001));
        assertNotNull(list.find("http", HostName.parse("[::ffff:127.0.0.1]"), 9001));
        assertNull(list.find("http", HostName.parse("127.0.0.2"), 9001));
        assertNull(list.find("http", HostName.parse("localhost"), 9001));
        assertTrue(HostName.parse("127.0.0.1").isLiteral());
        assertFalse(HostName.parse("localhost").isLiteral());
    }
}
