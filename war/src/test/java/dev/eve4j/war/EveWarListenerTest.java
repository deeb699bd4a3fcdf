package dev.eve4j.war;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eve4j.agent.Agent;
import dev.eve4j.model.Models;
import dev.eve4j.model.ScriptedModel;
import dev.eve4j.servlet.EveServletOptions;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the WAR chooses its agent and reads its context parameters, without a container. */
public class EveWarListenerTest {

  /** A provider as a user would write one. Public: ServiceLoader instantiates it reflectively. */
  public static final class Support implements AgentProvider {
    @Override
    public Agent agent() {
      return new Agent("support-bot", "You help customers.", ScriptedModel.create());
    }
  }

  public static final class Sales implements AgentProvider {
    @Override
    public Agent agent() {
      return new Agent("sales-bot", "You sell.", ScriptedModel.create());
    }
  }

  public static final class Broken implements AgentProvider {
    @Override
    public Agent agent() {
      throw new IllegalStateException("OPENAI_API_KEY is not set");
    }
  }

  @TempDir Path dir;

  @Test
  void servesTheScriptedAgentWhenNoProviderIsFound() throws IOException {
    try (URLClassLoader loader = loaderWithProviders()) {
      assertEquals("eve4j-agent", EveWarListener.discoverAgent(loader, null).name());
    }
  }

  @Test
  void servesTheOnlyProvider() throws IOException {
    try (URLClassLoader loader = loaderWithProviders(Support.class)) {
      assertEquals("support-bot", EveWarListener.discoverAgent(loader, null).name());
    }
  }

