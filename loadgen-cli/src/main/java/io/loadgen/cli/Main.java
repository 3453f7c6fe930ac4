package io.loadgen.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code loadgen} command. */
@Command(name = "loadgen", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Open-loop load generator for ML inference services.",
        subcommands = {DemoCommand.class, RunCommand.class, ServeCommand.class, SearchCommand.class, CtlCommand.class,
                GuiCommand.class,
                ReportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code of a run whose assertion failed. */
    public static final int EXIT_ASSERTION_FAILED = 1;
    /** Exit code of bad flags or configuration. */
    public static final int EXIT_USAGE = 2;
    /** Exit code of a run that failed for any other reason (a bug or an I/O error). */
    public static final int EXIT_FAILED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Charts are drawn with Java2D into SVG: no display is needed or wanted.
        System.setProperty("java.awt.headless", "true");
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests and embedding). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** @return the configured command line */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof IllegalArgumentException) {
                cmd.getErr().println("loadgen: " + ex.getMessage());
                return EXIT_USAGE;
            }
            if (ex instanceof SecurityException || ex instanceof io.loadgen.rmi.RemoteControlException
                    || ex instanceof IllegalStateException) {
                cmd.getErr().println("loadgen: " + ex.getMessage());
                return EXIT_FAILED;
            }
            throw ex;
        });
        cl.setExitCodeExceptionMapper(t -> t instanceof IllegalArgumentException
                || t instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_FAILED);
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"loadgen " + (v == null ? "(development build)" : v)};
        }
    }
}
