package dev.eve4j.channel;

import java.util.List;

/**
 * A request the channel refuses, with the HTTP status and the flat {@code error} text of the body
 * {@code {"ok":false,"error":…}} (plus {@code errors}, the field-level list, on a 400 for an invalid
 * payload). The message is safe to show a client.
 */
public class ChannelException extends RuntimeException {
  private final int status;
  private final transient Validation validation;
  private transient com.google.gson.JsonObject extra;

  public ChannelException(int status, String error) {
    this(status, error, null);
  }

  private ChannelException(int status, String error, Validation validation) {
    super(error);
    this.status = status;
    this.validation = validation;
  }

  /** Extra top-level fields of the error body (e.g. {@code field}, {@code hint}), or null. */
  public com.google.gson.JsonObject extra() {
    return extra == null ? null : extra.deepCopy();
  }

  /** 400 for a PATCH of a field that cannot change: {@code {error, field, hint}}. */
  public static ChannelException notPatchable(String field, String hint) {
    ChannelException e = new ChannelException(400, "Field '" + field + "' is not patchable");
    e.extra = new com.google.gson.JsonObject();
    e.extra.addProperty("field", field);
    e.extra.addProperty("hint", hint);
    return e;
  }

  /** 413 for an inbound file over the limit: {@code {error: "File too large", maxBytes}}. */
  public static ChannelException fileTooLarge(long maxBytes) {
    ChannelException e = new ChannelException(413, "File too large");
    e.extra = new com.google.gson.JsonObject();
    e.extra.addProperty("maxBytes", maxBytes);
    return e;
  }

  /** 415 for an inbound file of a type not accepted: {@code {error: "Unsupported file type", allowed}}. */
  public static ChannelException unsupportedFileType(java.util.Collection<String> allowed) {
    ChannelException e = new ChannelException(415, "Unsupported file type");
    e.extra = new com.google.gson.JsonObject();
    com.google.gson.JsonArray a = new com.google.gson.JsonArray();
    allowed.forEach(a::add);
    e.extra.add("allowed", a);
    return e;
  }

  public int status() {
    return status;
  }

  /** The body's {@code error}. */
  public String error() {
    return getMessage();
  }

  /** The field errors of an invalid payload, or null. */
  public Validation validation() {
    return validation;
  }

  public List<String> errors() {
    return validation == null ? List.of() : validation.lines();
  }

  public static ChannelException invalid(Validation v) {
    return new ChannelException(400, "Invalid " + v.kind() + " payload", v);
  }

  public static ChannelException badRequest(String error) {
    return new ChannelException(400, error);
  }

  public static ChannelException notFound(String error) {
    return new ChannelException(404, error);
  }

  public static ChannelException conflict(String error) {
    return new ChannelException(409, error);
  }
}
