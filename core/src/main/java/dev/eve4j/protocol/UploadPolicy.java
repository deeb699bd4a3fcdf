package dev.eve4j.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which inline files a message may carry, as eve's {@code uploadPolicy}: a size cap (25 MB by
 * default) and the allowed media types (every type by default; {@code image/*} style wildcards
 * allowed). A message that breaks it is refused before anything is created: 413 when its first
 * violation is a size, else 415, with every violation listed ({@link UploadRejected}).
 *
 * <p>Sizes are known for inline data (base64 or a {@code data:} URL, estimated from the encoded
 * length as eve does); a file given by http(s) URL is checked for its media type only.
 *
 * @param maxBytes the largest file accepted, 0 or more (0 refuses every non-empty file)
 * @param allowedMediaTypes null for every type, else the accepted types (compared case-insensitively;
 *     {@code "image/*"} accepts every image type); empty refuses every file
 */
public record UploadPolicy(long maxBytes, List<String> allowedMediaTypes) {
  /** eve's default: 25 MiB. */
  public static final long DEFAULT_MAX_BYTES = 26_214_400L;
  private static final java.util.regex.Pattern SCHEME = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:");

  public UploadPolicy {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be 0 or more, was " + maxBytes);
    }
    if (allowedMediaTypes != null) {
      allowedMediaTypes = List.copyOf(allowedMediaTypes);
      for (String t : allowedMediaTypes) {
        if (t.isBlank() || t.indexOf('/') < 1) {
          throw new IllegalArgumentException("not a media type: '" + t + "' (expected type/subtype or type/*)");
        }
      }
    }
  }

  /** 25 MiB, every type. */
  public static UploadPolicy defaults() {
    return new UploadPolicy(DEFAULT_MAX_BYTES, null);
  }

  /** No files at all: every file part is refused with 415. */
  public static UploadPolicy disabled() {
    return new UploadPolicy(DEFAULT_MAX_BYTES, List.of());
  }

  public UploadPolicy withMaxBytes(long n) {
    return new UploadPolicy(n, allowedMediaTypes);
  }

  /** @param types the accepted media types, or null for every type */
  public UploadPolicy withAllowedMediaTypes(List<String> types) {
    return new UploadPolicy(maxBytes, types);
  }

  /**
   * The policy of two deployment settings, as the standalone jar and the WAR read them: {@code
   * maxBytes} a byte count (null or blank: 25 MiB) and {@code types} a comma-separated list of media
   * types, {@code *} (or null or blank) for every type, or {@code none} for no files.
   *
   * @throws IllegalArgumentException naming the bad setting
   */
  public static UploadPolicy parse(String maxBytes, String types) {
    long max = DEFAULT_MAX_BYTES;
    if (maxBytes != null && !maxBytes.isBlank()) {
      try {
        max = Long.parseLong(maxBytes.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("the upload limit must be a number of bytes, was '" + maxBytes + "'");
      }
    }
    if (types == null || types.isBlank() || types.trim().equals("*")) {
      return new UploadPolicy(max, null);
    }
    if (types.trim().equalsIgnoreCase("none")) {
      return new UploadPolicy(max, List.of());
    }
    List<String> list = new ArrayList<>();
    for (String t : types.split(",")) {
      if (!t.isBlank()) {
        list.add(t.trim());
      }
    }
    return new UploadPolicy(max, list);
  }

  /** Whether a file of this media type may be sent. */
  public boolean allows(String mediaType) {
    if (allowedMediaTypes == null) {
      return true;
    }
    String m = mediaType.toLowerCase(Locale.ROOT);
    for (String t : allowedMediaTypes) {
      String a = t.toLowerCase(Locale.ROOT);
      if (a.equals(m) || (a.endsWith("/*") && m.startsWith(a.substring(0, a.length() - 1)))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks every file part of {@code message} (null: nothing to check).
   *
   * @throws UploadRejected listing every violation, 413 when the first is a size, else 415
   */
  public void check(UserMessage message) {
    if (message == null) {
      return;
    }
    JsonArray violations = new JsonArray();
    String first = null;
    boolean firstTooLarge = false;
    for (ContentPart p : message.parts()) {
      if (p.isText()) {
        continue;
      }
      String name = p.filename() != null ? p.filename() : p.mediaType();
      JsonObject v = new JsonObject();
      if (!allows(p.mediaType())) {
        JsonArray allowed = new JsonArray();
        (allowedMediaTypes == null ? List.<String>of() : allowedMediaTypes).forEach(allowed::add);
        v.add("allowedMediaTypes", allowed);
        if (p.filename() != null) {
          v.addProperty("filename", p.filename());
        }
        v.addProperty("kind", "disallowed-media-type");
        v.addProperty("mediaType", p.mediaType());
        if (first == null) {
          first = name + " has media type \"" + p.mediaType() + "\" which is not allowed by this route."
              + (allowed.isEmpty() ? "" : " Allowed: " + String.join(", ", allowedMediaTypes) + ".");
        }
      } else {
        long size = knownByteLength(p.data());
        if (size < 0 || size <= maxBytes) {
          continue;
        }
        v.addProperty("byteLength", size);
        if (p.filename() != null) {
          v.addProperty("filename", p.filename());
        }
        v.addProperty("kind", "too-large");
        v.addProperty("limit", maxBytes);
        v.addProperty("mediaType", p.mediaType());
        if (first == null) {
          first = name + " (" + size + " bytes) exceeds the " + maxBytes + "-byte upload limit.";
          firstTooLarge = true;
        }
      }
      violations.add(v);
    }
    if (first != null) {
      throw new UploadRejected(firstTooLarge ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.UNSUPPORTED_MEDIA_TYPE, first,
          violations);
    }
  }

  /** The decoded size of inline data as eve estimates it from the encoding, or -1 for a URL. */
  static long knownByteLength(String data) {
    if (data.startsWith("data:")) {
      int comma = data.indexOf(',');
      if (comma < 0) {
        return -1;
      }
      String payload = data.substring(comma + 1);
      if (data.substring(5, comma).endsWith(";base64")) {
        return base64Length(payload);
      }
      try {
        return java.net.URLDecoder.decode(payload, java.nio.charset.StandardCharsets.UTF_8)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      } catch (IllegalArgumentException e) {
        return payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      }
    }
    if (SCHEME.matcher(data).lookingAt()) {
      return -1; // a URL: its size is not known here
    }
    return base64Length(data);
  }

  private static long base64Length(String b64) {
    String t = b64.stripTrailing();
    if (t.isEmpty()) {
      return 0;
    }
    int pad = t.endsWith("==") ? 2 : t.endsWith("=") ? 1 : 0;
    return Math.max(0, (long) Math.floor(t.length() * 3.0 / 4) - pad);
  }

  /** A message refused by the policy: 413 or 415, with {@code violations} for the error body. */
  public static final class UploadRejected extends EveException {
    private final JsonArray violations;

    UploadRejected(ErrorCode code, String message, JsonArray violations) {
      super(code, message);
      this.violations = violations;
    }

    /** Every violation, in the order of the message's parts. */
    public JsonArray violations() {
      return violations.deepCopy();
    }
  }
}
