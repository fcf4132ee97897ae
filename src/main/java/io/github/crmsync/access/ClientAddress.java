package io.github.crmsync.access;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who is calling, for throttling and logs: the TCP peer. {@code X-Forwarded-For} is believed only
 * when the peer is one of the configured proxies ({@code crmsync.http.trusted-proxies}: addresses or
 * CIDR ranges); then the client is the right-most address in it that is not itself a trusted proxy
 * (the left-most entries are whatever the caller chose to send).
 */
public final class ClientAddress {

    private record Range(byte[] network, int bits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Range> trusted;

    private ClientAddress(List<Range> trusted) {
        this.trusted = trusted;
    }

    /** From a comma-separated list such as {@code 10.0.0.0/8, 192.168.1.10}; empty or null: trust none. */
    public static ClientAddress trusting(String proxies) {
        List<Range> ranges = new ArrayList<>();
        if (proxies != null) {
            for (String entry : proxies.split(",")) {
                String text = entry.trim();
                if (text.isEmpty()) {
                    continue;
                }
                int slash = text.indexOf('/');
                byte[] address = literal(slash < 0 ? text : text.substring(0, slash));
                if (address == null) {
                    throw new IllegalArgumentException("crmsync.http.trusted-proxies: '" + text
                            + "' is not an IP address or CIDR range");
                }
                int bits = address.length * 8;
                if (slash >= 0) {
                    try {
                        bits = Integer.parseInt(text.substring(slash + 1));
                    } catch (NumberFormatException e) {
                        bits = -1;
                    }
                    if (bits < 0 || bits > address.length * 8) {
                        throw new IllegalArgumentException("crmsync.http.trusted-proxies: '" + text + "' has a bad prefix length");
                    }
                }
                ranges.add(new Range(address, bits));
            }
        }
        return new ClientAddress(List.copyOf(ranges));
    }

    /** The client of a request from {@code peer} carrying this {@code X-Forwarded-For} (or null). */
    public String of(String peer, String forwardedFor) {
        if (peer == null) {
            return "?";
        }
        if (forwardedFor == null || !isTrusted(peer)) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (literal(hop) == null) {
                return peer; // garbage in the chain: fall back to what we know
            }
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return peer;
    }

    private boolean isTrusted(String address) {
        byte[] bytes = literal(address);
        return bytes != null && trusted.stream().anyMatch(r -> r.contains(bytes));
    }

    /** The bytes of an IP address literal; null for anything else (never a DNS look-up). */
    static byte[] literal(String text) {
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        boolean ipv4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = t.contains(":") && t.matches("[0-9a-fA-F:.]+");
        if (!ipv4 && !ipv6) {
            return null;
        }
        if (ipv4) {
            for (String octet : t.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return null;
                }
            }
        }
        try {
            return InetAddress.getByName(t).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
