package dev.eve4j.channel;

import java.util.Objects;

/**
 * A new key and its secret ({@code vsl_…}), which is shown this once and never stored.
 */
public record CreatedApiKey(ApiKey key, String secret) {
  public CreatedApiKey {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(secret, "secret");
  }

  @Override
  public String toString() {
    return "CreatedApiKey[key=" + key + ", secret=<hidden>]";
  }
}
