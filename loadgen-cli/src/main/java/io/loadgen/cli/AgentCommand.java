package io.loadgen.cli;

import io.loadgen.config.SettingGroup;
import io.loadgen.prometheus.CurrentRunMetrics;
import io.loadgen.prometheus.MetricsEndpoint;
import io.loadgen.prometheus.MetricsSettings;
import io.loadgen.config.Settings;
import io.loadgen.rmi.RmiExporter;
import io.loadgen.rmi.RmiSettings;
import io.loadgen.rmi.fleet.Agent;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadgen agent}: an idle engine that runs what a coordinator ({@code loadgen run --agents}) sends. */
@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve an idle load engine over RMI for a coordinator (`loadgen run --agents host:port,...`):"
                + " it runs the coordinator's workload flags with its share of the load, from one start time, and"
                + " streams each interval's histograms back. It stops its load when the coordinator has not polled"
                + " for the lease (3 intervals, at least 3 s). Payload files are read from this machine's disk."
                + " Runs until SIGTERM or Ctrl-C."})
public final class AgentCommand implements Callable<Integer>, UsesSettings {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--rmi-bind", paramLabel = "ADDR", description = "Address the RMI port listens on (default"
            + " 127.0.0.1: this machine only; anything else needs --rmi-token).")
    String rmiBind;

    @Option(names = "--agent-id", paramLabel = "ID", description = "The agent's name in the coordinator's results"
            + " (default: this host's name and the RMI port).")
    String agentId;

    @Override
    public List<SettingGroup> settingGroups() {
        return List.of(RmiSettings.GROUP.only(RmiSettings.RMI_PORT, RmiSettings.RMI_TOKEN,
                RmiSettings.RMI_TLS_KEYSTORE, RmiSettings.RMI_TLS_PASSWORD),
                MetricsSettings.GROUP.only(MetricsSettings.METRICS_PORT, MetricsSettings.METRICS_BIND));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Settings cfg = CliSettings.load(spec);
        InetAddress bind = rmiBind == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(rmiBind);
        int port = cfg.get(RmiSettings.RMI_PORT);
        if (port == 0) {
            try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, bind)) {
                port = free.getLocalPort(); // known before the export, so that it can name the agent
            }
        }
        String id = agentId != null ? agentId : hostName() + ":" + port;
        // each run's share, under the coordinator's run name, on one endpoint for the agent's life
        CurrentRunMetrics runs = new CurrentRunMetrics(id);
        MetricsEndpoint metrics = cfg.get(MetricsSettings.METRICS_PORT).isPresent()
                ? PrometheusEndpoint.serve(cfg, runs, out) : null;
        Agent agent = new Agent(id, args -> {
            RunCommand.AgentRun run = RunCommand.agentGenerator(args);
            if (metrics != null) {
                run.generator().addListener(runs.begin(run.name()));
            }
            return run.generator();
        });
        RmiExporter exporter;
        try {
            exporter = RmiExporter.exportAgent(agent, port, bind, cfg.get(RmiSettings.RMI_TOKEN).orElse(null),
                    cfg.get(RmiSettings.RMI_TLS_KEYSTORE)
                            .map(k -> new RmiExporter.Tls(k, cfg.get(RmiSettings.RMI_TLS_PASSWORD))).orElse(null));
        } catch (IllegalArgumentException e) {
            agent.close();
            throw new io.loadgen.config.UsageException(e.getMessage(), e);
        }
        out.printf("loadgen agent %s on %s:%d: waiting for a coordinator (loadgen run --agents %s:%d ...)%n", id,
                bind.getHostAddress(), exporter.port(), bind.getHostAddress(), exporter.port());
        out.flush();
        CountDownLatch done = new CountDownLatch(1);
        Agent a = agent;
        RmiExporter x = exporter;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            a.close();
            x.close();
            if (metrics != null) {
                metrics.close();
            }
            done.countDown();
        }, "loadgen-agent-shutdown"));
        done.await();
        return 0;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "agent";
        }
    }
}
