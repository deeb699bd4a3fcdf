package dev.eve4j.protocol;

/**
 * The one unchecked exception of eve4j: an {@link ErrorCode} plus a message that is safe to show a
 * client (it names the thing, never a secret). Optional error id ties a 5xx to the server log.
 */
public class EveException extends RuntimeException {
  private final ErrorCode code;
  private final String errorId;

  public EveException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  public EveException(ErrorCode code, String message, String errorId, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.errorId = errorId;
  }

  public ErrorCode code() {
    return code;
  }

  /** Id logged with the failure, or null for client errors. */
  public String errorId() {
    return errorId;
  }

  public static EveException badRequest(String message) {
    return new EveException(ErrorCode.BAD_REQUEST, message);
  }

  public static EveException sessionNotFound() {
    return new EveException(ErrorCode.SESSION_NOT_FOUND, "Session not found.");
  }

  public static EveException sessionNotActive() {
    return new EveException(ErrorCode.SESSION_NOT_ACTIVE, "The session is no longer active.");
  }

  public static EveException sessionExpired() {
    return new EveException(ErrorCode.SESSION_EXPIRED, "Session history is no longer available.");
  }
}
