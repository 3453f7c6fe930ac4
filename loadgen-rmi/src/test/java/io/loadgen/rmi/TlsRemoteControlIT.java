package io.loadgen.rmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.control.LoadControl;
import io.loadgen.core.control.RunState;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.Workload;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remote control over TLS, with a key made by the JDK's keytool for the occasion. */
class TlsRemoteControlIT {

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + out);
    }

    @Test
    void aTlsControlAnswersTlsClientsOnly(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.cer");
        Path truststore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "loadgen", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12", "-keystore",
                keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-alias", "loadgen", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "loadgen", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", "changeit");
        // The client trusts the server's certificate through its trust store (set before TLS is first used here).
        System.setProperty("javax.net.ssl.trustStore", truststore.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");

        LoadGenerator engine = LoadGenerator.builder(Workload.builder(URI.create("http://127.0.0.1:9/")).build())
                .build();
        try (RmiExporter tls = RmiExporter.export(engine, 0, InetAddress.getLoopbackAddress(), "tok",
                new RmiExporter.Tls(keystore, "changeit"))) {
            LoadControl c = RmiLoadControls.connect("127.0.0.1", tls.port(), "tok", true);
            assertEquals(RunState.IDLE, c.status().state());
            c.setRate(42);
            assertEquals(42, c.currentRate(), 1e-9);
            assertThrows(RuntimeException.class, () -> RmiLoadControls.connect("127.0.0.1", tls.port(), "tok", false),
                    "a plain client cannot talk to the TLS port");
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> RmiExporter.export(engine,
                0, InetAddress.getLoopbackAddress(), null, new RmiExporter.Tls(dir.resolve("missing.p12"), "x")));
        assertTrue(bad.getMessage().contains("rmiTlsKeystore"), bad.getMessage());
    }
}
