package dev.eve4j.servlet.gateway;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open relays of one {@link GatewayServlet}: the tool-approval requests and questions that a
 * running {@code /chat} stream has shown its client and that nobody has answered yet. A relay is
 * added before its {@code relay} frame is written and taken exactly once, so two answers can never
 * both reach the session. Thread-safe.
 */
final class Relays {
  /**
   * One open relay.
   *
   * @param relayId the eve input request id
   * @param sessionId its session
   * @param owner the subject that owns the session
   * @param question true for a question ({@code ask_question}), false for a tool approval
   * @param options the labels a question offers (empty for free-form questions and approvals)
   * @param run the stream that showed it
   */
  record Relay(String relayId, String sessionId, String owner, boolean question, List<String> options,
      Object run) {
    Relay {
      Objects.requireNonNull(relayId, "relayId");
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(owner, "owner");
      options = List.copyOf(options);
      Objects.requireNonNull(run, "run");
    }
  }

  private final ConcurrentHashMap<String, Relay> open = new ConcurrentHashMap<>();

  void add(Relay relay) {
    open.put(relay.relayId(), relay);
  }

  /** The open relay with this id, or null. */
  Relay get(String relayId) {
    return open.get(relayId);
  }

  /** Takes the relay for answering; false when it was already taken or closed. */
  boolean take(Relay relay) {
    return open.remove(relay.relayId(), relay);
  }

  /** Closes a relay answered elsewhere (another face of the session). */
  void close(String relayId) {
    open.remove(relayId);
  }

  /** Closes every relay a stream showed (its run ended). */
  void closeAll(Object run) {
    open.values().removeIf(r -> r.run() == run);
  }

  int size() {
    return open.size();
  }
}
