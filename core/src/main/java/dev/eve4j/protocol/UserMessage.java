package dev.eve4j.protocol;

import java.util.List;
import java.util.stream.Collectors;

/** A user message: one or more parts (a plain string arrives as one text part). Immutable. */
public record UserMessage(List<ContentPart> parts) {
  public UserMessage {
    parts = List.copyOf(parts);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("a message has at least one part");
    }
  }

  public static UserMessage text(String text) {
    return new UserMessage(List.of(ContentPart.text(text)));
  }

  /** Text parts as they are, files as {@code [file: name (type)]}, joined by newlines. */
  public String flattenedText() {
    return parts.stream().map(ContentPart::flatten).collect(Collectors.joining("\n"));
  }

  public List<EventData.Part> eventParts() {
    return parts.stream().map(ContentPart::toEventPart).collect(Collectors.toList());
  }
}
