package dev.eve4j.model;

import java.util.List;
import java.util.Objects;

/**
 * One model call's input: the agent's instructions, the conversation so far (oldest first) and
 * the purpose of the call. Immutable.
 */
public record ModelRequest(String instructions, List<ModelMessage> messages, Purpose purpose) {
  public enum Purpose {
    /** A step of a turn: answer the latest user message. */
    TURN,
    /** Summarise the conversation so far into a checkpoint that replaces it. */
    COMPACTION
  }

  public ModelRequest {
    messages = List.copyOf(messages);
    Objects.requireNonNull(purpose, "purpose");
  }

  /** The text of the latest user message, or "" when there is none. */
  public String latestUserText() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).role() == ModelMessage.Role.USER) {
        return messages.get(i).text();
      }
    }
    return "";
  }
}
