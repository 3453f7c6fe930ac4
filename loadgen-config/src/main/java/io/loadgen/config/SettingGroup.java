package io.loadgen.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings that belong together (the engine's, the transport's, the server's): one section of
 * {@code conf/sys.properties} and of a command's {@code --help}, and one picocli mixin.
 *
 * @param name a short name, e.g. {@code engine}: the mixin's name
 * @param title the heading, e.g. {@code Engine}
 * @param settings the settings, in the order they are shown
 */
public record SettingGroup(String name, String title, List<Setting<?>> settings) {
    public SettingGroup {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(title, "title");
        settings = List.copyOf(settings);
    }

    /**
     * @param name a short name
     * @param title the heading
     * @param settings the settings, in order
     * @return the group
     */
    public static SettingGroup of(String name, String title, Setting<?>... settings) {
        return new SettingGroup(name, title, List.of(settings));
    }

    /**
     * @param chosen settings of this group
     * @return a group of only those (for a command that takes a few of a group's flags)
     * @throws IllegalArgumentException if one is not in this group
     */
    public SettingGroup only(Setting<?>... chosen) {
        List<Setting<?>> list = new ArrayList<>();
        for (Setting<?> s : chosen) {
            if (!settings.contains(s)) {
                throw new IllegalArgumentException(s.key() + " is not in group " + name);
            }
            list.add(s);
        }
        return new SettingGroup(name, title, list);
    }
}
