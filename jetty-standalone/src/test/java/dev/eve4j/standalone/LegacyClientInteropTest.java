package dev.eve4j.standalone;

import static org.junit.jupiter.api.Assertions.fail;

import dev.eve4j.EveRuntime;
import dev.eve4j.servlet.EveServlet;
import dev.eve4j.servlet.legacy.LegacyEveServlet;
import dev.eve4j.servlet.legacy.LegacyOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the real legacy TypeScript clients {@code eve/client} (npm {@code eve@0.25.3} and
 * {@code eve@0.18.2}: continuation tokens, stream version 16) against an embedded Jetty that serves
 * one runtime twice: the current protocol ({@link EveServlet}) at {@code /eve/v1/*} and the legacy
 * profile ({@link LegacyEveServlet}) at {@code /legacy/eve/v1/*}.
 *
 * <p>The Maven build copies {@code src/test/js-legacy} to {@code target/eve-legacy-interop} and runs
 * {@code npm install} there from the committed lockfile; the clients run on the Node 24 that the
 * build installs for {@link EveClientInteropTest} (every legacy release declares Node 24). The
 * driver {@code legacy-interop.mjs} prints one JSON line per check and exits non-zero if any
 * failed. Missing Node or packages fail the test: it never skips.
 */
class LegacyClientInteropTest {

  private static final List<String> VERSIONS = List.of("0.25.3", "0.18.2");

  /** Every check legacy-interop.mjs reports per client version, in order. */
  private static final List<String> CHECKS = List.of(
      "health",
      "info",
      "send.iterate",
      "send.follow-up",
      "journal.shared",
      "approval.park",
      "approval.approve",
      "output-schema",
      "stream.replay",
      "stream.restore",
      "stream.tail",
      "errors.stale-token",
      "errors.unknown-session",
      "errors.turn-active",
      "errors.terminal",
      "reconnect.resume",
      "reconnect.exhausted");

  /** legacy-interop.mjs has its own 75 s watchdog; this is the backstop if Node itself hangs. */
  private static final long PROCESS_TIMEOUT_SECONDS = 85;


  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void realLegacyClientsWorkAgainstTheLegacyMount() throws Exception {
    EveRuntime runtime = EveRuntime.builder().build();
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServletHolder current = new ServletHolder("eve", new EveServlet(runtime));
    current.setAsyncSupported(true);
    context.addServlet(current, "/eve/v1/*");
    ServletHolder legacy = new ServletHolder("eve-legacy", new LegacyEveServlet(runtime));
    legacy.setAsyncSupported(true);
    context.addServlet(legacy, LegacyOptions.servletMapping(LegacyOptions.DEFAULT_PREFIX));
    jetty.setHandler(context);
    jetty.setStopTimeout(0);
    try {
      jetty.start();
      String baseUrl = "http://127.0.0.1:" + connector.getLocalPort() + "/";
      NodeDriver.run(legacyDir(), "legacy-interop.mjs", List.of(baseUrl),
          VERSIONS.stream().map(v -> "eve-" + v).toList(),
          VERSIONS.stream().flatMap(v -> CHECKS.stream().map(c -> v + ":" + c)).toList(), PROCESS_TIMEOUT_SECONDS);
    } finally {
      try {
        jetty.stop();
      } finally {
        runtime.close();
      }
    }
  }

  private static Path legacyDir() {
    String value = System.getProperty("eve4j.legacyInteropDir");
    if (value == null || value.isBlank()) {
      fail("System property eve4j.legacyInteropDir is not set (jetty-standalone/pom.xml sets it to"
          + " target/eve-legacy-interop). Run the test through Maven: mvn -B verify -pl jetty-standalone -am");
    }
    return Path.of(value).toAbsolutePath();
  }
}
