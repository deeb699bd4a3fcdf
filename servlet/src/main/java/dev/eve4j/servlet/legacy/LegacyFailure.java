package dev.eve4j.servlet.legacy;

import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;

/**
 * An {@link EveException} with the legacy dialect's wire code: the status comes from the {@link
 * ErrorCode} as everywhere, the {@code error.code} string from the legacy error catalog.
 */
final class LegacyFailure extends EveException {
  private static final long serialVersionUID = 1L;
  private final String wireCode;

  LegacyFailure(ErrorCode code, String wireCode, String message) {
    super(code, message);
    this.wireCode = wireCode;
  }

  static LegacyFailure badRequest(String wireCode, String message) {
    return new LegacyFailure(ErrorCode.BAD_REQUEST, wireCode, message);
  }

  static LegacyFailure notFound(String sessionId) {
    return new LegacyFailure(ErrorCode.SESSION_NOT_FOUND, "session_not_found", "Session " + sessionId + " not found.");
  }

  /** 410: the session ended (completed, failed or reset) and takes no more messages. */
  static LegacyFailure terminal(String sessionId) {
    return new LegacyFailure(ErrorCode.SESSION_EXPIRED, "session_terminal",
        "Session " + sessionId + " has ended and takes no more messages.");
  }

  /** 409: a turn of the session is still running. */
  static LegacyFailure turnActive(String sessionId) {
    return new LegacyFailure(ErrorCode.SESSION_NOT_READY, "turn_active",
        "A turn is still active in session " + sessionId + "; send again after its session.waiting.");
  }

  /** 409: the token is missing, not this session's, or older than the session's latest turn. */
  static LegacyFailure staleToken(String message) {
    return new LegacyFailure(ErrorCode.SESSION_NOT_ACTIVE, "stale_continuation_token", message);
  }

  /** 409: the request does not fit what the session waits for (an answer, or a message). */
  static LegacyFailure conflict(String wireCode, String message) {
    return new LegacyFailure(ErrorCode.SESSION_NOT_ACTIVE, wireCode, message);
  }

  /** The legacy {@code error.code} of any failure. */
  static String wireCode(EveException e) {
    if (e instanceof LegacyFailure) {
      return ((LegacyFailure) e).wireCode;
    }
    switch (e.code()) {
      case BAD_REQUEST:
        return "invalid_request";
      case UNAUTHORIZED:
        return "unauthorized";
      case FORBIDDEN:
        return "forbidden";
      case SESSION_NOT_FOUND:
        return "session_not_found";
      case SESSION_NOT_READY:
        return "turn_active";
      case SESSION_NOT_ACTIVE:
        return "session_not_active";
      case SESSION_EXPIRED:
        return "session_expired";
      case PAYLOAD_TOO_LARGE:
        return "payload_too_large";
      case STREAM_UNAVAILABLE:
        return "unavailable";
      case INTERNAL:
      default:
        return "internal_error";
    }
  }
}
