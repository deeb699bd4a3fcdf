package dev.eve4j.model.http;

import dev.eve4j.model.ModelException;
import java.util.regex.Pattern;

/**
 * How provider failures become {@link ModelException} codes and safe messages. Internal (see the
 * package javadoc). Stateless and thread-safe.
 */
public final class ProviderErrors {
  /** A key echoed back by a provider ("Incorrect API key provided: sk-ab***yz."). */
  private static final Pattern ECHOED_KEY = Pattern.compile("(?i)(api[ _-]?key provided:?\\s*)[^\\s.,;]+");
  /** Anything shaped like a provider secret: sk-…, sk-ant-…, or a bearer token. */
  private static final Pattern SECRET = Pattern.compile("\\b(sk-[A-Za-z0-9_*\\-]{6,}|Bearer\\s+[A-Za-z0-9._~+/*\\-]{8,})");
  /** Longest provider message passed on; the rest is cut (bodies can be HTML error pages). */
  private static final int MAX_MESSAGE = 2000;

  private ProviderErrors() {}

  /**
   * The code for an HTTP status: 401/403 authentication, 429 rate limit, 503/529 overloaded,
   * other 4xx bad request, other 5xx provider error.
   */
  public static String codeForStatus(int status) {
    if (status == 401 || status == 403) {
      return ModelException.AUTHENTICATION;
    }
    if (status == 429) {
      return ModelException.RATE_LIMITED;
    }
    if (status == 503 || status == 529) {
      return ModelException.OVERLOADED;
    }
    if (status >= 500) {
      return ModelException.PROVIDER_ERROR;
    }
    return ModelException.BAD_REQUEST;
  }

  /**
   * The code for a provider error type or code ({@code overloaded_error}, {@code rate_limit_exceeded},
   * {@code invalid_api_key}, …), or {@code fallback} when it names none of ours.
   */
  public static String codeForType(String type, String fallback) {
    if (type == null) {
      return fallback;
    }
    String t = type.toLowerCase(java.util.Locale.ROOT);
    if (t.contains("overloaded")) {
      return ModelException.OVERLOADED;
    }
    if (t.contains("rate_limit") || t.contains("insufficient_quota")) {
      return ModelException.RATE_LIMITED;
    }
    if (t.contains("authentication") || t.contains("permission") || t.contains("api_key")) {
      return ModelException.AUTHENTICATION;
    }
    return fallback;
  }

  /**
   * {@code text} without the API key, echoed keys or anything shaped like a secret, on one line and
   * at most 2000 characters.
   */
  public static String redact(String text, String apiKey) {
    if (text == null) {
      return "";
    }
    String out = text;
    if (apiKey != null && apiKey.length() >= 4) {
      out = out.replace(apiKey, "[redacted]");
    }
    out = ECHOED_KEY.matcher(out).replaceAll("$1[redacted]");
    out = SECRET.matcher(out).replaceAll("[redacted]");
    out = out.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    return out.length() > MAX_MESSAGE ? out.substring(0, MAX_MESSAGE) + "…" : out;
  }
}
