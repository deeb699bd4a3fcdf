package dev.eve4j.protocol;

/** Token usage of one model step or a running session total. Immutable. */
public record TokenUsage(long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens) {
  public static final TokenUsage ZERO = new TokenUsage(0, 0, 0, 0);

  public TokenUsage {
    if (inputTokens < 0 || outputTokens < 0 || cacheReadTokens < 0 || cacheWriteTokens < 0) {
      throw new IllegalArgumentException("token counts must not be negative");
    }
  }

  public static TokenUsage of(long input, long output) {
    return new TokenUsage(input, output, 0, 0);
  }

  public TokenUsage plus(TokenUsage other) {
    if (other == null) {
      return this;
    }
    return new TokenUsage(inputTokens + other.inputTokens, outputTokens + other.outputTokens,
        cacheReadTokens + other.cacheReadTokens, cacheWriteTokens + other.cacheWriteTokens);
  }
}
