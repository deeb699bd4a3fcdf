package dev.eve4j.standalone;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonParser;
import dev.eve4j.EveRuntime;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.channel.Scope;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.servlet.EveServletOptions;
import dev.eve4j.servlet.channel.ChannelServletOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The operator console end to end in a real browser: headless Chromium (Debian's {@code chromium},
 * installed by the build with {@code src/test/install-chromium.sh}) driven by {@code playwright-core}
 * ({@code src/test/js-console}, npm-installed into {@code target/console-browser}) on the Node 24 of
 * {@code target/eve-interop}, against the standalone server started here with an operator channel.
 *
 * <p>The driver signs in with a channel key, then, as the agent, pushes an approval into the open
 * vessel (the page shows it live), clicks it and reads the response from {@code /poll}; the same for
 * a {@code questions} form and an edit-then-approve with a card editable and {@code {{id}}} tokens;
 * answers the other interaction types and a reject with its reason, sees an expired interaction
 * greyed out, presses Stop, replies through a suggestion chip, attaches a file (the agent downloads
 * it through its signed link and resolves it; the page shows the permanent link), opens a typed vessel, and uses the
 * list (label filter, search, unread counts, pinned first, archived hidden, the details panel);
 * checks that a message carrying {@code <script>} renders as text; saves a screenshot of the vessel
 * view to {@code target/console-screenshots/vessel.png}; checks the phone layout (one pane at a time,
 * nothing wider than the screen; {@code vessel-phone.png}); signs out and in with a key of another
 * workspace (nothing of the first carries over); and fails on any page error (a CSP
 * violation included). Nothing is skipped: a missing Node, driver or Chromium fails the test.
 */
class ConsoleBrowserTest {
  private static final List<String> CHECKS = List.of("sign-in", "approval-live-click-poll", "questions-form",
      "edit-then-approve", "reject-with-reason", "choice-checklist-text-input", "expired-greyed-out",
      "stop-working-message", "reply-with-suggestion", "attach-file", "new-vessel-with-type", "list-filters-unread-details", "load-earlier-messages",
      "markdown-rules", "token-stream-and-receipts",
      "script-renders-as-text", "vessel-view-screenshot", "phone-layout", "sign-out-then-another-workspace", "no-page-errors");

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void anOperatorAnswersInteractionsLiveInHeadlessChromium() throws Exception {
    Path consoleDir = dir("eve4j.consoleDir");
    Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    if (!Files.isRegularFile(chromium) || !Files.isExecutable(chromium)) {
      fail("Missing Debian's chromium: " + chromium + ". The jetty-standalone build installs it in phase"
          + " process-test-resources (src/test/install-chromium.sh, apt-get). Run: mvn -B verify -pl jetty-standalone -am");
    }
    Path shot = dir("eve4j.consoleScreenshots").resolve("vessel.png");
    Files.deleteIfExists(shot);

    OperatorChannel channel = OperatorChannel.open(EventJournal.inMemory());
    String workspace = channel.defaultWorkspace().id();
    String key = channel.createKey(workspace, "operator", EnumSet.of(Scope.READ, Scope.PUSH)).secret();
    String other = channel.createWorkspace("Other team").id();
    String otherKey = channel.createKey(other, "operator", EnumSet.of(Scope.READ, Scope.PUSH)).secret();
    channel.updateWorkspace(workspace, JsonParser.parseString(
        "{\"userVesselsEnabled\":true,\"vesselTypes\":[\"support\",\"booking\"]}"));
    EveServer.Faces faces = EveServer.Faces.of(EveServletOptions.defaults())
        .withChannel(channel, ChannelServletOptions.defaults(), channel);
    try (EveServer server = EveServer.start(EveRuntime.builder().build(), faces, "127.0.0.1", 0)) {
      NodeDriver.run(consoleDir, "console-browser.mjs", List.of(),
          Map.of("CONSOLE_BASE_URL", server.uri().toString(), "CONSOLE_KEY", key, "CONSOLE_KEY2", otherKey,
              "CONSOLE_SCREENSHOT", shot.toString(), "CHROMIUM", chromium.toString()),
          List.of("playwright-core"), CHECKS, 200);
    }
    assertTrue(Files.size(shot) > 10_000, "the screenshot " + shot + " is saved");
  }

  private static Path dir(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      fail("System property " + property + " is not set: the surefire configuration in jetty-standalone/pom.xml"
          + " sets it. Run the test through Maven: mvn -B verify -pl jetty-standalone -am");
    }
    return Path.of(value).toAbsolutePath();
  }
}
