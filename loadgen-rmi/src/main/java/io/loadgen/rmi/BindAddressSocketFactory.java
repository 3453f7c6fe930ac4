package io.loadgen.rmi;

import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.server.RMIServerSocketFactory;
import java.util.Objects;

/**
 * Server sockets bound to one address (loopback by default), so that the registry and the control object listen
 * there alone. Equal factories let the registry and the object share one port.
 */
final class BindAddressSocketFactory implements RMIServerSocketFactory, Serializable {
    private static final long serialVersionUID = 1L;

    private final InetAddress address;

    BindAddressSocketFactory(InetAddress address) {
        this.address = Objects.requireNonNull(address);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return new ServerSocket(port, 50, address);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BindAddressSocketFactory f && f.address.equals(address);
    }

    @Override
    public int hashCode() {
        return address.hashCode();
    }
}