  @Test
  void refusesToGuessBetweenSeveralProviders() throws IOException {
    try (URLClassLoader loader = loaderWithProviders(Support.class, Sales.class)) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class, () -> EveWarListener.discoverAgent(loader, " "));
      assertTrue(e.getMessage().contains(Support.class.getName()), e.getMessage());
      assertTrue(e.getMessage().contains(Sales.class.getName()), e.getMessage());
      assertTrue(e.getMessage().contains("eve4j.agent"), e.getMessage());
    }
  }

  @Test
  void theAgentParameterPicksOneProviderByClassName() throws IOException {
    try (URLClassLoader loader = loaderWithProviders(Support.class, Sales.class, Broken.class)) {
      // Broken is never instantiated: only the named provider is.
      assertEquals(
          "sales-bot", EveWarListener.discoverAgent(loader, Sales.class.getName()).name());
    }
  }

  @Test
  void anAgentParameterThatNamesNothingFails() throws IOException {
    try (URLClassLoader loader = loaderWithProviders(Support.class)) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> EveWarListener.discoverAgent(loader, "com.example.Missing"));
      assertTrue(e.getMessage().contains("com.example.Missing"), e.getMessage());
      assertTrue(e.getMessage().contains(Support.class.getName()), e.getMessage());
    }
  }

  @Test
  void aFailingProviderFailsTheDeploymentWithItsMessage() throws IOException {
    try (URLClassLoader loader = loaderWithProviders(Broken.class)) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class, () -> EveWarListener.discoverAgent(loader, null));
      assertTrue(e.getMessage().contains(Broken.class.getName()), e.getMessage());
      assertTrue(e.getMessage().contains("OPENAI_API_KEY is not set"), e.getMessage());
    }
  }

  @Test
  void contextParametersConfigureTheServlet() {
    Map<String, String> params =
        Map.of(
            "eve4j.maxBodyBytes", "1024",
            "eve4j.corsAllowedOrigins", " https://a.example , https://b.example,",
            "eve4j.heartbeatInterval", "PT2S",
            "eve4j.leaseDuration", "PT30S",
            "eve4j.uploadMaxBytes", "1000000",
            "eve4j.uploadTypes", "image/*, application/pdf");
    EveServletOptions options = EveWarListener.options(params::get);
    assertEquals(1024, options.maxBodyBytes());
    assertEquals(Set.of("https://a.example", "https://b.example"), options.corsAllowedOrigins());
    assertEquals(Duration.ofSeconds(2), options.heartbeatInterval());
    assertEquals(Duration.ofSeconds(30), options.leaseDuration());
    assertEquals(new dev.eve4j.protocol.UploadPolicy(1_000_000, java.util.List.of("image/*", "application/pdf")),
        options.uploadPolicy());
  }

  @Test
  void absentParametersKeepTheDefaults() {
    assertEquals(EveServletOptions.defaults(), EveWarListener.options(name -> null));
  }

  @Test
  void invalidParametersNameTheParameterAndTheValue() {
    for (Map.Entry<String, String> bad :
        Map.of(
                "eve4j.maxBodyBytes", "10MB",
                "eve4j.corsAllowedOrigins", ",",
                "eve4j.heartbeatInterval", "10",
                "eve4j.leaseDuration", "-PT1S",
                "eve4j.uploadMaxBytes", "25MB",
                "eve4j.uploadTypes", "pdf")
            .entrySet()) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> EveWarListener.options(Map.of(bad.getKey(), bad.getValue())::get));
      assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
      assertTrue(e.getMessage().contains("'" + bad.getValue() + "'"), e.getMessage());
    }
  }

  @Test
  void theDemoAgentTakesItsModelFromContextParametersElseTheEnvironment() throws IOException {
    Map<String, String> params = Map.of("EVE4J_MODEL", "openai:gpt-4o-mini", "OPENAI_BASE_URL", " ");
    Map<String, String> env =
        Map.of("OPENAI_API_KEY", "sk-from-env-0123456789", "EVE4J_MODEL", "anthropic:claude-haiku-4-5");
    Models.Configured configured = EveWarListener.model(params::get, env);
    assertEquals("openai/gpt-4o-mini", configured.model().id());
    assertEquals("openai/gpt-4o-mini at https://api.openai.com/v1", configured.description());
    try (URLClassLoader loader = loaderWithProviders()) {
      Agent agent = EveWarListener.discoverAgent(loader, null, configured);
      assertEquals("eve4j-agent", agent.name());
      assertSame(configured.model(), agent.model());
      assertEquals(
          List.of("lookup", "deploy", "ask_question"),
          agent.tools().stream().map(t -> t.name()).toList());
    }
  }

  @Test
  void withoutItsKeyTheModelFallsBackToTheScriptedOne() {
    Models.Configured configured =
        EveWarListener.model(Map.of("EVE4J_MODEL", "anthropic:claude-haiku-4-5")::get, Map.of());
    assertInstanceOf(ScriptedModel.class, configured.model());
    assertTrue(configured.description().contains("ANTHROPIC_API_KEY"), configured.description());
  }

  @Test
  void anInvalidModelSettingFailsTheDeploymentNamingIt() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> EveWarListener.model(Map.of("EVE4J_MODEL", "gemini:pro")::get, Map.of()));
    assertTrue(e.getMessage().contains("EVE4J_MODEL"), e.getMessage());
    assertTrue(e.getMessage().contains("'gemini:pro'"), e.getMessage());
  }

  @Test
  void anAgentProviderKeepsItsOwnModel() throws IOException {
    Models.Configured configured =
        EveWarListener.model(
            Map.of("EVE4J_MODEL", "openai:gpt-4o", "OPENAI_API_KEY", "sk-x-0123456789")::get,
            Map.of());
    try (URLClassLoader loader = loaderWithProviders(Support.class)) {
      Agent agent = EveWarListener.discoverAgent(loader, null, configured);
      assertEquals("support-bot", agent.name());
      assertInstanceOf(ScriptedModel.class, agent.model());
    }
  }

  /** A class loader whose only addition is a services file listing {@code providers}. */
  private URLClassLoader loaderWithProviders(Class<?>... providers) throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    StringBuilder names = new StringBuilder();
    for (Class<?> provider : providers) {
      names.append(provider.getName()).append('\n');
    }
    Files.writeString(services.resolve(AgentProvider.class.getName()), names);
    return new URLClassLoader(
        new java.net.URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
  }

  @Test
  void authSettingsComeFromContextParametersThenTheEnvironment() {
    dev.eve4j.auth.Authenticator a = EveWarListener.authenticator(
        name -> name.equals("EVE4J_AUTH") ? "tokens" : null,
        java.util.Map.of("EVE4J_AUTH_TOKENS", "ops=war-token-123=sessions.read"));
    org.junit.jupiter.api.Assertions.assertEquals("ops", a.authenticate("Bearer war-token-123").subject());
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> EveWarListener.authenticator(name -> null, java.util.Map.of("EVE4J_AUTH", "jwt")));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("EVE4J_AUTH=jwt"));
    org.junit.jupiter.api.Assertions.assertFalse(EveWarListener.authenticator(name -> null, java.util.Map.of())
        .enabled());
  }
}
