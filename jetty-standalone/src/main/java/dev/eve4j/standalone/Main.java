package dev.eve4j.standalone;

import dev.eve4j.EveRuntime;
import dev.eve4j.agent.Agent;
import dev.eve4j.auth.AuthConfig;
import dev.eve4j.auth.Authenticator;
import dev.eve4j.model.Models;
import dev.eve4j.channel.ChannelBridge;
import dev.eve4j.channel.ChannelOptions;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.channel.cli.KeysCommand;
import dev.eve4j.channel.cli.ValidateCommand;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.protocol.UploadPolicy;
import dev.eve4j.servlet.EveServletOptions;
import dev.eve4j.servlet.EventsServletOptions;
import dev.eve4j.servlet.channel.ChannelServletOptions;
import dev.eve4j.servlet.gateway.GatewayOptions;
import dev.eve4j.servlet.legacy.LegacyOptions;
import java.util.Map;

/**
 * Entry point of {@code eve4j-standalone.jar}: serves the demo agent (tools {@code lookup},
 * {@code deploy}, {@code ask_question}) on embedded Jetty, on the model the environment chooses.
 *
 * <pre>
 * java -jar eve4j-standalone.jar [--host HOST] [--port PORT]
 * java -jar eve4j-standalone.jar validate [payload.json | --message … --vessel …]
 * java -jar eve4j-standalone.jar keys …      (operator-channel API keys; the server must be stopped)
 * </pre>
 *
 * <p>Data: sessions and the operator channel live in {@code EVE4J_DATA_DIR} (default
 * {@code ./eve4j-data}) and survive restarts; see {@link Storage}. Faces: {@code /eve/v1} (current
 * eve clients), {@code /legacy/eve/v1} (seed-era clients; {@code EVE4J_LEGACY_PREFIX}),
 * {@code /v1/events} (the firehose), {@code /api/v1} (the operator channel), {@code /console/} (its
 * operator console) and {@code /models},
 * {@code /chat} (the LLM gateway; {@code DEFAULT_MODEL}).
 *
 * <p>{@code HOST} (default {@code 127.0.0.1}) and {@code PORT} (default {@code 3000}, {@code 0} for
 * any free port) come from the environment; the arguments override them. The model comes from
 * {@code EVE4J_MODEL} ({@code openai:<model>}, {@code anthropic:<model>}, default the offline
 * {@code scripted} model) and the provider variables ({@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL},
 * {@code ANTHROPIC_API_KEY}, {@code ANTHROPIC_BASE_URL}, …; see {@link Models}); a provider without
 * its key falls back to the scripted model. It prints {@code eve4j model: <which>} (never a key),
 * then, once listening, {@code eve4j listening on http://HOST:PORT/eve/v1} to stdout. SIGTERM or
 * Ctrl-C stops Jetty gracefully (see {@link EveServer#close()}) and prints {@code eve4j stopped}.
 *
 * <p>Exit codes: {@code 2} for invalid arguments or environment (one line on stderr), {@code 1}
 * when the server cannot listen. Not meant to be called twice in one JVM.
 */
public final class Main {

