package io.loadgen.server.model;

/**
 * A model directory, its sidecar, labels or thresholds file, or the SavedModel itself cannot be used. The message
 * names the file and what is wrong with it.
 */
public class ModelLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
