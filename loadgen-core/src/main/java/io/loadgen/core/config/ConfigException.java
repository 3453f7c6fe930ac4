package io.loadgen.core.config;

/** A configuration key is unknown or its value is bad; the message names the key and where the value came from. */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
