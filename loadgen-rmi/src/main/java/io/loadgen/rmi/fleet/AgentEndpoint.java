package io.loadgen.rmi.fleet;

/**
 * An agent's address.
 *
 * @param host its host name or address
 * @param port its rmi port, in [1, 65535]
 */
public record AgentEndpoint(String host, int port) {
    public AgentEndpoint {
        if (host == null || host.isBlank() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("an agent is host:port with a port in [1, 65535], got " + host
                    + ":" + port);
        }
    }

    /**
     * @param text {@code host:port} ({@code [v6]:port} for an IPv6 address)
     * @return the endpoint
     * @throws IllegalArgumentException naming the form
     */
    public static AgentEndpoint parse(String text) {
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("an agent is host:port, got '" + text + "'");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new AgentEndpoint(host, Integer.parseInt(t.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("an agent is host:port, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
