package dev.eve4j.model.anthropic;

import dev.eve4j.model.LanguageModel;
import dev.eve4j.model.http.HttpModelBuilder;

/**
 * Claude models through Anthropic's streaming Messages API ({@code POST <baseUrl>/v1/messages}).
 *
 * <pre>{@code
 * LanguageModel claude = AnthropicMessages.builder("claude-sonnet-4-5")
 *     .apiKey(System.getenv("ANTHROPIC_API_KEY"))
 *     .thinkingBudget(2048)              // optional extended thinking
 *     .build();
 * }</pre>
 *
 * <p>What the model sends: the agent's instructions as {@code system}, {@code max_tokens}, the
 * conversation as content blocks (consecutive messages of one role merged, tool results as
 * {@code tool_result} blocks with {@code is_error} for failed or denied calls, images as
 * {@code image} blocks, PDFs and plain-text files as {@code document} blocks, other files as their
 * {@code [file: …]} line), the tools with their JSON Schemas, {@code tool_choice:any} when the turn
 * wants structured output (the model must answer through {@code eve__reply}; {@code auto} with
 * thinking, which allows no other), and the {@code anthropic-version} header. What it reads: text,
 * thinking (as reasoning) and {@code tool_use} blocks with their {@code input_json_delta}s, the stop
 * reason and usage (input tokens include cache reads and writes, which are also counted apart),
 * {@code ping}s and {@code error} events.
 *
 * <p>With thinking, a tool-use turn must hand the model its own signed thinking block back. The
 * conversation does not carry it, so each model remembers the thinking of its recent tool-use
 * responses in memory (by tool call id); if it is missing (e.g. after a restart), that one request
 * goes without thinking instead of failing.
 *
 * <p>The models it builds are thread-safe and serve every session of an agent; their id is
 * {@code anthropic/<model>}.
 */
public final class AnthropicMessages {
  /** Anthropic's API; {@code /v1/messages} is appended. */
  public static final String DEFAULT_BASE_URL = "https://api.anthropic.com";
  /** The {@code anthropic-version} sent unless {@link Builder#version} says otherwise. */
  public static final String DEFAULT_VERSION = "2023-06-01";
  /** {@code max_tokens} unless {@link Builder#maxTokens} says otherwise. */
  public static final int DEFAULT_MAX_TOKENS = 8192;

  private AnthropicMessages() {}

  /** A builder for {@code model} (e.g. {@code claude-sonnet-4-5}, {@code claude-haiku-4-5}). */
  public static Builder builder(String model) {
    return new Builder(model);
  }

  /** Settings of a Claude model; see {@link HttpModelBuilder} for the shared ones. */
  public static final class Builder extends HttpModelBuilder<Builder> {
    private int maxTokens = DEFAULT_MAX_TOKENS;
    private int thinkingBudget;
    private String version = DEFAULT_VERSION;

    Builder(String model) {
      super(model, DEFAULT_BASE_URL);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /** The most tokens one response may have ({@code max_tokens}); default 8192. */
    public Builder maxTokens(int maxTokens) {
      if (maxTokens < 1) {
        throw new IllegalArgumentException("maxTokens must be positive, was " + maxTokens);
      }
      this.maxTokens = maxTokens;
      return this;
    }

    /**
     * Extended thinking with this many tokens to think ({@code thinking.budget_tokens}, at least
     * 1024 and below {@code maxTokens}); 0, the default, turns it off.
     */
    public Builder thinkingBudget(int budgetTokens) {
      if (budgetTokens != 0 && budgetTokens < 1024) {
        throw new IllegalArgumentException("the thinking budget must be 0 (off) or at least 1024 tokens, was "
            + budgetTokens);
      }
      this.thinkingBudget = budgetTokens;
      return this;
    }

    /** The {@code anthropic-version} header; default {@value AnthropicMessages#DEFAULT_VERSION}. */
    public Builder version(String version) {
      if (version == null || version.isBlank()) {
        throw new IllegalArgumentException("the anthropic-version must not be blank");
      }
      this.version = version.trim();
      return this;
    }

    /** @throws IllegalArgumentException when the thinking budget is not below {@code maxTokens} */
    public LanguageModel build() {
      if (thinkingBudget > 0 && thinkingBudget >= maxTokens) {
        throw new IllegalArgumentException("the thinking budget (" + thinkingBudget
            + ") must be below maxTokens (" + maxTokens + ")");
      }
      return new AnthropicMessagesModel(model(), apiKey(), baseUrl(), version, maxTokens, thinkingBudget,
          transport("Anthropic", "api.anthropic.com"));
    }
  }
}
