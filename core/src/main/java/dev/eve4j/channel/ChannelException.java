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

  public ChannelException(int status, String error) {
    this(status, error, null);
  }

  private ChannelException(int status, String error, Validation validation) {
    super(error);
    this.status = status;
    this.validation = validation;
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
