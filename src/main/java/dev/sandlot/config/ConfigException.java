package dev.sandlot.config;

/** The configuration (file or options) is wrong; the message names the file, key and fix. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
