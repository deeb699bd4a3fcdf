package dev.eve4j.war;

import dev.eve4j.EveRuntime;
import dev.eve4j.agent.Agent;
import dev.eve4j.auth.AuthConfig;
import dev.eve4j.auth.Authenticator;
import dev.eve4j.model.Models;
import dev.eve4j.servlet.EventsServlet;
import dev.eve4j.servlet.EventsServletOptions;
import dev.eve4j.servlet.gateway.GatewayOptions;
import dev.eve4j.servlet.gateway.GatewayServlet;
import dev.eve4j.servlet.legacy.LegacyEveServlet;
import dev.eve4j.servlet.legacy.LegacyOptions;
import dev.eve4j.servlet.EveServlet;
import dev.eve4j.servlet.EveServletOptions;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Deploys eve4j as a web application: builds one {@link EveRuntime} when the context starts,
 * serves it at {@code <context path>/eve/v1/*}, and closes it when the context stops. Registered by
 * the WAR's {@code WEB-INF/web.xml}.
 *
 * <p>The agent comes from {@link AgentProvider}s found with {@link ServiceLoader} in the web
 * application's class loader: none found serves the demo agent ({@link Agent#demo}) on the model
 * the settings below choose, exactly one is used (it picks its own model, e.g. with
 * {@link Models#fromSettings}), and several fail the deployment unless {@code eve4j.agent} names one.
 *
 * <p>Context init parameters, all optional (an empty value counts as absent; a bad value fails the
 * deployment with a message naming the parameter):
 *
 * <table>
 *   <caption>Context parameters</caption>
 *   <tr><th>name</th><th>value</th><th>default</th></tr>
 *   <tr><td>{@code eve4j.agent}</td><td>fully qualified class name of the {@link AgentProvider} to
 *       use</td><td>the only provider found, else the demo agent</td></tr>
 *   <tr><td>{@code eve4j.maxBodyBytes}</td><td>largest accepted request body, in bytes (positive
 *       integer)</td><td>{@link EveServletOptions#defaults()}</td></tr>
 *   <tr><td>{@code eve4j.corsAllowedOrigins}</td><td>comma-separated origins allowed to call
 *       cross-origin, e.g. {@code https://app.example.com, https://admin.example.com}</td><td>none
 *       (CORS off)</td></tr>
 *   <tr><td>{@code eve4j.heartbeatInterval}</td><td>ISO-8601 duration between blank heartbeat
 *       lines on idle streams, e.g. {@code PT10S}</td>
 *       <td>{@link EveServletOptions#defaults()}</td></tr>
 *   <tr><td>{@code eve4j.leaseDuration}</td><td>ISO-8601 duration after which a stream that asked
 *       for leases is ended for reconnection, e.g. {@code PT60S}</td>
 *       <td>{@link EveServletOptions#defaults()}</td></tr>
 *   <tr><td>{@code eve4j.uploadMaxBytes}</td><td>largest inline file a message may carry, in bytes
 *       (eve's {@code uploadPolicy.maxBytes}; over it 413)</td><td>25 MiB</td></tr>
 *   <tr><td>{@code eve4j.uploadTypes}</td><td>media types a file may have, comma-separated,
 *       {@code image/*} wildcards allowed; {@code none} for no files (else 415)</td><td>every type</td></tr>
 * </table>
 *
 * <p>The demo agent's model takes the standalone jar's settings, under the same names, each from a
 * context parameter or else from the environment variable of that name (so keys can stay out of
 * {@code web.xml}); see {@link Models} for the full list:
 *
 * <table>
 *   <caption>Model settings (context parameter, else environment)</caption>
 *   <tr><th>name</th><th>value</th><th>default</th></tr>
 *   <tr><td>{@code EVE4J_MODEL}</td><td>{@code openai:<model>}, {@code anthropic:<model>} or
 *       {@code scripted}</td><td>{@code scripted}</td></tr>
 *   <tr><td>{@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL}</td><td>key and base URL of an
 *       OpenAI-compatible server (a base URL alone is enough for a local server)</td>
 *       <td>none, {@code https://api.openai.com/v1}</td></tr>
 *   <tr><td>{@code ANTHROPIC_API_KEY}, {@code ANTHROPIC_BASE_URL}</td><td>key and base URL of
 *       Anthropic</td><td>none, {@code https://api.anthropic.com}</td></tr>
 *   <tr><td>{@code OPENAI_ORG_ID}, {@code OPENAI_PROJECT_ID}, {@code EVE4J_MAX_TOKENS},
 *       {@code EVE4J_THINKING_BUDGET}</td><td>see {@link Models}</td><td>none</td></tr>
 * </table>
 *
 * <p>Authentication takes the same settings as the standalone jar too ({@code EVE4J_AUTH} =
 * {@code none}, {@code tokens} or {@code jwt}; {@code EVE4J_AUTH_TOKENS}; {@code EVE4J_JWT_SECRET},
 * {@code EVE4J_JWT_PUBLIC_KEYS}, {@code EVE4J_JWT_JWKS}, {@code EVE4J_JWT_ISSUER},
 * {@code EVE4J_JWT_AUDIENCE}, {@code EVE4J_JWT_CLOCK_SKEW}; see {@link AuthConfig}), each from a
 * context parameter or else the environment.
 *
 * <p>Besides {@code /eve/v1/*} it mounts the firehose at {@code /v1/events} (settings
 * {@code EVE4J_FIREHOSE_*}, see {@link EventsServletOptions#fromSettings}), the legacy profile at
 * {@code /legacy/eve/v1/*} and the LLM gateway at {@code /models} and {@code /chat/*}
 * ({@code DEFAULT_MODEL}), all with the same authenticator. The operator channel needs a durable
 * store of its own: with {@code EVE4J_CHANNEL_DIR} (a context parameter or the environment) naming
 * a directory, it is opened there and served at {@code /api/v1/*} (admin routes with the same
 * authenticator) with its operator console at {@code /console/}; without it, neither is mounted.
 *
 * <p>A provider without its key falls back to the scripted model; the context log says which model
 * serves (never a key). An invalid value fails the deployment with a message naming it.
 *
 * <p>Threading: the container calls {@link #contextInitialized} and then {@link #contextDestroyed}
 * once each, on its deployment thread; the instance holds the runtime in between.
 */
public final class EveWarListener implements ServletContextListener {

  static final String AGENT = "eve4j.agent";
  static final String MAX_BODY_BYTES = "eve4j.maxBodyBytes";
  static final String CORS_ALLOWED_ORIGINS = "eve4j.corsAllowedOrigins";
  static final String HEARTBEAT_INTERVAL = "eve4j.heartbeatInterval";
  static final String LEASE_DURATION = "eve4j.leaseDuration";
  static final String UPLOAD_MAX_BYTES = "eve4j.uploadMaxBytes";
  static final String UPLOAD_TYPES = "eve4j.uploadTypes";
  static final String SERVLET_NAME = "eve4j";
  static final String MAPPING = "/eve/v1/*";

  /** The setting naming the operator channel's directory (context parameter, else environment). */
  static final String CHANNEL_DIR = "EVE4J_CHANNEL_DIR";

  private volatile EveRuntime runtime;
  private volatile AutoCloseable channelStore;

  /** Called by the container through reflection; applications need not create one. */
  public EveWarListener() {}

  /**
   * Builds the runtime and mounts {@link EveServlet}.
   *
   * @throws IllegalStateException with a message for the deployer if a parameter is invalid, the
   *     agent cannot be chosen or created, or {@code /eve/v1/*} is already taken; the container
   *     then fails the deployment
   */
  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    EveServletOptions options = options(context::getInitParameter)
        .withAuthenticator(authenticator(context::getInitParameter, System.getenv()));
    Models.Configured model = model(context::getInitParameter, System.getenv());
    Agent agent = discoverAgent(context.getClassLoader(), context.getInitParameter(AGENT), model);
    EveRuntime built = EveRuntime.builder().agent(agent).build();
    try {
      ServletRegistration.Dynamic eve =
          context.addServlet(SERVLET_NAME, new EveServlet(built, options));
      if (eve == null) {
        throw new IllegalStateException(
            "eve4j: a servlet named '" + SERVLET_NAME + "' is already registered");
      }
      // Streams park their request until the journal has more; that needs async I/O.
      eve.setAsyncSupported(true);
      eve.setLoadOnStartup(1);
      Set<String> taken = eve.addMapping(MAPPING);
      if (!taken.isEmpty()) {
        throw new IllegalStateException(
            "eve4j: " + MAPPING + " is already mapped to another servlet in this application");
      }
      // The other faces of the same runtime, guarded by the same authenticator.
      UnaryOperator<String> setting = name -> {
        String v = value(context::getInitParameter, name);
        return v != null ? v : System.getenv(name);
      };
      EventsServletOptions firehose;
      try {
        firehose = EventsServletOptions.fromSettings(setting::apply, options.authenticator());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("eve4j: invalid firehose setting: " + e.getMessage(), e);
      }
      mount(context, "eve4j-events", new EventsServlet(built, firehose), "/v1/events");
      mount(context, "eve4j-legacy", new LegacyEveServlet(built,
          LegacyOptions.defaults().withAuthenticator(options.authenticator())),
          LegacyOptions.servletMapping(LegacyOptions.DEFAULT_PREFIX));
      mount(context, "eve4j-gateway", new GatewayServlet(built, GatewayOptions.defaults()
          .withAuthenticator(options.authenticator()).withDefaultModel(setting.apply("DEFAULT_MODEL"))),
          "/models", "/chat/*");
      String channelDir = setting.apply(CHANNEL_DIR);
      if (channelDir != null && !channelDir.isBlank()) {
        channelStore = mountChannel(context, java.nio.file.Path.of(channelDir.trim()), options.authenticator());
      }
    } catch (RuntimeException e) {
      built.close();
      closeChannel();
      throw e;
    }
    runtime = built;
    if (agent.model() == model.model()) {
      context.log("eve4j model: " + model.description());
    }
    context.log(
        "eve4j: serving agent '" + agent.name() + "' (model " + agent.model().id() + ") at "
            + context.getContextPath() + "/eve/v1");
  }

  /** Opens the channel in {@code dir} and mounts it at {@code /api/v1/*} and its console at {@code /console/*}. */
  private static AutoCloseable mountChannel(ServletContext context, java.nio.file.Path dir, Authenticator admin) {
    dev.eve4j.journal.EventJournal journal = dev.eve4j.journal.EventJournal.file(dir,
        dev.eve4j.journal.FileJournalOptions.defaults());
    dev.eve4j.channel.OperatorChannel opened = null;
    try {
      // inbound files wait for the agent beside the journal, in <channel dir>-files, so that they
      // survive a redeploy as the journal records naming them do
      dev.eve4j.channel.OperatorChannel channel = dev.eve4j.channel.OperatorChannel.open(journal,
          dev.eve4j.channel.ChannelOptions.defaults().withFilesDir(dir.resolveSibling(dir.getFileName() + "-files")));
      opened = channel;
      mount(context, "eve4j-channel", new dev.eve4j.servlet.channel.ChannelServlet(channel,
          dev.eve4j.servlet.channel.ChannelServletOptions.defaults().withAdminAuthenticator(admin)), "/api/v1/*");
      mount(context, "eve4j-console", new dev.eve4j.servlet.console.ConsoleServlet(channel), "/console/*");
      context.log("eve4j: operator channel in " + dir + " at " + context.getContextPath() + "/api/v1, console at "
          + context.getContextPath() + "/console/");
      return () -> {
        channel.close(); // stops the file sweeper before its journal closes
        journal.close();
      };
    } catch (RuntimeException e) {
      if (opened != null) {
        opened.close();
      }
      journal.close();
      throw e;
    }
  }

  private void closeChannel() {
    AutoCloseable store = channelStore;
    channelStore = null;
    if (store != null) {
      try {
        store.close();
      } catch (Exception e) {
        // closing at undeploy: nothing more to do
      }
    }
  }

  private static void mount(ServletContext context, String name, jakarta.servlet.Servlet servlet, String... mappings) {
    ServletRegistration.Dynamic r = context.addServlet(name, servlet);
    if (r == null) {
      throw new IllegalStateException("eve4j: a servlet named '" + name + "' is already registered");
    }
    r.setAsyncSupported(true);
    Set<String> taken = r.addMapping(mappings);
    if (!taken.isEmpty()) {
      throw new IllegalStateException("eve4j: " + taken + " is already mapped to another servlet in this application");
    }
  }

  /** Closes the runtime; the container has already taken the servlet out of service. */
  @Override
  public void contextDestroyed(ServletContextEvent event) {
    EveRuntime current = runtime;
    runtime = null;
    if (current != null) {
      current.close();
    }
    closeChannel();
  }

  /** The servlet options from the context parameters, read through {@code parameter}. */
  static EveServletOptions options(UnaryOperator<String> parameter) {
    EveServletOptions options = EveServletOptions.defaults();
    String maxBody = value(parameter, MAX_BODY_BYTES);
    if (maxBody != null) {
      long bytes;
      try {
        bytes = Long.parseLong(maxBody);
      } catch (NumberFormatException e) {
        bytes = -1;
      }
      if (bytes <= 0) {
        throw invalid(MAX_BODY_BYTES, maxBody, "a positive number of bytes");
      }
      options = options.withMaxBodyBytes(bytes);
    }
    String origins = value(parameter, CORS_ALLOWED_ORIGINS);
    if (origins != null) {
      Set<String> set =
          Arrays.stream(origins.split(","))
              .map(String::trim)
              .filter(s -> !s.isEmpty())
              .collect(Collectors.toCollection(LinkedHashSet::new));
      if (set.isEmpty()) {
        throw invalid(CORS_ALLOWED_ORIGINS, origins, "a comma-separated list of origins");
      }
      options = options.withCorsAllowedOrigins(Set.copyOf(set));
    }
    Duration heartbeat = duration(parameter, HEARTBEAT_INTERVAL);
    if (heartbeat != null) {
      options = options.withHeartbeatInterval(heartbeat);
    }
    Duration lease = duration(parameter, LEASE_DURATION);
    if (lease != null) {
      options = options.withLeaseDuration(lease);
    }
    String uploadMax = value(parameter, UPLOAD_MAX_BYTES);
    String uploadTypes = value(parameter, UPLOAD_TYPES);
    if (uploadMax != null || uploadTypes != null) {
      try {
        options = options.withUploadPolicy(dev.eve4j.protocol.UploadPolicy.parse(uploadMax, uploadTypes));
      } catch (IllegalArgumentException e) {
        boolean badMax = uploadMax != null && !uploadMax.matches("\\d+");
        throw invalid(badMax ? UPLOAD_MAX_BYTES : UPLOAD_TYPES, badMax ? uploadMax : uploadTypes,
            badMax ? "a number of bytes" : "*, none or a comma-separated list of media types (" + e.getMessage() + ")");
      }
    }
    return options;
  }

  /**
   * The model of the demo agent: each setting of {@link Models} from the context parameter of
   * that name, else from {@code env}.
   *
   * @throws IllegalStateException naming the setting when a value is invalid
   */
  static Models.Configured model(UnaryOperator<String> parameter, Map<String, String> env) {
    try {
      return Models.fromSettings(name -> {
        String value = value(parameter, name);
        return value != null ? value : env.get(name);
      });
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("eve4j: invalid model setting: " + e.getMessage(), e);
    }
  }

  /**
   * Who may call: the {@link AuthConfig} settings ({@code EVE4J_AUTH}, {@code EVE4J_AUTH_TOKENS},
   * {@code EVE4J_JWT_*}), each from the context parameter of that name, else from {@code env}.
   *
   * @throws IllegalStateException naming the setting when it is invalid (never its value)
   */
  static Authenticator authenticator(UnaryOperator<String> parameter, Map<String, String> env) {
    java.util.Map<String, String> settings = new java.util.HashMap<>();
    for (String key : List.of("EVE4J_AUTH", "EVE4J_AUTH_TOKENS", "EVE4J_JWT_SECRET", "EVE4J_JWT_PUBLIC_KEYS",
        "EVE4J_JWT_JWKS", "EVE4J_JWT_ISSUER", "EVE4J_JWT_AUDIENCE", "EVE4J_JWT_CLOCK_SKEW")) {
      String value = value(parameter, key);
      if (value == null) {
        value = env.get(key);
      }
      if (value != null) {
        settings.put(key, value);
      }
    }
    try {
      return AuthConfig.fromSettings(settings);
    } catch (RuntimeException e) {
      throw new IllegalStateException("eve4j: invalid auth setting: " + e.getMessage(), e);
    }
  }

  /** {@link #discoverAgent(ClassLoader, String, Models.Configured)} with the scripted model. */
  static Agent discoverAgent(ClassLoader loader, String wanted) {
    return discoverAgent(loader, wanted, null);
  }

  /**
   * The agent to serve: from the {@link AgentProvider} named {@code wanted} (a class name), else
   * from the only provider visible to {@code loader}, else the demo agent on {@code model} (the
   * scripted one when null).
   */
  static Agent discoverAgent(ClassLoader loader, String wanted, Models.Configured model) {
    List<ServiceLoader.Provider<AgentProvider>> found;
    try {
      found = ServiceLoader.load(AgentProvider.class, loader).stream().toList();
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException(
          "eve4j: cannot load the AgentProviders: " + e.getMessage(), e);
    }
    String names =
        found.stream().map(p -> p.type().getName()).collect(Collectors.joining(", ", "[", "]"));
    if (wanted != null && !wanted.isBlank()) {
      return found.stream()
          .filter(p -> p.type().getName().equals(wanted.trim()))
          .findFirst()
          .map(EveWarListener::create)
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "eve4j: context parameter " + AGENT + " names " + wanted.trim()
                          + ", but the AgentProviders found are " + names));
    }
    if (found.isEmpty()) {
      return model == null ? Agent.scripted() : Agent.demo(model.model());
    }
    if (found.size() > 1) {
      throw new IllegalStateException(
          "eve4j: found " + found.size() + " AgentProviders " + names
              + "; set context parameter " + AGENT + " to the class name of the one to serve");
    }
    return create(found.get(0));
  }

  private static Agent create(ServiceLoader.Provider<AgentProvider> provider) {
    String name = provider.type().getName();
    Agent agent;
    try {
      agent = provider.get().agent();
    } catch (ServiceConfigurationError | RuntimeException e) {
      throw new IllegalStateException(
          "eve4j: AgentProvider " + name + " failed: " + e.getMessage(), e);
    }
    if (agent == null) {
      throw new IllegalStateException("eve4j: AgentProvider " + name + " returned no agent");
    }
    return agent;
  }

  private static String value(UnaryOperator<String> parameter, String name) {
    String value = parameter.apply(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static Duration duration(UnaryOperator<String> parameter, String name) {
    String text = value(parameter, name);
    if (text == null) {
      return null;
    }
    Duration duration;
    try {
      duration = Duration.parse(text);
    } catch (DateTimeParseException e) {
      duration = Duration.ZERO;
    }
    if (duration.isNegative() || duration.isZero()) {
      throw invalid(name, text, "a positive ISO-8601 duration such as PT10S");
    }
    return duration;
  }

  private static IllegalStateException invalid(String name, String value, String expected) {
    return new IllegalStateException(
        "eve4j: context parameter " + name + " must be " + expected + ", was '" + value + "'");
  }
}
