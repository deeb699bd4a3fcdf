package dev.eve4j.model.openai;

import dev.eve4j.model.LanguageModel;
import dev.eve4j.model.http.HttpModelBuilder;

/**
 * Models served by an OpenAI-compatible streaming Chat Completions endpoint
 * ({@code POST <baseUrl>/chat/completions}): OpenAI itself, and servers that speak its dialect
 * (Ollama, vLLM, llama.cpp, LM Studio, Groq, DeepSeek, OpenRouter, …).
 *
 * <pre>{@code
 * LanguageModel gpt = OpenAiChat.builder("gpt-4o").apiKey(System.getenv("OPENAI_API_KEY")).build();
 * LanguageModel local = OpenAiChat.builder("llama3.2").baseUrl("http://127.0.0.1:11434/v1").build();
 * }</pre>
 *
 * <p>What the model sends: the agent's instructions as a {@code system} message, the conversation
 * (tool calls with their arguments as JSON strings, tool results as {@code tool} messages, images
 * as {@code image_url} parts, PDFs as {@code file} parts, text files inline, other files as their
 * {@code [file: …]} line), the tools as function tools with their JSON Schemas, {@code stream:true}
 * with {@code stream_options.include_usage}, and {@code tool_choice:"required"} when the turn wants
 * structured output (the model must answer through {@code eve__reply}). What it reads: text and
 * {@code reasoning_content}/{@code reasoning} deltas, tool calls assembled by index, the finish
 * reason and usage (input tokens include cached ones; {@code cacheReadTokens} counts those).
 *
 * <p>The models it builds are thread-safe and serve every session of an agent; their id is
 * {@code openai/<model>}.
 */
public final class OpenAiChat {
  /** OpenAI's API; {@code /chat/completions} is appended. */
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

  private OpenAiChat() {}

  /** A builder for {@code model} (e.g. {@code gpt-4o}, {@code gpt-5-mini}, {@code llama3.2}). */
  public static Builder builder(String model) {
    return new Builder(model);
  }

  /** Settings of an OpenAI-compatible model; see {@link HttpModelBuilder} for the shared ones. */
  public static final class Builder extends HttpModelBuilder<Builder> {
    private String organization;
    private String project;

    Builder(String model) {
      super(model, DEFAULT_BASE_URL);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /** Sent as {@code OpenAI-Organization}; null or blank sends none. */
    public Builder organization(String organization) {
      this.organization = organization == null || organization.isBlank() ? null : organization.trim();
      return this;
    }

    /** Sent as {@code OpenAI-Project}; null or blank sends none. */
    public Builder project(String project) {
      this.project = project == null || project.isBlank() ? null : project.trim();
      return this;
    }

    public LanguageModel build() {
      return new OpenAiChatModel(model(), apiKey(), baseUrl(), organization, project,
          transport("OpenAI", "api.openai.com"));
    }
  }
}
