package dev.eve4j.servlet;

import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A firehose frame's position, the SSE {@code id:} a client sends back as {@code Last-Event-ID}.
 * One canonical event may become several frames (an {@code actions.requested} with two calls is two
 * {@code tool_use_start}s), so a position is {@code (base, part)}: part 0 is written as the bare base.
 * <ul>
 *   <li>with {@code conversationKey}: {@code base} is the event's index in the conversation's
 *       journal: {@code 41}, {@code 41.1};</li>
 *   <li>without: {@code base} is the feed's global sequence, prefixed by the epoch of the server
 *       instance that numbered it: {@code k3x9q2ab-1207}, {@code k3x9q2ab-1207.1}.</li>
 * </ul>
 * Immutable.
 */
record EventsCursor(long base, int part) {
  private static final Pattern KEYED = Pattern.compile("^(\\d{1,18})(?:\\.(\\d{1,9}))?$");
  private static final Pattern GLOBAL = Pattern.compile("^([0-9a-z]{1,16})-(\\d{1,18})(?:\\.(\\d{1,9}))?$");

  /** Whether the frame at {@code (b, p)} was already delivered to a reader at this position. */
  boolean covers(long b, int p) {
    return b < base || (b == base && p <= part);
  }

  static String keyed(long index, int part) {
    return part == 0 ? Long.toString(index) : index + "." + part;
  }

  static String global(String epoch, long seq, int part) {
    return part == 0 ? epoch + "-" + seq : epoch + "-" + seq + "." + part;
  }

  /** A {@code Last-Event-ID} of a conversation feed; 400 when it is not one. */
  static EventsCursor parseKeyed(String id) {
    Matcher m = KEYED.matcher(id.trim());
    if (!m.matches()) {
      throw EveException.badRequest("Last-Event-ID must be an id of this conversation's feed (<index>[.<part>]).");
    }
    return new EventsCursor(Long.parseLong(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
  }

  /**
   * A {@code Last-Event-ID} of the all-conversations feed: 400 when it is not one, 410 when another
   * server instance (a restart) numbered it, since its events cannot be found again.
   */
  static EventsCursor parseGlobal(String id, String epoch) {
    Matcher m = GLOBAL.matcher(id.trim());
    if (!m.matches()) {
      throw EveException.badRequest("Last-Event-ID must be an id of the all-conversations feed (<epoch>-<seq>[.<part>]).");
    }
    if (!m.group(1).equals(epoch)) {
      throw gone();
    }
    return new EventsCursor(Long.parseLong(m.group(2)), m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
  }

  /** The resume point is no longer held: the client must start over without {@code Last-Event-ID}. */
  static EveException gone() {
    return new EveException(ErrorCode.SESSION_EXPIRED,
        "The events after this Last-Event-ID are no longer available; reconnect without it.");
  }
}
