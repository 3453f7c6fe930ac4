package io.loadgen.cli;

import io.loadgen.config.Setting;
import io.loadgen.config.SettingGroup;
import io.loadgen.config.Settings;
import io.loadgen.core.config.CoreSettings;
import io.loadgen.rmi.RmiSettings;
import io.loadgen.server.ServerSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The settings of the {@code loadgen} command: every group of every module, the picocli options derived from their
 * declarations, and their loading (flag, then {@code LOADGEN_*} variable, then {@code --config} file or
 * {@code -Dloadgen.conf}, then the declared default).
 */
final class CliSettings {
    /** Every group, in the order {@code conf/sys.properties} shows them. */
    static final List<SettingGroup> ALL = List.of(CoreSettings.TARGET_GROUP, CoreSettings.SCHEDULE_GROUP,
            CoreSettings.ENGINE_GROUP, CoreSettings.TRANSPORT_GROUP, CoreSettings.RESULTS_GROUP, RmiSettings.GROUP,
            io.loadgen.prometheus.MetricsSettings.GROUP, ServerSettings.GROUP);

    /** The opening comment of {@code conf/sys.properties}. */
    static final List<String> FILE_HEADER = List.of(
            "loadgen default configuration: every setting with its default.",
            "",
            "A setting is taken from the first of: its command-line flag, its environment variable (LOADGEN_ + the"
                    + " key in upper snake case, e.g. LOADGEN_RECORD_INTERVAL=500), the file given with --config"
                    + " (the launcher passes this one), its declared default.",
            "An unknown key or a bad value stops the program at start-up with a message naming the key.",
            "Durations take a unit (250ms, 10s, 2m); a bare number is in the unit the key's comment names.",
            "",
            "This file is generated from the settings' declarations: `./loadgen settings > conf/sys.properties`"
                    + " writes it again. Keep your own settings in a file of your own (--config FILE).");

    private static final String CONFIG_FLAG = "--config";
    private static final String CONFIG_MARK = "loadgen-config-file";

    private CliSettings() {
    }

    /**
     * Adds {@code --config FILE} and one mixin per group to a command: each option carries its {@link Setting} as
     * its user object, shows the declared default in {@code --help}, and is read by {@link #load}.
     */
    static void addOptions(CommandSpec command, List<SettingGroup> groups) {
        CommandSpec config = CommandSpec.create();
        config.addOption(OptionSpec.builder(CONFIG_FLAG).paramLabel("FILE").type(Path.class).userObject(CONFIG_MARK)
                .description("Properties file of settings (default: the shipped conf/sys.properties, or"
                        + " -Dloadgen.conf). Flags override LOADGEN_* variables, which override the file.")
                .build());
        command.addMixin("config", config);
        for (SettingGroup g : groups) {
            ArgGroupSpec.Builder section = ArgGroupSpec.builder().heading("%n" + g.title() + ":%n").exclusive(false)
                    .multiplicity("0..1").validate(false);
            int n = 0;
            for (Setting<?> s : g.settings()) {
                if (s.flags().isEmpty()) {
                    continue;
                }
                section.addArg(option(s));
                n++;
            }
            if (n > 0) {
                CommandSpec mixin = CommandSpec.create();
                mixin.addArgGroup(section.build());
                command.addMixin(g.name(), mixin);
            }
        }
    }

    private static OptionSpec option(Setting<?> s) {
        String doc = s.doc().replace("%", "%%").replace("${", "$${");
        OptionSpec.Builder b = OptionSpec.builder(s.flags().toArray(new String[0])).userObject(s);
        if (s.isToggle()) {
            return b.type(boolean.class).arity("0").description(doc).build();
        }
        b.type(String.class).arity("1").paramLabel(s.paramLabel());
        String def = s.defaultText();
        if (s.isSecret() || def.isEmpty()) {
            return b.description(doc + " (default: none)").build();
        }
        return b.defaultValue(def).description(doc + " (default: ${DEFAULT-VALUE})").build();
    }

    /**
     * Loads the settings of a command whose options {@link #addOptions} added.
     *
     * @param command the command's spec, after parsing
     * @return the values
     * @throws io.loadgen.config.UsageException for a bad value, an unknown key or an unreadable file
     */
    static Settings load(CommandSpec command) {
        CommandLine.ParseResult parsed = command.commandLine().getParseResult();
        Map<Setting<?>, Settings.FlagValue> flags = new LinkedHashMap<>();
        Path file = null;
        for (OptionSpec o : parsed.matchedOptions()) {
            if (o.userObject() instanceof Setting<?> s) {
                String v = s.isToggle() ? "true" : String.valueOf(o.<Object>getValue());
                flags.put(s, new Settings.FlagValue(o.longestName(), v));
            } else if (CONFIG_MARK.equals(o.userObject())) {
                file = o.getValue();
            }
        }
        if (file == null && System.getProperty("loadgen.conf") != null) {
            file = Path.of(System.getProperty("loadgen.conf"));
        }
        return Settings.load(ALL, file, System.getenv(), flags);
    }
}
