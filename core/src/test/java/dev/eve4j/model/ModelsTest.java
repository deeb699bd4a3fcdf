package dev.eve4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Choosing the model from EVE4J_MODEL and the provider settings. */
class ModelsTest {
  @Test
  void scriptedByDefault() {
    Models.Configured c = Models.fromSettings(Map.of());
    assertInstanceOf(ScriptedModel.class, c.model());
    assertTrue(c.description().startsWith("eve4j/scripted"), c.description());
    assertInstanceOf(ScriptedModel.class, Models.fromSettings(Map.of("EVE4J_MODEL", " scripted ")).model());
  }

  @Test
  void openaiWithAKey() {
    Models.Configured c = Models.fromSettings(Map.of("EVE4J_MODEL", "openai:gpt-4o", "OPENAI_API_KEY", "sk-secret-123456"));
    assertEquals("openai/gpt-4o", c.model().id());
    assertEquals("openai/gpt-4o at https://api.openai.com/v1", c.description());
  }

  @Test
  void aLocalOpenAiCompatibleServerNeedsNoKey() {
    Models.Configured c = Models.fromSettings(Map.of("EVE4J_MODEL", "openai:llama3.2",
        "OPENAI_BASE_URL", "http://127.0.0.1:11434/v1"));
    assertEquals("openai/llama3.2", c.model().id());
    assertEquals("openai/llama3.2 at http://127.0.0.1:11434/v1 (no API key)", c.description());
  }

  @Test
  void anthropicWithThinking() {
    Models.Configured c = Models.fromSettings(Map.of("EVE4J_MODEL", "Anthropic:claude-sonnet-4-5",
        "ANTHROPIC_API_KEY", "sk-ant-secret", "EVE4J_THINKING_BUDGET", "2048", "EVE4J_MAX_TOKENS", "16000"));
    assertEquals("anthropic/claude-sonnet-4-5", c.model().id());
    assertEquals("anthropic/claude-sonnet-4-5 at https://api.anthropic.com, thinking budget 2048", c.description());
    assertFalse(c.description().contains("secret"));
  }

  @Test
  void withoutAKeyItFallsBackToTheScriptedModelAndSaysWhy() {
    Models.Configured c = Models.fromSettings(Map.of("EVE4J_MODEL", "anthropic:claude-haiku-4-5"));
    assertInstanceOf(ScriptedModel.class, c.model());
    assertTrue(c.description().contains("ANTHROPIC_API_KEY"), c.description());
    assertTrue(c.description().contains("anthropic:claude-haiku-4-5"), c.description());
    assertFalse(c.description().contains("\n"));
  }

  @Test
  void badValuesNameTheSetting() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Models.fromSettings(Map.of("EVE4J_MODEL", "gemini:pro"))).getMessage().startsWith("EVE4J_MODEL"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Models.fromSettings(Map.of("EVE4J_MODEL", "openai:"))).getMessage().startsWith("EVE4J_MODEL"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Models.fromSettings(Map.of("EVE4J_MODEL",
        "openai:x", "OPENAI_BASE_URL", "ftp://x"))).getMessage().startsWith("OPENAI_BASE_URL"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Models.fromSettings(Map.of("EVE4J_MODEL",
        "anthropic:x", "ANTHROPIC_API_KEY", "k", "EVE4J_THINKING_BUDGET", "lots"))).getMessage()
        .startsWith("EVE4J_THINKING_BUDGET"));
  }
}
