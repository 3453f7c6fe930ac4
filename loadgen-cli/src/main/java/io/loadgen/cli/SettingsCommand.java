package io.loadgen.cli;

import io.loadgen.config.Setting;
import io.loadgen.config.SettingGroup;
import io.loadgen.config.Settings;
import io.loadgen.config.SettingsFile;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadgen settings}: every setting with its default (the shipped file), or the values in force. */
@Command(name = "settings", mixinStandardHelpOptions = true,
        description = {"Print every setting as a properties file: its doc, allowed values, flag, environment variable"
                + " and default (this is conf/sys.properties).",
                "With --effective, print the values in force (after --config, LOADGEN_* variables) and where each"
                        + " came from."})
public final class SettingsCommand implements Callable<Integer>, UsesSettings {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--effective", description = "Print the values in force and their sources instead.")
    boolean effective;

    @Override
    public List<SettingGroup> settingGroups() {
        return List.of();
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!effective) {
            out.print(SettingsFile.render(CliSettings.FILE_HEADER, CliSettings.ALL));
            out.flush();
            return 0;
        }
        Settings s = CliSettings.load(spec);
        for (SettingGroup g : CliSettings.ALL) {
            out.println("# " + g.title());
            for (Setting<?> setting : g.settings()) {
                out.println(setting.key() + "=" + s.display(setting) + "    # " + s.source(setting));
            }
        }
        out.flush();
        return 0;
    }
}
