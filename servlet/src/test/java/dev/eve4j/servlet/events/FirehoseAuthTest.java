package dev.eve4j.servlet.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eve4j.auth.Authenticator;
import dev.eve4j.auth.Principal;
import dev.eve4j.servlet.EventsServletOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The firehose behind the shared auth layer: 401, 403 ({@code chat.read}), and conversations private to their owner. */
@Timeout(60)
class FirehoseAuthTest {
  private static final String ALICE = "alice-token-0123456789";
  private static final String BOB = "bob-token-0123456789";
  private static final String NO_CHAT = "nochat-token-0123456789";
  private static final String ADMIN = "admin-token-0123456789";
  private static FirehoseServer server;

  @BeforeAll
  static void start() {
    Set<String> user = Set.of("sessions.read", "sessions.write", "chat.read");
    server = FirehoseServer.start(EventsServletOptions.defaults().withAuthenticator(Authenticator.staticTokens(Map.of(
        ALICE, new Principal("alice", user),
        BOB, new Principal("bob", user),
        NO_CHAT, new Principal("carol", Set.of("sessions.read", "sessions.write")),
        ADMIN, new Principal("ops", Set.of("chat.read", "eve4j.admin"))))));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String[] bearer(String token) {
    return new String[] {"Authorization", "Bearer " + token};
  }

  @Test
  void withoutValidCredentialsIs401AsOnTheEveRoutes() throws Exception {
    for (Sse resp : List.of(server.firehose(""), server.firehose("conversationKey=wrun_x"),
        server.firehose("", bearer("wrong-token")))) {
      assertEquals(401, resp.status);
      assertEquals("{\"code\":\"unauthorized\",\"error\":\"Authorization is required for this route.\",\"ok\":false}",
          resp.body);
      assertEquals("Bearer", resp.headers.get("www-authenticate"));
      assertEquals("no-store", resp.headers.get("cache-control"));
    }
    assertEquals(0, server.events().openConnections());
  }

  @Test
  void withoutChatReadIs403() throws Exception {
    Sse resp = server.firehose("", bearer(NO_CHAT));
    assertEquals(403, resp.status);
    assertEquals("{\"code\":\"forbidden\",\"error\":\"Forbidden.\",\"ok\":false}", resp.body);
    assertEquals(0, server.events().openConnections());
  }

  @Test
  void anotherPrincipalsConversationIsNotFoundAndNeverInTheAllConversationsFeed() throws Exception {
    String alices = server.prewarm(ALICE);
    String bobs = server.prewarm(BOB);
    Sse stranger = server.firehose("conversationKey=" + alices, bearer(BOB));
    assertEquals(404, stranger.status, "bob cannot follow alice's conversation");
    Sse unknown = server.firehose("conversationKey=wrun_nope", bearer(BOB));
    assertEquals(404, unknown.status);
    assertEquals(stranger.body, unknown.body, "indistinguishable from a conversation that does not exist");

    try (Sse aliceAll = server.firehose("", bearer(ALICE));
        Sse adminAll = server.firehose("", bearer(ADMIN));
        Sse bobOwn = server.firehose("conversationKey=" + bobs, bearer(BOB))) {
      server.send(bobs, "{\"message\":\"bob speaking\"}", BOB);
      bobOwn.eventsUntil("message_complete");
      server.send(alices, "{\"message\":\"alice speaking\"}", ALICE);
      // Events reach every feed in one global order: had bob's turn leaked into alice's feed, it
      // would be there before her own message_complete.
      List<Sse.Frame> seenByAlice = aliceAll.eventsUntil("message_complete");
      assertEquals(Set.of(alices), seenByAlice.stream().map(Sse.Frame::conversationKey).collect(Collectors.toSet()));

      List<Sse.Frame> seenByAdmin = adminAll.eventsUntil("message_complete");
      assertEquals(bobs, seenByAdmin.get(seenByAdmin.size() - 1).conversationKey());
      seenByAdmin = adminAll.eventsUntil("message_complete");
      assertEquals(alices, seenByAdmin.get(seenByAdmin.size() - 1).conversationKey(), "the admin scope sees all");
    }
  }

  @Test
  void anEmptyConversationKeyIs400() throws Exception {
    Sse resp = server.firehose("conversationKey=", bearer(ALICE));
    assertEquals(400, resp.status);
    assertTrue(resp.body.contains("conversationKey"), resp.body);
  }
}
