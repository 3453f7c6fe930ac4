package io.loadgen.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One setting, declared once: its key (in {@code sys.properties}), type, allowed values, default and documentation,
 * and the command-line flags that set it. From this one declaration come the properties key, the
 * {@code LOADGEN_*} environment variable ({@link #envName()}), the picocli option and its help text, the check a
 * builder runs on a typed value ({@link #check}) and the line of the shipped {@code conf/sys.properties}.
 *
 * <p>Instances are immutable and thread-safe; declare them as constants ({@code public static final}).
 *
 * @param <T> the type of the value
 */
public final class Setting<T> {
    private final String key;
    private final T defaultValue;
    private final Function<String, T> parser;
    private final Function<? super T, String> formatter;
    private final Predicate<? super T> valid;
    private final String allowed;
    private final String doc;
    private final List<String> flags;
    private final String paramLabel;
    private final boolean toggle;
    private final boolean secret;

    private Setting(Builder<T> b) {
        this.key = b.key;
        this.defaultValue = b.defaultValue;
        this.parser = b.parser;
        this.formatter = b.formatter;
        this.valid = b.valid;
        this.allowed = b.allowed;
        this.doc = b.doc;
        this.flags = List.copyOf(b.flags);
        this.paramLabel = b.paramLabel;
        this.toggle = b.toggle;
        this.secret = b.secret;
    }

    /** @return whether the value is a secret (a token, a password): results files say only whether it is set */
    public boolean isSecret() {
        return secret;
    }

    /** @return the key in a properties file, e.g. {@code maxInFlight} */
    public String key() {
        return key;
    }

    /** @return the environment variable that sets it: {@code LOADGEN_} + the key in upper snake case */
    public String envName() {
        return envName(key);
    }

    /**
     * @param key a key, e.g. {@code imageClassifyBaseURL}
     * @return its environment variable, e.g. {@code LOADGEN_IMAGE_CLASSIFY_BASE_URL}
     */
    public static String envName(String key) {
        String snake = key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("([A-Z]+)([A-Z][a-z])", "$1_$2");
        return Settings.ENV_PREFIX + snake.toUpperCase(Locale.ROOT);
    }

    /**
     * @return where a user sets it, for a message that tells them: its key, its environment variable and its flags,
     *     e.g. {@code rmiToken, LOADGEN_RMI_TOKEN or --rmi-token}
     */
    public String sources() {
        List<String> all = new ArrayList<>();
        all.add(key);
        all.add(envName());
        all.addAll(flags);
        return String.join(", ", all.subList(0, all.size() - 1)) + " or " + all.get(all.size() - 1);
    }

    /** @return the value when nothing sets it */
    public T defaultValue() {
        return defaultValue;
    }

    /** @return the default as written in a properties file */
    public String defaultText() {
        return format(defaultValue);
    }

    /** @return what the setting does, one or more sentences */
    public String doc() {
        return doc;
    }

    /** @return the allowed values, e.g. {@code a whole number in [0, 65535]} */
    public String allowed() {
        return allowed;
    }

    /** @return the command-line flags that set it, longest first; empty for a setting only files and the
     *     environment set (a password, say) */
    public List<String> flags() {
        return flags;
    }

    /** @return the flag's parameter label for help, e.g. {@code N} or {@code DUR} */
    public String paramLabel() {
        return paramLabel;
    }

    /** @return whether the flag takes no value (a boolean switched on by naming it) */
    public boolean isToggle() {
        return toggle;
    }

    /**
     * Reads a value as written in a file, a variable or a flag.
     *
     * @param raw the text; surrounding blanks are ignored
     * @return the value, valid
     * @throws IllegalArgumentException saying what is allowed (without the key: the caller names where the text came
     *     from)
     */
    public T parse(String raw) {
        String t = raw == null ? "" : raw.trim();
        T v;
        try {
            v = parser.apply(t);
        } catch (RuntimeException e) {
            // A parser's own sentence (a profile's syntax error, say) says more than the allowed forms.
            boolean own = e instanceof IllegalArgumentException && !(e instanceof NumberFormatException)
                    && e.getMessage() != null && e.getMessage().length() > t.length() + 2;
            throw new IllegalArgumentException(own ? e.getMessage() : "expected " + allowed, e);
        }
        if (v == null || !valid.test(v)) {
            throw new IllegalArgumentException("expected " + allowed);
        }
        return v;
    }

    /**
     * The check a builder runs on a typed value.
     *
     * @param value a value
     * @return {@code value}
     * @throws IllegalArgumentException naming the key and what is allowed
     */
    public T check(T value) {
        if (value == null || !valid.test(value)) {
            throw new IllegalArgumentException(key + " must be " + allowed + ", got "
                    + (value == null ? "null" : format(value)));
        }
        return value;
    }

    /** @return the value as written in a properties file, so that {@link #parse} reads it back */
    public String format(T value) {
        return formatter.apply(value);
    }

    @Override
    public String toString() {
        return key;
    }

    // ---------------------------------------------------------------- declarations

    /**
     * @param key the key
     * @param min smallest value
     * @param max largest value
     * @return a builder of a whole-number setting in {@code [min, max]}
     */
    public static Builder<Integer> integer(String key, int min, int max) {
        return new Builder<Integer>(key, v -> Math.toIntExact(Long.parseLong(v)), String::valueOf)
                .valid(v -> v >= min && v <= max, "a whole number in [" + min + ", " + max + "]").label("N");
    }

    /** @return a builder of a setting holding any 64-bit whole number */
    public static Builder<Long> longInteger(String key) {
        return new Builder<Long>(key, Long::parseLong, String::valueOf).valid(v -> true, "a whole number").label("N");
    }

    /**
     * @param min smallest value
     * @param max largest value
     * @return a builder of a setting holding a finite number in {@code [min, max]}
     */
    public static Builder<Double> decimal(String key, double min, double max) {
        return new Builder<Double>(key, Double::parseDouble, Setting::formatNumber)
                .valid(v -> Double.isFinite(v) && v >= min && v <= max,
                        "a number in [" + formatNumber(min) + ", " + formatNumber(max) + "]")
                .label("N");
    }

    /**
     * @param bareUnit the unit of a bare number: {@code ms} or {@code s}
     * @param min shortest value
     * @param max longest value
     * @return a builder of a duration setting in {@code [min, max]} (written {@code 250ms}, {@code 10s}, {@code 2m})
     */
    public static Builder<Duration> duration(String key, String bareUnit, Duration min, Duration max) {
        return new Builder<Duration>(key, v -> ChronoDurations.parse(v, bareUnit), ChronoDurations::formatExact)
                .valid(d -> d.compareTo(min) >= 0 && d.compareTo(max) <= 0,
                        "a duration in [" + ChronoDurations.formatLargest(min) + ", "
                                + ChronoDurations.formatLargest(max)
                                + "] (250ms, 10s, 2m; a bare number is in " + bareUnit + ")")
                .label("DUR");
    }

    /** @return a builder of a setting holding one of an enum's constants, written in lower case */
    public static <E extends Enum<E>> Builder<E> choice(String key, Class<E> type) {
        StringBuilder names = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            names.append(names.length() == 0 ? "" : "|").append(e.name().toLowerCase(Locale.ROOT));
        }
        return new Builder<E>(key, v -> {
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(v)) {
                    return e;
                }
            }
            throw new IllegalArgumentException(v);
        }, e -> e.name().toLowerCase(Locale.ROOT)).valid(e -> true, "one of " + names.toString().replace("|", ", "))
                .label(names.toString());
    }

    /** @return a builder of a setting holding text, where blank means none */
    public static Builder<Optional<String>> optionalText(String key) {
        return new Builder<Optional<String>>(key, v -> v.isBlank() ? Optional.empty() : Optional.of(v),
                o -> o.orElse("")).valid(o -> true, "any text (empty for none)").label("TEXT");
    }

    /** @return a builder of a setting holding any text, blank included */
    public static Builder<String> text(String key) {
        return new Builder<String>(key, v -> v, v -> v).valid(v -> true, "any text").label("TEXT");
    }

    /** @return a builder of a setting holding a file system path, where blank means none */
    public static Builder<Optional<Path>> optionalPath(String key) {
        return new Builder<Optional<Path>>(key, v -> v.isBlank() ? Optional.empty() : Optional.of(Path.of(v)),
                o -> o.map(Path::toString).orElse("")).valid(o -> true, "a path (empty for none)").label("PATH");
    }

    /** @return a builder of a setting holding a file system path */
    public static Builder<Path> path(String key) {
        return new Builder<Path>(key, Path::of, Path::toString).valid(p -> !p.toString().isBlank(), "a path")
                .label("PATH");
    }

    /** @return a builder of a setting holding an absolute http:// or https:// URL */
    public static Builder<URI> httpUrl(String key) {
        return new Builder<URI>(key, URI::create, URI::toString).valid(u -> u.getHost() != null
                && ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())),
                "an absolute http:// or https:// URL").label("URL");
    }

    /** @return a builder of an on/off setting: its flag takes no value, a file or variable says true or false */
    public static Builder<Boolean> toggle(String key) {
        Builder<Boolean> b = new Builder<Boolean>(key, v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(v);
        }, String::valueOf).valid(v -> true, "true or false");
        b.toggle = true;
        return b;
    }

    /**
     * A setting of any type, read and written by the given functions.
     *
     * @param parser reads the (trimmed) text; throws for bad text
     * @param formatter writes a value so that {@code parser} reads it back
     * @param allowed the allowed values in words, e.g. {@code 1.1 or 2}
     */
    public static <T> Builder<T> custom(String key, Function<String, T> parser, Function<? super T, String> formatter,
            String allowed) {
        return new Builder<T>(key, parser, formatter).valid(v -> true, allowed);
    }

    private static String formatNumber(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /**
     * Builds a {@link Setting}. A default and a doc are required.
     *
     * @param <T> the type of the value
     */
    public static final class Builder<T> {
        private final String key;
        private final Function<String, T> parser;
        private final Function<? super T, String> formatter;
        private Predicate<? super T> valid = v -> true;
        private String allowed = "";
        private T defaultValue;
        private String doc;
        private List<String> flags = List.of();
        private String paramLabel = "VALUE";
        private boolean toggle;
        private boolean secret;

        private Builder(String key, Function<String, T> parser, Function<? super T, String> formatter) {
            if (key == null || !key.matches("[a-z][A-Za-z0-9]*")) {
                throw new IllegalArgumentException("a key is lowerCamelCase, got " + key);
            }
            this.key = key;
            this.parser = parser;
            this.formatter = formatter;
        }

        /**
         * Sets the allowed values, replacing the type's own check.
         *
         * @param test holds for allowed values (the parser has already rejected text of the wrong form)
         * @param allowedText the allowed values in words, e.g. {@code a whole number in [0, 65535]}
         */
        public Builder<T> valid(Predicate<? super T> test, String allowedText) {
            this.valid = Objects.requireNonNull(test);
            this.allowed = Objects.requireNonNull(allowedText);
            return this;
        }

        /** @param v the value when nothing sets it; must be allowed */
        public Builder<T> defaultValue(T v) {
            this.defaultValue = Objects.requireNonNull(v, "default");
            return this;
        }

        /** @param text what the setting does, in sentences; shown in --help and written above the key */
        public Builder<T> doc(String text) {
            this.doc = Objects.requireNonNull(text, "doc").strip();
            return this;
        }

        /** @param names the flags that set it, e.g. {@code --max-in-flight} */
        public Builder<T> flags(String... names) {
            for (String n : names) {
                if (!n.startsWith("-")) {
                    throw new IllegalArgumentException("a flag starts with -, got " + n);
                }
            }
            this.flags = List.of(names);
            return this;
        }

        /** Marks the value a secret: results files and echoes say only whether it is set. */
        public Builder<T> secret() {
            this.secret = true;
            return this;
        }

        /** @param label the flag's parameter label in help, e.g. {@code N} */
        public Builder<T> label(String label) {
            this.paramLabel = Objects.requireNonNull(label);
            return this;
        }

        /**
         * @return the setting
         * @throws IllegalStateException if the default or the doc is missing, or the default is not allowed
         */
        public Setting<T> build() {
            if (defaultValue == null || doc == null || doc.isEmpty()) {
                throw new IllegalStateException("setting " + key + " needs a default and a doc");
            }
            Setting<T> s = new Setting<>(this);
            try {
                s.check(defaultValue);
                if (!s.parse(s.defaultText()).equals(defaultValue)) {
                    throw new IllegalStateException("setting " + key + ": its default does not read back");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("setting " + key + ": bad default: " + e.getMessage(), e);
            }
            return s;
        }
    }
}
