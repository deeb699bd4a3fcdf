package dev.eve4j.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;

/** The request bodies of the eve session routes, as validated by {@link RequestParser}. */
public final class Requests {
  private Requests() {}

  public enum TurnPolicy {
    QUEUE, STEER
  }

  /**
   * {@code POST /session}. A null message is a prewarm: the session is created parked.
   * {@code outputSchema} is kept for the turn it belongs to.
   */
  public record CreateSession(UserMessage message, JsonElement clientContext, JsonObject outputSchema) {
    public boolean prewarm() {
      return message == null;
    }
  }

  /** {@code POST /session/:id}: exactly one of message and inputResponses is set. */
  public record SessionMessage(UserMessage message, List<InputResponse> inputResponses, TurnPolicy turnPolicy,
      JsonElement clientContext, JsonObject outputSchema) {
    public SessionMessage {
      inputResponses = inputResponses == null ? null : List.copyOf(inputResponses);
      if ((message == null) == (inputResponses == null)) {
        throw new IllegalArgumentException("exactly one of message and inputResponses");
      }
    }

    public static SessionMessage of(String text) {
      return new SessionMessage(UserMessage.text(text), null, null, null, null);
    }
  }

  /** One answer to a human-in-the-loop request. */
  public record InputResponse(String requestId, String optionId, String text) {}

  /** {@code POST /session/:id/cancel}; a null turnId cancels whatever turn is running. */
  public record Cancel(String turnId) {}

  /** {@code POST /session/:id/reset}. */
  public record Reset(String reason) {}
}
