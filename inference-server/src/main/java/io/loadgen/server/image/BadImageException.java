package io.loadgen.server.image;

/** The body is not an image the server can use; the message says why, for the client. */
public class BadImageException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadImageException(String message) {
        super(message, null, false, false);
    }
}
