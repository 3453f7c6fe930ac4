package io.loadgen.cli;

import io.loadgen.config.SettingGroup;
import java.util.List;

/**
 * A subcommand whose flags include settings: {@link Main} adds one picocli mixin per group (the flags, their help
 * and defaults derived from the declarations) and {@code --config FILE}; the command reads the values with
 * {@link CliSettings#load}.
 */
interface UsesSettings {
    /** @return the groups whose flags this command takes, in the order its help shows them */
    List<SettingGroup> settingGroups();
}
