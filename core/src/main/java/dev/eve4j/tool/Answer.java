package dev.eve4j.tool;

/**
 * A person's answer to a {@link Question}: the chosen option's label, or their own words. Immutable.
 *
 * @param option the chosen option's label, or null for a free-form answer
 * @param text the free-form text, or null
 */
public record Answer(String option, String text) {
  /** The answer as the model sees it: the option's label, else the text. */
  public String value() {
    return option != null ? option : text == null ? "" : text;
  }
}
