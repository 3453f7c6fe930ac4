package io.loadgen.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * A parent process for {@link ServerProcessIT}: starts the bundled server as its child in {@code args[0]}, prints
 * {@code child <pid>} once it is ready, then waits to be killed.
 */
public final class ServerProcessParent {
    private ServerProcessParent() {
    }

    public static void main(String[] args) throws Exception {
        ServerProcess server = ServerProcess.start(ServerProcessIT.settings(Map.of()), Path.of(args[0]),
                new PrintWriter(System.out, true));
        System.out.println("child " + server.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
