package io.loadgen.cli;

import io.loadgen.config.UsageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code loadgen} command. */
@Command(name = "loadgen", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Open-loop load generator for ML inference services.",
        subcommands = {DemoCommand.class, RunCommand.class, AgentCommand.class, ServeCommand.class, SearchCommand.class,
                CtlCommand.class,
                GuiCommand.class, ReportCommand.class, SettingsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code of a run whose assertion failed. */
    public static final int EXIT_ASSERTION_FAILED = 1;
    /** Exit code of bad flags, settings or input files. */
    public static final int EXIT_USAGE = 2;
    /** Exit code of a command that failed: an I/O error, an engine out of reach, or a bug (which says so). */
    public static final int EXIT_FAILED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // before any deserialisation in this JVM, as the JDK requires: what agents send a coordinator is filtered
        io.loadgen.rmi.fleet.PollFilter.install();
        // Charts are drawn with Java2D into SVG: no display is needed or wanted.
        System.setProperty("java.awt.headless", "true");
        int code;
        try {
            code = execute(args);
        } catch (OutOfMemoryError e) {
            // e.g. payloads larger than the heap, read before any run starts; a run's own lack of memory ends the run
            // (its results written) and exits 3 through the command
            System.err.println("loadgen: out of memory (" + e.getMessage() + "; the heap's ceiling is "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB): raise it with LOADGEN_OPTS=-Xmx..., or"
                    + " use smaller payloads");
            code = EXIT_FAILED;
        }
        System.exit(code);
    }

    /** Runs the command line and returns its exit code (for tests and embedding). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** @return the configured command line */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setUsageHelpAutoWidth(true);
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommand() instanceof UsesSettings u) {
                CliSettings.addOptions(sub.getCommandSpec(), u.settingGroups());
            }
        }
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof UsageException) {
                cmd.getErr().println("loadgen: " + ex.getMessage());
                return EXIT_USAGE;
            }
            if (isOperational(ex)) {
                cmd.getErr().println("loadgen: " + ex.getMessage());
                return EXIT_FAILED;
            }
            cmd.getErr().println("loadgen: internal error (a bug in loadgen: please report it with this trace):");
            ex.printStackTrace(cmd.getErr());
            return EXIT_FAILED;
        });
        cl.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_FAILED);
        return cl;
    }

    /**
     * Failures of the world rather than of loadgen: files that cannot be written, an engine out of reach or refusing
     * the token, a remote engine's refusal.
     */
    private static boolean isOperational(Exception ex) {
        return ex instanceof IOException || ex instanceof UncheckedIOException || ex instanceof SecurityException
                || ex instanceof io.loadgen.rmi.RemoteControlException;
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
