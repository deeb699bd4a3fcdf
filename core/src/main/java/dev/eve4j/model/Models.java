package dev.eve4j.model;

import dev.eve4j.model.anthropic.AnthropicMessages;
import dev.eve4j.model.http.HttpModelBuilder;
import dev.eve4j.model.openai.OpenAiChat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Chooses the model from settings (the standalone jar's environment, the WAR's context
 * parameters). Every setting is optional; an empty value counts as absent.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>name</th><th>value</th></tr>
 *   <tr><td>{@code EVE4J_MODEL}</td><td>{@code openai:<model>}, {@code anthropic:<model>} or
 *       {@code scripted} (the default: the offline {@link ScriptedModel})</td></tr>
 *   <tr><td>{@code OPENAI_API_KEY}</td><td>the key for {@code openai:}</td></tr>
 *   <tr><td>{@code OPENAI_BASE_URL}</td><td>an OpenAI-compatible server, e.g.
 *       {@code http://127.0.0.1:11434/v1} (default {@value OpenAiChat#DEFAULT_BASE_URL})</td></tr>
 *   <tr><td>{@code OPENAI_ORG_ID}, {@code OPENAI_PROJECT_ID}</td><td>sent as
 *       {@code OpenAI-Organization} / {@code OpenAI-Project}</td></tr>
 *   <tr><td>{@code ANTHROPIC_API_KEY}</td><td>the key for {@code anthropic:}</td></tr>
 *   <tr><td>{@code ANTHROPIC_BASE_URL}</td><td>default {@value AnthropicMessages#DEFAULT_BASE_URL}</td></tr>
 *   <tr><td>{@code EVE4J_MAX_TOKENS}</td><td>Anthropic's {@code max_tokens} (default
 *       {@value AnthropicMessages#DEFAULT_MAX_TOKENS})</td></tr>
 *   <tr><td>{@code EVE4J_THINKING_BUDGET}</td><td>Anthropic extended thinking budget in tokens
 *       (at least 1024; default off)</td></tr>
 * </table>
 *
 * <p>A provider without its key falls back to the scripted model, unless its base URL is set (local
 * servers need no key); the description says so. Keys never appear in descriptions or messages.
 * Stateless and thread-safe.
 */
public final class Models {
  public static final String MODEL = "EVE4J_MODEL";
  public static final String OPENAI_API_KEY = "OPENAI_API_KEY";
  public static final String OPENAI_BASE_URL = "OPENAI_BASE_URL";
  public static final String OPENAI_ORG_ID = "OPENAI_ORG_ID";
  public static final String OPENAI_PROJECT_ID = "OPENAI_PROJECT_ID";
  public static final String ANTHROPIC_API_KEY = "ANTHROPIC_API_KEY";
  public static final String ANTHROPIC_BASE_URL = "ANTHROPIC_BASE_URL";
  public static final String MAX_TOKENS = "EVE4J_MAX_TOKENS";
  public static final String THINKING_BUDGET = "EVE4J_THINKING_BUDGET";

  private Models() {}

  /**
   * The chosen model and one line that says which it is, for the start-up log, e.g.
   * {@code openai/gpt-4o at https://api.openai.com/v1}. Immutable.
   */
  public record Configured(LanguageModel model, String description) {
    public Configured {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(description, "description");
    }
  }

  /** {@link #fromSettings(Function)} over a map, e.g. {@code System.getenv()}. */
  public static Configured fromSettings(Map<String, String> settings) {
    Objects.requireNonNull(settings, "settings");
    return fromSettings(settings::get);
  }

  /**
   * The model the settings ask for.
   *
   * @param settings the value of a setting by name, or null
   * @throws IllegalArgumentException with a one-line message naming the setting, when a value is
   *     invalid (an unknown provider, a bad URL or number)
   */
  public static Configured fromSettings(Function<String, String> settings) {
    Objects.requireNonNull(settings, "settings");
    String wanted = value(settings, MODEL);
    if (wanted == null || wanted.equalsIgnoreCase("scripted")) {
      return new Configured(ScriptedModel.create(),
          "eve4j/scripted (the offline demo model; set EVE4J_MODEL=openai:<model> or anthropic:<model> for a real one)");
    }
    int colon = wanted.indexOf(':');
    String provider = (colon < 0 ? wanted : wanted.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
    String name = colon < 0 ? "" : wanted.substring(colon + 1).trim();
    if (colon < 0 || name.isEmpty() || !(provider.equals("openai") || provider.equals("anthropic"))) {
      throw new IllegalArgumentException(MODEL + " must be openai:<model>, anthropic:<model> or scripted, was '"
          + wanted + "'");
    }
    return provider.equals("openai") ? openai(name, settings) : anthropic(name, settings);
  }

  private static Configured openai(String name, Function<String, String> settings) {
    String key = value(settings, OPENAI_API_KEY);
    String baseUrl = value(settings, OPENAI_BASE_URL);
    if (key == null && baseUrl == null) {
      return fallback("openai:" + name, OPENAI_API_KEY, OPENAI_BASE_URL);
    }
    OpenAiChat.Builder b = OpenAiChat.builder(name).apiKey(key)
        .organization(value(settings, OPENAI_ORG_ID))
        .project(value(settings, OPENAI_PROJECT_ID));
    if (baseUrl != null) {
      baseUrl(b, baseUrl, OPENAI_BASE_URL);
    }
    LanguageModel model = b.build();
    return new Configured(model, model.id() + " at " + (baseUrl != null ? baseUrl : OpenAiChat.DEFAULT_BASE_URL)
        + (key == null ? " (no API key)" : ""));
  }

  private static Configured anthropic(String name, Function<String, String> settings) {
    String key = value(settings, ANTHROPIC_API_KEY);
    String baseUrl = value(settings, ANTHROPIC_BASE_URL);
    if (key == null && baseUrl == null) {
      return fallback("anthropic:" + name, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL);
    }
    AnthropicMessages.Builder b = AnthropicMessages.builder(name).apiKey(key);
    if (baseUrl != null) {
      baseUrl(b, baseUrl, ANTHROPIC_BASE_URL);
    }
    int maxTokens = number(settings, MAX_TOKENS, AnthropicMessages.DEFAULT_MAX_TOKENS);
    int budget = number(settings, THINKING_BUDGET, 0);
    try {
      b.maxTokens(maxTokens).thinkingBudget(budget);
      LanguageModel model = b.build();
      return new Configured(model, model.id() + " at " + (baseUrl != null ? baseUrl : AnthropicMessages.DEFAULT_BASE_URL)
          + (budget > 0 ? ", thinking budget " + budget : "") + (key == null ? " (no API key)" : ""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(MAX_TOKENS + "/" + THINKING_BUDGET + ": " + e.getMessage(), e);
    }
  }

  private static Configured fallback(String wanted, String keyName, String urlName) {
    return new Configured(ScriptedModel.create(), "eve4j/scripted: " + MODEL + "=" + wanted + " needs " + keyName
        + " (or " + urlName + " for a server without keys), which is not set; serving the offline scripted model");
  }

  private static void baseUrl(HttpModelBuilder<?> b, String url, String name) {
    try {
      b.baseUrl(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
  }

  private static int number(Function<String, String> settings, String name, int fallback) {
    String text = value(settings, name);
    if (text == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(text);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be a whole number of tokens, was '" + text + "'");
  }

  private static String value(Function<String, String> settings, String name) {
    String v = settings.apply(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
