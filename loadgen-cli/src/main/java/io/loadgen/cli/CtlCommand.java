package io.loadgen.cli;

import io.loadgen.config.SettingGroup;
import io.loadgen.config.Settings;
import io.loadgen.config.UsageException;
import io.loadgen.core.schedule.RateProfile;
import io.loadgen.rmi.RmiSettings;
import io.loadgen.server.ServerSettings;
import io.loadgen.core.control.LoadControl;
import io.loadgen.core.control.RunState;
import io.loadgen.core.control.RunStatus;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.config.ChronoDurations;
import io.loadgen.core.schedule.RateProfiles;
import io.loadgen.rmi.RmiLoadControls;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loadgen ctl}: drives a running engine over RMI. */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = {"Control a running engine (`loadgen run --rmi-port P` or `--idle`) over RMI.",
                "Actions: status | set-rate N | set-profile SPEC | set-concurrency N | start | stop | watch"})
public final class CtlCommand implements Callable<Integer>, UsesSettings {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--tls", description = "The engine serves over TLS (its certificate must be in this JVM's trust"
            + " store: LOADGEN_OPTS=-Djavax.net.ssl.trustStore=...).")
    boolean tls;

    @Option(names = "--intervals", paramLabel = "N", defaultValue = "0",
            description = "watch: stop after N intervals (default: until the run ends).")
    int intervals;

    @Parameters(index = "0", paramLabel = "ACTION", description = "status, set-rate, set-profile, set-concurrency, start,"
            + " stop, watch")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE", description = "the rate, profile or number of sessions")
    String value;

    @Override
    public List<SettingGroup> settingGroups() {
        return List.of(ServerSettings.GROUP.only(ServerSettings.SERVER_IP),
                RmiSettings.GROUP.only(RmiSettings.RMI_PORT, RmiSettings.RMI_TOKEN));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Settings cfg = CliSettings.load(spec);
        double rate = "set-rate".equals(action) ? number(value) : 0;
        RateProfile profile = "set-profile".equals(action) ? profile(value) : null;
        int sessions = "set-concurrency".equals(action) ? sessions(value) : 0;
        if (!List.of("status", "start", "stop", "set-rate", "set-profile", "set-concurrency", "watch")
                .contains(action)) {
            throw new UsageException("unknown action '" + action
                    + "': status, set-rate N, set-profile SPEC, set-concurrency N, start, stop, watch");
        }
        LoadControl c = RmiLoadControls.connect(cfg.get(ServerSettings.SERVER_IP), cfg.get(RmiSettings.RMI_PORT),
                cfg.get(RmiSettings.RMI_TOKEN).orElse(null), tls);
        try {
            act(c, rate, profile, sessions, out);
        } catch (IllegalArgumentException | IllegalStateException refused) {
            // the engine refused the value (a rate out of range, say): the message says what is allowed
            throw new UsageException(refused.getMessage(), refused);
        }
        out.flush();
        return 0;
    }

    private void act(LoadControl c, double rate, RateProfile profile, int sessions, PrintWriter out)
            throws InterruptedException {
        switch (action) {
            case "status" -> out.println(status(c.status()));
            case "start" -> {
                c.start();
                out.println(status(c.status()));
            }
            case "stop" -> {
                c.stop();
                out.println(status(c.status()));
            }
            case "set-rate" -> {
                c.setRate(rate);
                out.printf(Locale.ROOT, "rate set: %.3f/s%n", c.currentRate());
            }
            case "set-profile" -> {
                c.setProfile(profile);
                out.printf(Locale.ROOT, "profile set: %s (now %.3f/s)%n", value, c.currentRate());
            }
            case "set-concurrency" -> {
                c.setConcurrency(sessions);
                out.printf(Locale.ROOT, "concurrency set: %d sessions%n", c.status().concurrency());
            }
            default -> watch(c, out);
        }
    }

    private static double number(String v) {
        if (v == null) {
            throw new UsageException("set-rate needs a rate in requests per second, e.g. set-rate 250");
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("'" + v + "' is not a rate: give requests per second, e.g. 250");
        }
    }

    private static int sessions(String v) {
        try {
            return Integer.parseInt(v == null ? "" : v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("set-concurrency needs a number of sessions, e.g. set-concurrency 8");
        }
    }

    private static RateProfile profile(String v) {
        if (v == null) {
            throw new UsageException("set-profile needs a profile, e.g. steps:100@10s,200@10s");
        }
        try {
            return RateProfiles.parse(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    private static String status(RunStatus s) {
        if (s.concurrency() > 0) {
            return String.format(Locale.ROOT, "%s, %s, closed loop, %d sessions, runs %d, uptime %s",
                    s.state().name().toLowerCase(Locale.ROOT), s.target(), s.concurrency(), s.runs(),
                    ChronoDurations.format(s.uptime()));
        }
        return String.format(Locale.ROOT, "%s, %s, profile %s, %s arrivals, rate now %.3f/s, runs %d, uptime %s",
                s.state().name().toLowerCase(Locale.ROOT), s.target(), s.profile(), s.arrival(), s.currentRate(),
                s.runs(), ChronoDurations.format(s.uptime()));
    }

    /** Prints the live line of each new interval of the remote window until the run ends (or N intervals). */
    private void watch(LoadControl c, PrintWriter out) throws InterruptedException {
        // Start from the newest interval: the window's history is not news.
        long lastIndex = c.latestInterval().map(s -> s.index() - 1).orElse(-1L);
        int printed = 0;
        while (true) {
            IntervalStats latest = c.latestInterval().orElse(null);
            if (latest != null && latest.index() != lastIndex) {
                for (IntervalStats s : c.window().intervals()) {
                    if (s.index() > lastIndex && (intervals == 0 || printed < intervals)) {
                        // elapsed: the interval's end, counted in intervals of its length from the run's start
                        out.println(LiveLine.format(s, s.length().multipliedBy(s.index() + 1), null));
                        lastIndex = s.index();
                        printed++;
                    }
                }
                out.flush();
            }
            if ((intervals > 0 && printed >= intervals) || c.status().state() == RunState.ENDED) {
                return;
            }
            Thread.sleep(100);
        }
    }
}
