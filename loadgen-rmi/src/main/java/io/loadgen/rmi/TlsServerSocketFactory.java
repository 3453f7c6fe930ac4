package io.loadgen.rmi;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.server.RMIServerSocketFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * TLS server sockets bound to one address, with the key and certificate of a PKCS12 keystore. Clients connect with
 * {@code javax.rmi.ssl.SslRMIClientSocketFactory}, trusting the certificate through their trust store
 * ({@code -Djavax.net.ssl.trustStore=...}).
 */
final class TlsServerSocketFactory implements RMIServerSocketFactory, Serializable {
    private static final long serialVersionUID = 1L;

    private final InetAddress address;
    private final Path keystore;
    private final transient SSLContext context;

    /**
     * @param address where to listen
     * @param keystore a PKCS12 keystore holding the server's key and certificate
     * @param password its password
     * @throws IllegalArgumentException naming the keystore when it cannot be read
     */
    TlsServerSocketFactory(InetAddress address, Path keystore, char[] password) {
        this.address = Objects.requireNonNull(address);
        this.keystore = keystore.toAbsolutePath();
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            this.context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the TLS keystore " + keystore + " (rmiTlsKeystore): " + e,
                    e);
        }
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return context.getServerSocketFactory().createServerSocket(port, 50, address);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsServerSocketFactory f && f.address.equals(address) && f.keystore.equals(keystore);
    }

    @Override
    public int hashCode() {
        return 31 * address.hashCode() + keystore.hashCode();
    }
}
