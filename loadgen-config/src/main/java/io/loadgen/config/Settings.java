package io.loadgen.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The values of a program's settings, each from the first of: a command-line flag, a {@code LOADGEN_*} environment
 * variable, a properties file, the declared default. Every value is read and checked when loading: an unknown key,
 * an unknown {@code LOADGEN_*} variable or a bad value throws a {@link UsageException} naming the key and where the
 * bad text came from, so a run never fails half-way on a typo. Immutable and thread-safe.
 */
public final class Settings {
    /** Environment variables with this prefix are settings. */
    public static final String ENV_PREFIX = "LOADGEN_";
    /** Environment variables with the prefix that are not settings: the launch script's own. */
    public static final Set<String> ENV_RESERVED = Set.of("LOADGEN_OPTS", "LOADGEN_HOME", "LOADGEN_JAVA",
            "LOADGEN_CONF", "LOADGEN_LOG_LEVEL");

    private final Map<Setting<?>, Object> values;
    private final Map<Setting<?>, String> sources;

    private Settings(Map<Setting<?>, Object> values, Map<Setting<?>, String> sources) {
        this.values = Collections.unmodifiableMap(values);
        this.sources = Collections.unmodifiableMap(sources);
    }

    /**
     * @param groups every group the program declares
     * @return the declared defaults
     */
    public static Settings defaults(Collection<SettingGroup> groups) {
        return load(groups, null, Map.of(), Map.of());
    }

    /**
     * Loads the settings.
     *
     * @param groups every group the program declares (a key of any of them is known in files and the environment)
     * @param file a properties file, or {@code null}
     * @param environment the environment, usually {@link System#getenv()}
     * @param flags values given on the command line, with the flag as written (for messages)
     * @return the values
     * @throws UsageException for an unknown key or variable, or a bad value, naming it and its source
     * @throws IllegalStateException if two declarations share a key (a bug)
     */
    public static Settings load(Collection<SettingGroup> groups, Path file, Map<String, String> environment,
            Map<Setting<?>, FlagValue> flags) {
        Map<String, Setting<?>> byKey = index(groups);
        Map<Setting<?>, String> raw = new LinkedHashMap<>();
        Map<Setting<?>, String> sources = new LinkedHashMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw new UsageException("cannot read configuration file " + file + ": " + e.getMessage(), e);
            }
            for (String key : new TreeSet<>(p.stringPropertyNames())) {
                Setting<?> s = byKey.get(key);
                if (s == null) {
                    throw new UsageException("unknown configuration key '" + key + "' in file " + file
                            + "; known keys: " + String.join(", ", new TreeSet<>(byKey.keySet())));
                }
                raw.put(s, p.getProperty(key));
                sources.put(s, "file " + file);
            }
        }
        Map<String, Setting<?>> byEnv = new LinkedHashMap<>();
        byKey.values().forEach(s -> byEnv.put(s.envName(), s));
        for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || ENV_RESERVED.contains(name)) {
                continue;
            }
            Setting<?> s = byEnv.get(name);
            if (s == null) {
                throw new UsageException("unknown setting in environment variable " + name + "; known variables: "
                        + String.join(", ", new TreeSet<>(byEnv.keySet())));
            }
            raw.put(s, e.getValue());
            sources.put(s, "environment variable " + name);
        }
        for (Map.Entry<Setting<?>, FlagValue> e : flags.entrySet()) {
            if (!byKey.containsKey(e.getKey().key())) {
                throw new IllegalStateException("flag for undeclared setting " + e.getKey().key());
            }
            raw.put(e.getKey(), e.getValue().value());
            sources.put(e.getKey(), "flag " + e.getValue().flag());
        }
        Map<Setting<?>, Object> values = new LinkedHashMap<>();
        for (Setting<?> s : byKey.values()) {
            if (raw.containsKey(s)) {
                String text = raw.get(s);
                try {
                    values.put(s, s.parse(text));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("bad value '" + text.trim() + "' for " + s.key() + " (from "
                            + sources.get(s) + "): " + e.getMessage(), e);
                }
            } else {
                values.put(s, s.defaultValue());
                sources.put(s, "default");
            }
        }
        return new Settings(values, sources);
    }

    private static Map<String, Setting<?>> index(Collection<SettingGroup> groups) {
        Map<String, Setting<?>> byKey = new LinkedHashMap<>();
        for (SettingGroup g : groups) {
            for (Setting<?> s : g.settings()) {
                Setting<?> before = byKey.putIfAbsent(s.key(), s);
                if (before != null && before != s) {
                    throw new IllegalStateException("two settings are declared with key " + s.key());
                }
            }
        }
        return byKey;
    }

    /**
     * @param setting a declared setting
     * @return its value
     * @throws IllegalStateException if the setting is not among the groups loaded (a bug)
     */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        Object v = values.get(Objects.requireNonNull(setting));
        if (v == null) {
            throw new IllegalStateException("setting " + setting.key() + " was not loaded: its group is missing");
        }
        return (T) v;
    }

    /** @return where a setting's value came from: {@code default}, {@code file ...}, {@code environment variable
     *     ...} or {@code flag ...} */
    public String source(Setting<?> setting) {
        return sources.getOrDefault(setting, "default");
    }

    /**
     * @param groups groups of settings
     * @return their values by key, as written in a properties file, in declaration order (for a results file);
     *     a secret's value is {@code (set)} or empty
     */
    public Map<String, String> echo(Collection<SettingGroup> groups) {
        Map<String, String> m = new LinkedHashMap<>();
        for (SettingGroup g : groups) {
            for (Setting<?> s : g.settings()) {
                m.put(s.key(), display(s));
            }
        }
        return m;
    }

    /**
     * @param setting a declared setting
     * @return its value as written in a properties file; a secret's is {@code (set)} or empty
     */
    public <T> String display(Setting<T> setting) {
        String v = setting.format(get(setting));
        return setting.isSecret() && !v.isEmpty() ? "(set)" : v;
    }

    /**
     * A value given on the command line.
     *
     * @param flag the flag as written, e.g. {@code --max-in-flight}
     * @param value the text given
     */
    public record FlagValue(String flag, String value) {
    }
}
