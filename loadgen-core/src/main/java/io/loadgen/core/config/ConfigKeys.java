package io.loadgen.core.config;

import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.schedule.ChronoDurations;
import io.loadgen.core.schedule.RateProfile;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** The known keys, each with the check run on it at load time, and the value parsers they share. */
final class ConfigKeys {
    static final Map<String, Consumer<LoadGenConfig>> ALL = new LinkedHashMap<>();

    static {
        ALL.put("imageClassifyBaseURL", LoadGenConfig::imageClassifyBaseUrl);
        ALL.put("serverIp", LoadGenConfig::serverIp);
        ALL.put("rmiPort", LoadGenConfig::rmiPort);
        ALL.put("rmiToken", LoadGenConfig::rmiToken);
        ALL.put("rmiTlsKeystore", LoadGenConfig::rmiTlsKeystore);
        ALL.put("rmiTlsPassword", c -> { });
        ALL.put("windowSize", LoadGenConfig::windowSize);
        ALL.put("recordInterval", LoadGenConfig::recordInterval);
        ALL.put("rate", LoadGenConfig::rate);
        ALL.put("arrival", LoadGenConfig::arrival);
        ALL.put("profile", LoadGenConfig::profile);
        ALL.put("duration", LoadGenConfig::duration);
        ALL.put("seed", LoadGenConfig::seed);
        ALL.put("warmup", LoadGenConfig::engineConfig);
        ALL.put("method", LoadGenConfig::method);
        ALL.put("payload", c -> { });
        ALL.put("payloadOrder", LoadGenConfig::payloadOrder);
        ALL.put("httpVersion", LoadGenConfig::transportConfig);
        ALL.put("connections", LoadGenConfig::transportConfig);
        ALL.put("connectTimeout", LoadGenConfig::transportConfig);
        ALL.put("responseTimeout", LoadGenConfig::transportConfig);
        ALL.put("maxInFlight", LoadGenConfig::engineConfig);
        ALL.put("overflow", LoadGenConfig::engineConfig);
        ALL.put("maxQueued", LoadGenConfig::engineConfig);
        ALL.put("drainTimeout", LoadGenConfig::engineConfig);
        ALL.put("outDir", LoadGenConfig::outDir);
        ALL.put("serverPort", LoadGenConfig::serverPort);
        ALL.put("model", LoadGenConfig::model);
        ALL.put("workers", LoadGenConfig::workers);
        ALL.put("maxBatch", LoadGenConfig::maxBatch);
        ALL.put("maxDelay", LoadGenConfig::maxDelay);
        ALL.put("queueSize", LoadGenConfig::queueSize);
        ALL.put("requestDeadline", LoadGenConfig::requestDeadline);
        ALL.put("intraOpThreads", LoadGenConfig::intraOpThreads);
    }

    private ConfigKeys() {
    }

    static URI httpUri(String v) {
        URI u = URI.create(v.trim());
        if (u.getScheme() == null || u.getHost() == null
                || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
            throw new IllegalArgumentException("expected an absolute http:// or https:// URL");
        }
        return u;
    }

    static String host(String v) {
        String h = v.trim();
        if (h.isEmpty() || h.contains("/") || h.contains(" ")) {
            throw new IllegalArgumentException("expected a host name or IP address");
        }
        return h;
    }

    static int intIn(String v, int min, int max) {
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number in [" + min + ", " + max + "]");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("must be in [" + min + ", " + max + "]");
        }
        return (int) n;
    }

    static double rate(String v) {
        try {
            return RateProfile.checkRate("rate", Double.parseDouble(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected requests per second, a number in [0, "
                    + (long) RateProfile.MAX_RATE + "]");
        }
    }

    static Duration durationIn(String v, String bareUnit, Duration min, Duration max) {
        Duration d = ChronoDurations.parse(v, bareUnit);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException("must be in [" + ChronoDurations.format(min) + ", "
                    + ChronoDurations.format(max) + "]");
        }
        return d;
    }

    static Duration positiveDuration(String v, String bareUnit) {
        Duration d = ChronoDurations.parse(v, bareUnit);
        if (d.isZero()) {
            throw new IllegalArgumentException("must be > 0");
        }
        return d;
    }

    static TransportConfig.HttpVersion httpVersion(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "1.1", "http/1.1", "http1.1" -> TransportConfig.HttpVersion.HTTP_1_1;
            case "2", "h2", "http/2", "h2c" -> TransportConfig.HttpVersion.HTTP_2;
            default -> throw new IllegalArgumentException("expected 1.1 or 2");
        };
    }

    static <E extends Enum<E>> E enumOf(Class<E> type, String v) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v.trim())) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("expected one of " + allowed);
    }
}
