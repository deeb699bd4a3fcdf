package dev.eve4j.model;

/**
 * A model call failure with a stable code, reported to {@link ModelListener#onError}; the turn
 * shows the code in {@code step.failed}/{@code turn.failed} and the message (never a secret).
 * Other exceptions show as {@code MODEL_CALL_FAILED}.
 */
public class ModelException extends RuntimeException {
  /** The provider refused the credentials (401/403). */
  public static final String AUTHENTICATION = "MODEL_AUTHENTICATION_FAILED";
  /** Rate limited (429) after the retries. */
  public static final String RATE_LIMITED = "MODEL_RATE_LIMITED";
  /** The provider is overloaded (529, overloaded_error, 503) after the retries. */
  public static final String OVERLOADED = "MODEL_OVERLOADED";
  /** The provider rejected the request (400, 404, 422). */
  public static final String BAD_REQUEST = "MODEL_BAD_REQUEST";
  /** The provider failed (5xx) after the retries, or sent an error event. */
  public static final String PROVIDER_ERROR = "MODEL_PROVIDER_ERROR";
  /** Connection refused, reset or dropped mid-stream. */
  public static final String NETWORK = "MODEL_NETWORK_ERROR";
  /** No byte within the connect or idle timeout. */
  public static final String TIMEOUT = "MODEL_TIMEOUT";

  private final String code;

  public ModelException(String code, String message) {
    this(code, message, null);
  }

  public ModelException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
