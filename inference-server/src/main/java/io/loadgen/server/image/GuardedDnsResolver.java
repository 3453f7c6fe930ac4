package io.loadgen.server.image;

import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.client5.http.DnsResolver;

/**
 * The only place the fetcher's HTTP client turns a host into addresses, so that the connection goes to exactly the
 * addresses checked here (no second lookup that DNS rebinding could change). For a host and port:
 * <ol>
 *   <li>the host and port must be on the allow-list, else refused (the fetcher has checked this before, with the
 *       scheme; this is the second line);</li>
 *   <li>an IP literal is its own address, with no lookup; it is on the list, so any class of address is allowed;</li>
 *   <li>a name is resolved once with {@link InetAddress#getAllByName}; if any address it resolves to is not public
 *       ({@link AddressClassifier}), the host is refused; else all the addresses are returned, for the client to
 *       connect to in turn.</li>
 * </ol>
 * A refusal is thrown as {@link Refused}, an {@link UnknownHostException}, so that the client neither retries nor
 * connects; the fetcher finds it in the cause chain. Never returns {@code null} or an unresolved address (on which
 * the client would resolve the name itself). Thread-safe (stateless apart from the immutable list).
 */
final class GuardedDnsResolver implements DnsResolver {
    private final UrlAllowList allowList;

    GuardedDnsResolver(UrlAllowList allowList) {
        this.allowList = allowList;
    }

    /** The host may not be connected to; the message says why, for the client. */
    static final class Refused extends UnknownHostException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        HostName h = hostName(host);
        if (allowList.findForConnection(h, port) == null) {
            throw new Refused("host '" + h + ":" + port + "' is not on " + UrlAllowList.SETTING + " (allowed: "
                    + allowList + ")");
        }
        InetAddress[] addresses = addresses(h);
        List<InetSocketAddress> out = new ArrayList<>(addresses.length);
        for (InetAddress a : addresses) {
            out.add(new InetSocketAddress(a, port));
        }
        return out;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        HostName h = hostName(host);
        if (!allowList.listsHost(h)) {
            throw new Refused("host '" + h + "' is not on " + UrlAllowList.SETTING + " (allowed: " + allowList + ")");
        }
        return addresses(h);
    }

    /** No lookup: the host as given (the client asks this only for SPNEGO, which the fetcher does not use). */
    @Override
    public String resolveCanonicalHostname(String host) {
        return host;
    }

    private InetAddress[] addresses(HostName h) throws UnknownHostException {
        if (h.isLiteral()) {
            return new InetAddress[] {h.literal()};
        }
        InetAddress[] addresses = InetAddress.getAllByName(h.clientName());
        if (addresses == null || addresses.length == 0) {
            throw new UnknownHostException(h.clientName());
        }
        for (InetAddress a : addresses) {
            String why = AddressClassifier.refusal(a).orElse(null);
            if (why != null) {
                throw new Refused("host '" + h + "' resolves to " + a.getHostAddress() + ", " + why + ", which is"
                        + " refused unless " + UrlAllowList.SETTING + " lists that IP address itself");
            }
        }
        return addresses;
    }

    /** The client hands over names lower-cased and, when punycode, in Unicode; IPv6 without brackets. */
    private static HostName hostName(String host) throws Refused {
        try {
            String ascii = host.chars().allMatch(c -> c < 128) ? host : IDN.toASCII(host);
            return HostName.parse(ascii);
        } catch (IllegalArgumentException e) {
            throw new Refused("host '" + host + "' is not valid: " + e.getMessage());
        }
    }
}
