package io.loadgen.rmi;

import io.loadgen.core.control.LoadControl;
import java.net.InetAddress;
import java.rmi.NoSuchObjectException;
import java.rmi.NotBoundException;
import java.rmi.RemoteException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link LoadControl} on one port: an RMI registry and the control object share it, both bound to one
 * address (loopback unless told otherwise), and calls to the object pass the {@link SerialFilters#CONTROL} filter.
 */
public final class RmiExporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RmiExporter.class);

    static {
        // Object ids from a strong random source: the control's stub is then a capability a caller cannot guess.
        if (System.getProperty("java.rmi.server.randomIDs") == null) {
            System.setProperty("java.rmi.server.randomIDs", "true");
        }
    }

    private final Registry registry;
    private final RemoteLoadControlImpl impl;
    private final Login login;
    private final int port;

    private RmiExporter(Registry registry, RemoteLoadControlImpl impl, Login login, int port) {
        this.registry = registry;
        this.impl = impl;
        this.login = login;
        this.port = port;
    }

    /** The door: checks the token, hands out the control's stub. */
    private static final class Login implements RemoteLogin {
        private final byte[] token;
        private final RemoteLoadControl stub;

        Login(String token, RemoteLoadControl stub) {
            this.token = token == null ? null : token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            this.stub = stub;
        }

        @Override
        public RemoteLoadControl open(String offered) {
            if (token != null && (offered == null || !java.security.MessageDigest.isEqual(token,
                    offered.getBytes(java.nio.charset.StandardCharsets.UTF_8)))) {
                throw new SecurityException("this loadgen engine needs its shared token ("
                        + RmiSettings.RMI_TOKEN.sources() + "); the one given does not match");
            }
            return stub;
        }
    }

    /** Serves on 127.0.0.1 without a token. @see #export(LoadControl, int, InetAddress, String, Tls) */
    public static RmiExporter export(LoadControl control, int port) throws RemoteException {
        return export(control, port, InetAddress.getLoopbackAddress(), null, null);
    }

    /** Serves without TLS. @see #export(LoadControl, int, InetAddress, String, Tls) */
    public static RmiExporter export(LoadControl control, int port, InetAddress bind, String token)
            throws RemoteException {
        return export(control, port, bind, token, null);
    }

    /**
     * TLS settings of the remote control.
     *
     * @param keystore a PKCS12 keystore with the server's key and certificate
     * @param password its password
     */
    public record Tls(java.nio.file.Path keystore, String password) {
    }

    /**
     * Starts serving.
     *
     * @param control what to serve
     * @param port the port of the registry and the object, in [0, 65535]; 0 picks a free one
     * @param bind the address to listen on; anything but loopback makes the generator controllable from the network
     *     and needs a token
     * @param token the shared token callers must present, or {@code null}/empty for none (loopback binds only)
     * @param tls TLS for the registry and the object, or {@code null} for plain sockets
     * @return the exporter; close it to stop serving
     * @throws RemoteException if the port cannot be bound
     * @throws IllegalArgumentException for a port out of range, or a routable bind without a token
     */
    public static RmiExporter export(LoadControl control, int port, InetAddress bind, String token, Tls tls)
            throws RemoteException {
        return export(new RemoteLoadControlImpl(control), SerialFilters.CONTROL, port, bind, token, tls);
    }

    /**
     * Serves a load agent as {@link #export(LoadControl, int, InetAddress, String, Tls)} serves an engine: its stub
     * is a {@link io.loadgen.rmi.fleet.RemoteAgent}, and calls pass the {@link SerialFilters#AGENT} filter.
     *
     * @see #export(LoadControl, int, InetAddress, String, Tls)
     */
    public static RmiExporter exportAgent(io.loadgen.rmi.fleet.Agent agent, int port, InetAddress bind, String token,
            Tls tls) throws RemoteException {
        return export(new RemoteAgentImpl(agent), SerialFilters.AGENT, port, bind, token, tls);
    }

    private static RmiExporter export(RemoteLoadControlImpl impl, java.io.ObjectInputFilter filter, int port,
            InetAddress bind, String token, Tls tls) throws RemoteException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("rmiPort must be in [0, 65535], got " + port);
        }
        String t = token == null || token.isEmpty() ? null : token;
        if (t == null && !bind.isLoopbackAddress()) {
            throw new IllegalArgumentException("binding remote control to " + bind.getHostAddress() + " makes the load"
                    + " controllable from the network: set a shared token (" + RmiSettings.RMI_TOKEN.sources() + ")");
        }
        // Stubs carry this host name: make them point at the address actually bound (for the wildcard address, RMI's
        // own default, this host's address, or -Djava.rmi.server.hostname: 0.0.0.0 is no address to call back).
        if (System.getProperty("java.rmi.server.hostname") == null && !bind.isAnyLocalAddress()) {
            System.setProperty("java.rmi.server.hostname", bind.getHostAddress());
        }
        java.rmi.server.RMIServerSocketFactory ssf = tls == null ? new BindAddressSocketFactory(bind)
                : new TlsServerSocketFactory(bind, tls.keystore(), tls.password().toCharArray());
        java.rmi.server.RMIClientSocketFactory csf = tls == null ? null : new javax.rmi.ssl.SslRMIClientSocketFactory();
        int actual = port != 0 ? port : freePort(bind);
        Registry registry = LocateRegistry.createRegistry(actual, csf, ssf);
        RemoteLoadControl stub = (RemoteLoadControl) UnicastRemoteObject.exportObject(impl, actual, csf, ssf, filter);
        Login login = new Login(t, stub);
        RemoteLogin loginStub = (RemoteLogin) UnicastRemoteObject.exportObject(login, actual, csf, ssf,
                SerialFilters.LOGIN);
        registry.rebind(RemoteLoadControl.NAME, loginStub);
        LOG.info("remote control on {}:{} (registry name {}{}{})", bind.getHostAddress(), actual,
                RemoteLoadControl.NAME, t == null ? "" : ", token required", tls == null ? "" : ", TLS");
        return new RmiExporter(registry, impl, login, actual);
    }

    /** @return a port free on {@code bind} now (the registry binds it next; RMI binds port 0 lazily) */
    private static int freePort(InetAddress bind) throws RemoteException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, bind)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.rmi.server.ExportException("no free port on " + bind, e);
        }
    }

    /** @return the port the registry and the object listen on */
    public int port() {
        return port;
    }

    /** Stops serving: unbinds and unexports, refusing calls in progress. */
    @Override
    public void close() {
        try {
            registry.unbind(RemoteLoadControl.NAME);
        } catch (RemoteException | NotBoundException e) {
            LOG.debug("unbind", e);
        }
        try {
            UnicastRemoteObject.unexportObject(login, true);
            UnicastRemoteObject.unexportObject(impl, true);
            UnicastRemoteObject.unexportObject(registry, true);
        } catch (NoSuchObjectException e) {
            LOG.debug("unexport", e);
        }
    }
}
