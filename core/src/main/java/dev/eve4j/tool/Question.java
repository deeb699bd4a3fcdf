package dev.eve4j.tool;

import java.util.List;
import java.util.Objects;

/**
 * A question a tool asks the user through {@link ToolContext#ask}. With options it shows as a
 * choice ({@code display:"select"}), without as an open question ({@code display:"text"}).
 * Immutable.
 */
public record Question(String prompt, List<Option> options, boolean allowFreeform) {
  public record Option(String label, String description) {
    public Option {
      Objects.requireNonNull(label, "label");
    }
  }

  public Question {
    Objects.requireNonNull(prompt, "prompt");
    options = options == null ? List.of() : List.copyOf(options);
  }

  /** An open question answered in the user's own words. */
  public static Question open(String prompt) {
    return new Question(prompt, List.of(), true);
  }

  /** A choice between options; the user may still answer in their own words. */
  public static Question choice(String prompt, List<Option> options) {
    return new Question(prompt, options, true);
  }
}
