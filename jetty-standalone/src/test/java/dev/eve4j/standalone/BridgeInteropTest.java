package dev.eve4j.standalone;

import dev.eve4j.EveRuntime;
import dev.eve4j.channel.ChannelBridge;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.channel.Scope;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.servlet.EveServletOptions;
import dev.eve4j.servlet.channel.ChannelServletOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bridge between eve sessions and the operator channel, end to end: the real {@code eve/client}
 * (npm {@code eve@0.80.1}, on Node 24) drives sessions of a server whose {@link ChannelBridge}
 * mirrors them into vessels, and an operator answers over the channel's HTTP API. Driven by {@code
 * src/test/js/bridge-interop.mjs}: an approval answered in the channel resumes the session, the turn
 * is mirrored as a working card, an approval answered in the session closes the channel's copy (a
 * late tap there is 409), and an open question is answered in the channel.
 */
class BridgeInteropTest {
  private static final List<String> CHECKS = List.of("approval.answered-in-channel", "approval.working-card",
      "approval.answered-in-session", "question.answered-in-channel");

  @Test
  @Timeout(value = 200, unit = TimeUnit.SECONDS)
  void anEveSessionsRequestsAreAnswerableInTheChannel() throws Exception {
    EveRuntime runtime = EveRuntime.builder().build();
    OperatorChannel channel = OperatorChannel.open(EventJournal.inMemory());
    String ws = channel.defaultWorkspace().id();
    ChannelBridge bridge = ChannelBridge.start(runtime.sessions(), channel, ws, id -> "eve-" + id);
    String key = channel.createKey(ws, "operator", Scope.all()).secret();
    EveServer.Faces faces = EveServer.Faces.of(EveServletOptions.defaults())
        .withChannel(channel, ChannelServletOptions.defaults(), bridge);
    try (EveServer server = EveServer.start(runtime, faces, "127.0.0.1", 0)) {
      NodeDriver.run("bridge-interop.mjs", List.of(server.uri().toString(), key), List.of("eve"), CHECKS, 180);
    }
  }
}
