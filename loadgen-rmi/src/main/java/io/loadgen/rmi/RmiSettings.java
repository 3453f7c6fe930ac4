package io.loadgen.rmi;

import io.loadgen.config.Setting;
import io.loadgen.config.SettingGroup;
import java.nio.file.Path;
import java.util.Optional;

/** The settings of the remote control (RMI), each declared once: key, type, range, default, doc and flag. */
public final class RmiSettings {
    /** The registry's and the control object's port. */
    public static final Setting<Integer> RMI_PORT = Setting.integer("rmiPort", 0, 65535).defaultValue(2222)
            .flags("--rmi-port").label("P")
            .doc("Port of the RMI registry and remote control object (0 picks a free one), served by `loadgen run"
                    + " --rmi-port`/`--idle` and used by `loadgen ctl` and `loadgen gui --connect`.")
            .build();
    /** The shared token. */
    public static final Setting<Optional<String>> RMI_TOKEN = Setting.optionalText("rmiToken")
            .defaultValue(Optional.empty()).flags("--rmi-token").label("TOKEN").secret()
            .doc("Shared token remote controllers must present (LOADGEN_RMI_TOKEN keeps it out of files and command"
                    + " lines); empty for none. Required when the remote control is bound to anything but loopback"
                    + " (loadgen run --rmi-bind).")
            .build();
    /** The TLS keystore. */
    public static final Setting<Optional<Path>> RMI_TLS_KEYSTORE = Setting.optionalPath("rmiTlsKeystore")
            .defaultValue(Optional.empty()).flags("--rmi-tls-keystore").label("FILE")
            .doc("PKCS12 keystore (key and certificate) that turns on TLS for the remote control; empty for plain"
                    + " sockets. Clients (loadgen ctl --tls) trust the certificate through"
                    + " -Djavax.net.ssl.trustStore=... (LOADGEN_OPTS).")
            .build();
    /** The keystore's password: no flag, so that it stays off command lines. */
    public static final Setting<String> RMI_TLS_PASSWORD = Setting.text("rmiTlsPassword").defaultValue("").secret()
            .doc("Password of that keystore (LOADGEN_RMI_TLS_PASSWORD keeps it out of files).").build();

    /** The remote control's group. */
    public static final SettingGroup GROUP = SettingGroup.of("rmi", "Remote control (RMI)", RMI_PORT, RMI_TOKEN,
            RMI_TLS_KEYSTORE, RMI_TLS_PASSWORD);

    private RmiSettings() {
    }
}
