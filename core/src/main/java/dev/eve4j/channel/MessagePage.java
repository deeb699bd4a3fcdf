package dev.eve4j.channel;

import java.util.List;

/**
 * One page of a vessel's history, newest last.
 *
 * @param hasMore true when older messages exist before the first one
 */
public record MessagePage(List<Message> messages, boolean hasMore) {
  public MessagePage {
    messages = List.copyOf(messages);
  }
}
