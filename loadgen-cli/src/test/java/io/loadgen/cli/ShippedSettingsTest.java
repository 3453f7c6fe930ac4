package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.config.Setting;
import io.loadgen.config.SettingGroup;
import io.loadgen.config.Settings;
import io.loadgen.config.SettingsFile;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The shipped conf/sys.properties is the rendering of the declarations, and every command's flags come from them. */
class ShippedSettingsTest {
    private static final Path SHIPPED = Path.of("..", "conf", "sys.properties");

    @Test
    void theShippedFileIsTheRenderingOfTheDeclarations() throws IOException {
        String expected = SettingsFile.render(CliSettings.FILE_HEADER, CliSettings.ALL);
        assertEquals(expected, Files.readString(SHIPPED), "conf/sys.properties is out of date with the settings'"
                + " declarations: run `./loadgen settings > conf/sys.properties`");
    }

    @Test
    void everyKeyOfTheShippedFileIsDeclaredAndDocumentedAndEveryDeclarationIsInIt() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(SHIPPED)) {
            p.load(r);
        }
        Set<String> declared = new TreeSet<>();
        for (SettingGroup g : CliSettings.ALL) {
            for (Setting<?> s : g.settings()) {
                declared.add(s.key());
                assertFalse(s.doc().isBlank(), s.key() + " has no doc");
                assertEquals(s.defaultText(), p.getProperty(s.key()), s.key() + ": shipped value is not the default");
            }
        }
        assertEquals(declared, new TreeSet<>(p.stringPropertyNames()));
        // and the file loads as a configuration, to the declared defaults
        assertEquals(Settings.defaults(CliSettings.ALL).echo(CliSettings.ALL),
                Settings.load(CliSettings.ALL, SHIPPED, Map.of(), Map.of()).echo(CliSettings.ALL));
    }

    @Test
    void everyFlagOfACommandsGroupsIsAnOptionThatCarriesItsSettingWithItsDefaultInHelp() {
        CommandLine cl = Main.commandLine();
        Set<String> seen = new HashSet<>();
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!(sub.getCommand() instanceof UsesSettings u)) {
                continue;
            }
            String help = sub.getUsageMessage();
            String packed = help.replaceAll("\\s+", "");
            for (SettingGroup g : u.settingGroups()) {
                for (Setting<?> s : g.settings()) {
                    for (String flag : s.flags()) {
                        OptionSpec o = sub.getCommandSpec().findOption(flag);
                        assertTrue(o != null && o.userObject() == s, sub.getCommandName() + " lacks " + flag);
                        seen.add(s.key());
                    }
                    if (!s.flags().isEmpty() && !s.isSecret() && !s.defaultText().isEmpty()) {
                        assertTrue(packed.contains("(default:" + s.defaultText().replaceAll("\\s+", "") + ")"),
                                sub.getCommandName()
                                + " help does not show the default of " + s.flags().get(0) + ":\n" + help);
                    }
                }
            }
            assertFalse(help.contains("null"), sub.getCommandName() + " help prints null:\n" + help);
        }
        for (SettingGroup g : CliSettings.ALL) {
            for (Setting<?> s : g.settings()) {
                assertTrue(s.flags().isEmpty() || seen.contains(s.key()), s.flags() + " is in no command");
            }
        }
    }
}
