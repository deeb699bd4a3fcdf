package dev.eve4j.channel;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/** The webhook URL rule: public https only, unless the deployment allow-lists the host. Stateless. */
final class WebhookUrls {
  private WebhookUrls() {}

  /**
   * Checks a URL when it is registered and again before every attempt (the name may resolve
   * elsewhere by then). Resolving may block on DNS.
   *
   * @throws ChannelException 400 naming what is wrong
   */
  static URI check(String url, Set<String> allowHosts) {
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException | NullPointerException e) {
      throw ChannelException.badRequest("url: Invalid url");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    String host = u.getHost();
    if (host == null || !(scheme.equals("https") || scheme.equals("http"))) {
      throw ChannelException.badRequest("url: Invalid url: an absolute https URL is required");
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (allowHosts.contains(h)) {
      return u;
    }
    if (!scheme.equals("https")) {
      throw ChannelException.badRequest("url: The webhook URL must be a public https endpoint");
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(h);
    } catch (UnknownHostException e) {
      throw ChannelException.badRequest("url: The host '" + host + "' does not resolve");
    }
    for (InetAddress a : addresses) {
      if (allowHosts.contains(a.getHostAddress().toLowerCase(Locale.ROOT))) {
        continue;
      }
      if (!isPublic(a)) {
        throw ChannelException.badRequest("url: The webhook URL resolves to a private, loopback, link-local or "
            + "metadata address (" + a.getHostAddress() + ")");
      }
    }
    return u;
  }

  static boolean isPublic(InetAddress a) {
    if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return false;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int b0 = b[0] & 0xff;
      int b1 = b[1] & 0xff;
      return b0 != 0 // this network
          && !(b0 == 100 && b1 >= 64 && b1 < 128) // carrier-grade NAT
          && !(b0 == 192 && b1 == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
          && !(b0 == 198 && (b1 == 18 || b1 == 19)) // benchmarking
          && b0 < 240; // reserved and broadcast
    }
    if (a instanceof Inet6Address) {
      int b0 = b[0] & 0xff;
      return (b0 & 0xfe) != 0xfc // unique local fc00::/7
          && !(b0 == 0xfd && (b[1] & 0xff) == 0x00 && (b[15] & 0xff) == 0x54); // fd00:ec2::254 (metadata)
    }
    return false;
  }
}
