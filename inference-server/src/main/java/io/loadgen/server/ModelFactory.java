package io.loadgen.server;

import io.loadgen.server.model.Model;

/** Opens one instance of the served model; called once per batcher worker, on a background thread. */
@FunctionalInterface
public interface ModelFactory {
    /**
     * @param maxBatch the largest batch the instance will see, for warming it up
     * @return a loaded, warmed model
     * @throws Exception when the model cannot be loaded; the server then stays not-ready and says why
     */
    Model open(int maxBatch) throws Exception;
}
