package io.loadgen.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    enum Color { RED, DEEP_BLUE }

    static final Setting<Integer> SLOTS = Setting.integer("maxSlots", 0, 100).defaultValue(8)
            .flags("--max-slots").doc("Most slots.").build();
    static final Setting<Duration> WAIT = Setting.duration("waitTime", "ms", Duration.ZERO, Duration.ofSeconds(10))
            .defaultValue(Duration.ofMillis(5)).flags("--wait").doc("Wait.").build();
    static final Setting<Color> COLOR = Setting.choice("color", Color.class).defaultValue(Color.RED)
            .flags("--color").doc("A color.").build();
    static final Setting<Optional<String>> NAME = Setting.optionalText("baseURL").defaultValue(Optional.empty())
            .doc("A name.").build();
    static final List<SettingGroup> GROUPS = List.of(SettingGroup.of("a", "A", SLOTS, WAIT),
            SettingGroup.of("b", "B", COLOR, NAME));

    @Test
    void precedenceIsFlagThenEnvironmentThenFileThenDefault(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("f.properties");
        Files.writeString(file, "maxSlots=3\nwaitTime=7\ncolor=deep_blue\n");
        Settings s = Settings.load(GROUPS, file, Map.of("LOADGEN_MAX_SLOTS", "4", "LOADGEN_WAIT_TIME", "2s",
                "PATH", "/bin", "LOADGEN_OPTS", "-Xmx1g"), Map.of(SLOTS, new Settings.FlagValue("--max-slots", "5")));
        assertEquals(5, s.get(SLOTS));
        assertEquals("flag --max-slots", s.source(SLOTS));
        assertEquals(Duration.ofSeconds(2), s.get(WAIT));
        assertEquals("environment variable LOADGEN_WAIT_TIME", s.source(WAIT));
        assertEquals(Color.DEEP_BLUE, s.get(COLOR));
        assertTrue(s.source(COLOR).startsWith("file "));
        assertEquals(Optional.empty(), s.get(NAME));
        assertEquals("default", s.source(NAME));
        assertEquals(Map.of("maxSlots", "5", "waitTime", "2s", "color", "deep_blue", "baseURL", ""),
                s.echo(GROUPS));
    }

    @Test
    void aSettingSaysWhereItIsSet() {
        assertEquals("maxSlots, LOADGEN_MAX_SLOTS or --max-slots", SLOTS.sources());
        assertEquals("baseURL or LOADGEN_BASE_URL", NAME.sources(), "no flag: the key and the variable");
    }

    @Test
    void badValuesNameTheKeyTheSourceAndWhatIsAllowed(@TempDir Path dir) throws Exception {
        UsageException e = assertThrows(UsageException.class, () -> Settings.load(GROUPS, null,
                Map.of("LOADGEN_MAX_SLOTS", "101"), Map.of()));
        assertEquals("bad value '101' for maxSlots (from environment variable LOADGEN_MAX_SLOTS): expected a whole"
                + " number in [0, 100]", e.getMessage());
        e = assertThrows(UsageException.class, () -> Settings.load(GROUPS, null, Map.of(),
                Map.of(COLOR, new Settings.FlagValue("--color", "green"))));
        assertTrue(e.getMessage().contains("flag --color") && e.getMessage().contains("one of red, deep_blue"),
                e.getMessage());
        e = assertThrows(UsageException.class, () -> Settings.load(GROUPS, null, Map.of(),
                Map.of(WAIT, new Settings.FlagValue("--wait", "11s"))));
        assertTrue(e.getMessage().contains("a duration in [0s, 10s]"), e.getMessage());
    }

    @Test
    void unknownKeysAndVariablesAreRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("f.properties");
        Files.writeString(file, "maxSlot=3\n");
        UsageException e = assertThrows(UsageException.class, () -> Settings.load(GROUPS, file, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("unknown configuration key 'maxSlot'")
                && e.getMessage().contains("maxSlots"), e.getMessage());
        e = assertThrows(UsageException.class, () -> Settings.load(GROUPS, null, Map.of("LOADGEN_MAX_SLOT", "1"),
                Map.of()));
        assertTrue(e.getMessage().contains("LOADGEN_MAX_SLOT;") && e.getMessage().contains("LOADGEN_MAX_SLOTS"),
                e.getMessage());
        assertThrows(UsageException.class, () -> Settings.load(GROUPS, dir.resolve("missing"), Map.of(), Map.of()));
    }

    @Test
    void envNamesAreUpperSnakeCase() {
        assertEquals("LOADGEN_BASE_URL", NAME.envName());
        assertEquals("LOADGEN_IMAGE_CLASSIFY_BASE_URL", Setting.envName("imageClassifyBaseURL"));
        assertEquals("LOADGEN_RMI_TLS_KEYSTORE", Setting.envName("rmiTlsKeystore"));
    }

    @Test
    void buildersCheckTypedValuesWithTheDeclaredRange() {
        assertEquals(100, SLOTS.check(100));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SLOTS.check(-1));
        assertEquals("maxSlots must be a whole number in [0, 100], got -1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WAIT.check(Duration.ofSeconds(-1)));
    }

    @Test
    void declarationsNeedAnAllowedDefaultAndADoc() {
        assertThrows(IllegalStateException.class, () -> Setting.integer("x", 0, 1).defaultValue(2).doc("d").build());
        assertThrows(IllegalStateException.class, () -> Setting.integer("x", 0, 1).defaultValue(0).build());
        assertThrows(IllegalArgumentException.class, () -> Setting.integer("Bad-key", 0, 1));
        assertThrows(IllegalStateException.class, () -> Settings.defaults(List.of(SettingGroup.of("a", "A", SLOTS),
                SettingGroup.of("b", "B", Setting.integer("maxSlots", 0, 9).defaultValue(1).doc("d").build()))));
    }

    @Test
    void theRenderedFileReadsBackToTheDefaults(@TempDir Path dir) throws Exception {
        String text = SettingsFile.render(List.of("Header."), GROUPS);
        assertTrue(text.contains("# Most slots.\n# Allowed: a whole number in [0, 100]. Flag --max-slots,"
                + " environment LOADGEN_MAX_SLOTS.\nmaxSlots=8\n"), text);
        assertTrue(text.contains("No flag; environment LOADGEN_BASE_URL."), text);
        Path file = dir.resolve("sys.properties");
        Files.writeString(file, text);
        Settings s = Settings.load(GROUPS, file, Map.of(), Map.of());
        assertEquals(Settings.defaults(GROUPS).echo(GROUPS), s.echo(GROUPS));
    }

    @Test
    void longCommentsWrap() {
        List<String> lines = SettingsFile.wrap("aaa bbb ccc ddd", 7);
        assertEquals(List.of("aaa bbb", "ccc ddd"), lines);
    }
}