  static final String DEFAULT_HOST = "127.0.0.1";
  static final int DEFAULT_PORT = 3000;
  static final String USAGE =
      "usage: java -jar eve4j-standalone.jar [--host HOST] [--port PORT]"
          + " (env HOST, PORT; defaults 127.0.0.1, 3000; model: EVE4J_MODEL=openai:<model>|anthropic:<model>"
          + " with OPENAI_API_KEY/OPENAI_BASE_URL or ANTHROPIC_API_KEY/ANTHROPIC_BASE_URL)";

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("validate")) {
      // Checks operator-channel payloads offline: exit 0 valid, 1 errors listed, 2 usage.
      System.exit(ValidateCommand.run(args, System.in, System.out, System.err));
      return;
    }
    if (args.length > 0 && args[0].equals("keys")) {
      String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
      boolean hasDir = java.util.Arrays.asList(rest).contains("--dir");
      if (!hasDir) {
        Storage storage = Storage.fromEnvironment(System.getenv());
        String[] withDir = java.util.Arrays.copyOf(rest, rest.length + 2);
        withDir[rest.length] = "--dir";
        withDir[rest.length + 1] = storage.dataDir().resolve("channel").toString();
        rest = withDir;
      }
      System.exit(KeysCommand.run(rest, System.in, System.out, System.err));
      return;
    }
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println(USAGE);
        return;
      }
    }
    Settings settings;
    Models.Configured model;
    Authenticator auth;
    Storage storage;
    String legacyPrefix;
    EventsServletOptions firehose;
    String vessel;
    UploadPolicy uploads;
    try {
      settings = Settings.parse(args, System.getenv());
      model = Models.fromSettings(System.getenv());
      auth = AuthConfig.fromSettings(System.getenv());
      storage = Storage.fromEnvironment(System.getenv());
      legacyPrefix = legacyPrefix(System.getenv());
      firehose = EventsServletOptions.fromSettings(System::getenv, auth);
      vessel = System.getenv().getOrDefault("EVE4J_BRIDGE_VESSEL", "eve-{sessionId}").trim();
      // eve's uploadPolicy: EVE4J_UPLOAD_MAX_BYTES (default 25 MiB), EVE4J_UPLOAD_TYPES (* | none | a,b/*)
      try {
        uploads = UploadPolicy.parse(System.getenv("EVE4J_UPLOAD_MAX_BYTES"), System.getenv("EVE4J_UPLOAD_TYPES"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("EVE4J_UPLOAD_MAX_BYTES / EVE4J_UPLOAD_TYPES: " + e.getMessage());
      }
      if (!vessel.contains("{sessionId}")) {
        throw new IllegalArgumentException("EVE4J_BRIDGE_VESSEL must contain {sessionId} (one vessel per session)");
      }
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      System.err.println("eve4j: " + e.getMessage() + "; " + USAGE);
      System.exit(2);
      return;
    }
    System.out.println("eve4j model: " + model.description());
    String mode = System.getenv().getOrDefault("EVE4J_AUTH", "none");
    System.out.println("eve4j auth: " + (mode.isBlank() ? "none" : mode.trim()));
    if (!auth.enabled() && !isLoopback(settings.host())) {
      // Anyone who can reach the port can then drive the agent and read every session.
      System.err.println("eve4j: warning: no authentication (EVE4J_AUTH=none) while listening on "
          + settings.host() + ", which is not a loopback address");
    }

    EventJournal journal;
    EventJournal channelJournal;
    try {
      journal = storage.open("journal");
      channelJournal = storage.open("channel");
    } catch (RuntimeException e) {
      System.err.println("eve4j: cannot open the data directory " + storage.dataDir() + ": " + reason(e));
      System.exit(1);
      return;
    }
    System.out.println("eve4j data: " + storage.describe());
    EveRuntime runtime = EveRuntime.builder().agent(Agent.demo(model.model())).journal(journal)
        .retention(storage.retention(), java.time.Duration.ofMinutes(1)).build();
    // inbound files wait for the agent in <data dir>/channel-files (a temp directory when in memory)
    OperatorChannel channel = OperatorChannel.open(channelJournal, storage.memory() ? ChannelOptions.defaults()
        : ChannelOptions.defaults().withFilesDir(storage.dataDir().resolve("channel-files")));
    // EVE4J_BRIDGE=on: every approval or question of a session is also asked in its vessel of the
    // default workspace (EVE4J_BRIDGE_VESSEL, default eve-{sessionId}), and whichever side answers
    // first resumes it. One vessel per session: a vessel has one live interaction at a time.
    ChannelBridge bridge = "on".equalsIgnoreCase(System.getenv().getOrDefault("EVE4J_BRIDGE", "off").trim())
        ? ChannelBridge.start(runtime.sessions(), channel, channel.defaultWorkspace().id(),
            id -> vessel.replace("{sessionId}", id))
        : null;
    AutoCloseable channelStore = () -> {
      if (bridge != null) {
        bridge.close();
      }
      channel.close(); // stops the file sweeper before its journal closes
      channelJournal.close();
    };
    EveServletOptions eve = EveServletOptions.defaults().withAuthenticator(auth).withUploadPolicy(uploads);
    EveServer.Faces faces = EveServer.Faces.of(eve).withEvents(firehose)
        .withLegacy(legacyPrefix, LegacyOptions.defaults().withAuthenticator(auth))
        .withChannel(channel, ChannelServletOptions.defaults().withAdminAuthenticator(auth), channelStore)
        .withGateway(GatewayOptions.defaults().withAuthenticator(auth).withDefaultModel(System.getenv("DEFAULT_MODEL")));
    EveServer server;
    try {
      server = EveServer.start(runtime, faces, settings.host(), settings.port());
    } catch (Exception e) {
      runtime.close();
      try {
        channelStore.close();
      } catch (Exception ignored) {
        // nothing was served; the start failure is what matters
      }
      System.err.println(
          "eve4j: cannot listen on " + settings.host() + ":" + settings.port() + ": " + reason(e));
      System.exit(1);
      return;
    }
    // Registered before the "listening" line so that a supervisor reacting to it with SIGTERM
    // always gets the graceful path.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server), "eve4j-shutdown"));
    System.out.println("eve4j listening on " + server.uri() + "eve/v1"
        + (legacyPrefix == null ? "" : " (legacy clients: " + server.uri() + legacyPrefix.substring(1) + ")")
        + ", firehose " + server.uri() + "v1/events, operator channel " + server.uri() + "api/v1, gateway "
        + server.uri() + "chat, operator console " + server.uri() + "console/");
    System.out.flush();
    // Jetty's threads are not daemons: the JVM keeps serving after main returns.
  }

  /** {@code EVE4J_LEGACY_PREFIX}: where legacy clients are served (default {@code /legacy}; {@code off}: nowhere). */
  static String legacyPrefix(Map<String, String> env) {
    String p = env.getOrDefault("EVE4J_LEGACY_PREFIX", LegacyOptions.DEFAULT_PREFIX).trim();
    if (p.equalsIgnoreCase("off")) {
      return null;
    }
    if (p.isEmpty() || p.equals("/")) {
      throw new IllegalArgumentException("EVE4J_LEGACY_PREFIX must be a path such as /legacy, or off");
    }
    LegacyOptions.servletMapping(p);
    return p;
  }

  static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static void stop(EveServer server) {
    try {
      server.close();
      System.out.println("eve4j stopped");
    } catch (RuntimeException e) {
      // A shutdown hook has no caller to report to; one line beats a stack trace in the logs.
      System.err.println("eve4j: " + reason(e));
    }
  }

  /** The message chain of {@code e}, e.g. "Failed to bind to /127.0.0.1:3000: Address in use". */
  private static String reason(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null && text.length() < 300; t = t.getCause()) {
      String message = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
      if (text.indexOf(message) < 0) {
        text.append(text.length() == 0 ? "" : ": ").append(message);
      }
    }
    return text.toString().replace('\n', ' ');
  }

  /** Where to listen; arguments win over the environment, which wins over the defaults. */
  record Settings(String host, int port) {

    /**
     * @throws IllegalArgumentException with a one-line message naming the bad value and its source
     */
    static Settings parse(String[] args, Map<String, String> env) {
      String host = null;
      String hostSource = null;
      String port = null;
      String portSource = null;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        String value;
        if (!name.equals("--host") && !name.equals("--port")) {
          throw new IllegalArgumentException("unknown argument '" + arg + "'");
        } else if (arg.contains("=")) {
          value = arg.substring(arg.indexOf('=') + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new IllegalArgumentException(name + " needs a value");
        }
        if (name.equals("--host")) {
          host = value;
          hostSource = "--host";
        } else {
          port = value;
          portSource = "--port";
        }
      }
      if (host == null && !isEmpty(env.get("HOST"))) {
        host = env.get("HOST");
        hostSource = "HOST";
      }
      if (port == null && !isEmpty(env.get("PORT"))) {
        port = env.get("PORT");
        portSource = "PORT";
      }
      return new Settings(
          host == null ? DEFAULT_HOST : checkHost(host, hostSource),
          port == null ? DEFAULT_PORT : parsePort(port, portSource));
    }

    private static boolean isEmpty(String s) {
      return s == null || s.isEmpty();
    }

    private static String checkHost(String host, String source) {
      if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException(
            "invalid host '" + host + "' from " + source + ": expected a host name or IP address");
      }
      return host;
    }

    private static int parsePort(String text, String source) {
      int port;
      try {
        port = Integer.parseInt(text.trim());
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "invalid port '" + text + "' from " + source + ": expected an integer in 0..65535");
      }
      return port;
    }
  }
}
