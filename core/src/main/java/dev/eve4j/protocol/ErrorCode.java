package dev.eve4j.protocol;

/**
 * Every error the wire faces report, with its HTTP status and its wire {@code code} (null when the
 * real eve server sends none). One table, so every transport maps errors the same way.
 */
public enum ErrorCode {
  BAD_REQUEST(400, null),
  UNAUTHORIZED(401, "unauthorized"),
  FORBIDDEN(403, "forbidden"),
  SESSION_NOT_FOUND(404, null),
  SESSION_NOT_READY(409, "session_not_ready"),
  SESSION_NOT_ACTIVE(409, "session_not_active"),
  SESSION_EXPIRED(410, "session_expired"),
  PAYLOAD_TOO_LARGE(413, null),
  UNSUPPORTED_MEDIA_TYPE(415, null),
  INTERNAL(500, null),
  STREAM_UNAVAILABLE(503, null);

  private final int httpStatus;
  private final String wireCode;

  ErrorCode(int httpStatus, String wireCode) {
    this.httpStatus = httpStatus;
    this.wireCode = wireCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The flat body's {@code code} field, or null when the eve server sends none for this error. */
  public String wireCode() {
    return wireCode;
  }
}
