package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eve4j.auth.Authenticator;
import dev.eve4j.auth.Principal;
import dev.eve4j.servlet.EveServletOptions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The auth layer on the eve routes: 401, 403, public health, and sessions private to their creator. */
class AuthContractTest {
  private static final String ALICE = "alice-token-0123456789";
  private static final String BOB = "bob-token-0123456789";
  private static final String READER = "reader-token-0123456789";
  private static final String ADMIN = "admin-token-0123456789";
  private static EveTestServer server;
  private static EveClient client;

  @BeforeAll
  static void start() {
    Set<String> rw = Set.of("sessions.read", "sessions.write");
    server = EveTestServer.start(EveServletOptions.defaults().withAuthenticator(Authenticator.staticTokens(Map.of(
        ALICE, new Principal("alice", rw),
        BOB, new Principal("bob", rw),
        READER, new Principal("reader", Set.of("sessions.read")),
        ADMIN, new Principal("ops", Set.of("sessions.read", "sessions.write", "eve4j.admin"))))));
    client = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static EveClient.Response send(String method, String path, String body, String token) {
    return token == null
        ? client.sendAbsolute(method, path, body, "content-type", "application/json")
        : client.sendAbsolute(method, path, body, "content-type", "application/json", "authorization",
            "Bearer " + token);
  }

  @Test
  void healthStaysPublicAndEverythingElseNeedsCredentials() {
    assertEquals(200, send("GET", "/eve/v1/health", null, null).status());
    for (String[] r : new String[][] {{"GET", "/eve/v1/info"}, {"POST", "/eve/v1/session"},
        {"GET", "/eve/v1/session/wrun_x/stream"}, {"POST", "/eve/v1/session/wrun_x/cancel"}}) {
      EveClient.Response resp = send(r[0], r[1], r[0].equals("POST") ? "{}" : null, null);
      assertEquals(401, resp.status(), resp.toString());
      assertEquals("{\"code\":\"unauthorized\",\"error\":\"Authorization is required for this route.\",\"ok\":false}",
          resp.body());
      assertEquals(Optional.of("Bearer"), resp.header("www-authenticate"));
      assertEquals(Optional.of("no-store"), resp.header("cache-control"));
    }
    assertEquals(401, send("GET", "/eve/v1/info", null, "wrong-token").status());
  }

  @Test
  void aMissingScopeIs403AndChangesNothing() {
    EveClient.Response resp = send("POST", "/eve/v1/session", "{\"message\":\"hi\"}", READER);
    assertEquals(403, resp.status());
    assertEquals("{\"code\":\"forbidden\",\"error\":\"Forbidden.\",\"ok\":false}", resp.body());
    assertEquals(200, send("GET", "/eve/v1/info", null, READER).status());
  }

  @Test
  void sessionsArePrivateToTheirCreatorUnlessAdmin() {
    EveClient.Response created = send("POST", "/eve/v1/session", "{\"message\":\"private\"}", ALICE);
    assertEquals(202, created.status());
    String id = created.json().get("sessionId").getAsString();
    String stream = "/eve/v1/session/" + id + "/stream?follow=false";
    waitForWaiting(id);
    assertEquals(200, send("GET", stream, null, ALICE).status());
    EveClient.Response bobRead = send("GET", stream, null, BOB);
    assertEquals(404, bobRead.status(), "another principal does not see the session");
    EveClient.Response bobPost = send("POST", "/eve/v1/session/" + id, "{\"message\":\"hijack\"}", BOB);
    assertEquals(409, bobPost.status());
    assertEquals("session_not_active", bobPost.json().get("code").getAsString());
    EveClient.Response bobReset = send("POST", "/eve/v1/session/" + id + "/reset", null, BOB);
    assertEquals("no_active_session", bobReset.json().get("status").getAsString());
    EveClient.Response adminRead = send("GET", stream, null, ADMIN);
    assertEquals(200, adminRead.status());
    assertTrue(adminRead.body().contains("\"session.waiting\""));
    assertTrue(!adminRead.body().contains("hijack"), "bob's message never reached the session");
  }

  /** Waits in-process (the HTTP reads above are the assertions) until the turn reached session.waiting. */
  private static void waitForWaiting(String id) {
    dev.eve4j.journal.JournalCursor c = server.runtime().sessions().cursor(id, 0);
    java.util.concurrent.Semaphore wake = new java.util.concurrent.Semaphore(0);
    try {
      while (true) {
        byte[] line = c.poll();
        if (line == null) {
          c.awaitNext(wake::release);
          if (!wake.tryAcquire(EveClient.TURN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
            throw new AssertionError("the turn never reached session.waiting");
          }
        } else if (new String(line, java.nio.charset.StandardCharsets.UTF_8).contains("\"session.waiting\"")) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      c.close();
    }
  }
}
