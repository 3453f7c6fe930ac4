package io.loadgen.gui;

/** This machine cannot show the dashboard's window; the message says what is missing and how to get it. */
public final class DesktopUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DesktopUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
