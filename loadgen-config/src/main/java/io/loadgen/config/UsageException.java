package io.loadgen.config;

/**
 * A user's input is wrong: a flag, a configuration key or value, a file named on the command line. Its message says
 * what is wrong and what is allowed, naming the key or flag; the command line prints it and exits with code 2. Any
 * other exception that reaches the command line is a bug and is reported as one.
 */
public class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and what is allowed */
    public UsageException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong and what is allowed
     * @param cause the underlying failure
     */
    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
