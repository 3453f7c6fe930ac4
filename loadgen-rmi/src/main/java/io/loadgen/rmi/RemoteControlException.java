package io.loadgen.rmi;

/** A remote engine could not be reached or answered with a transport failure; the message names host and port. */
public final class RemoteControlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RemoteControlException(String message, Throwable cause) {
        super(message, cause);
    }
}
