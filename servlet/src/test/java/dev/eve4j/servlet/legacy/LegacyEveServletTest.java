package dev.eve4j.servlet.legacy;

import static dev.eve4j.servlet.legacy.LegacyTestServer.data;
import static dev.eve4j.servlet.legacy.LegacyTestServer.str;
import static dev.eve4j.servlet.legacy.LegacyTestServer.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.servlet.legacy.LegacyTestServer.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The legacy profile on a real Jetty, next to the current protocol on the same runtime: routes,
 * status codes, headers and error bodies of seed 004, one legacy line per canonical event, tokens,
 * and the stream's end only at a turn boundary.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LegacyEveServletTest {
  private static final Pattern TOKEN = Pattern.compile("^eve:\\d+\\.[A-Za-z0-9_-]{22}$");
  private static LegacyTestServer server;

  @BeforeAll
  static void start() {
    server = LegacyTestServer.start(LegacyOptions.defaults());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void healthAndInfoAreTheLegacyShapes() {
    Response health = server.get(server.legacy("/health"));
    assertEquals(200, health.status());
    assertEquals("{\"ok\":true,\"status\":\"ready\",\"workflowId\":\"wf_compat\"}", health.body());

    Response info = server.get(server.legacy("/info"));
    assertEquals(200, info.status());
    JsonObject o = info.json();
    assertEquals(1, o.get("version").getAsInt());
    assertEquals("eve-agent-info", str(o, "kind"));
    assertEquals("eve4j/scripted", str(o.getAsJsonObject("agent").getAsJsonObject("model"), "id"));
    assertTrue(o.getAsJsonObject("instructions").get("static").isJsonNull(), "instructions.static is null");
    assertTrue(o.get("sandbox").isJsonNull());
    JsonObject deploy = null;
    for (JsonElement t : o.getAsJsonObject("tools").getAsJsonArray("available")) {
      if ("deploy".equals(str(t.getAsJsonObject(), "name"))) {
        deploy = t.getAsJsonObject();
      }
    }
    assertNotNull(deploy, "deploy is listed in tools.available: " + o);
    assertTrue(deploy.get("requiresApproval").getAsBoolean());
    assertEquals("authored", str(deploy, "origin"));

    // The current protocol keeps its own /info (v5) on the same server.
    assertEquals(5, server.get(server.current("/info")).json().get("version").getAsInt());
  }

  @Test
  void createStreamsOneLegacyLinePerCanonicalEvent() {
    JsonObject created = server.create("hello there");
    assertTrue(created.get("ok").getAsBoolean());
    String id = str(created, "sessionId");
    assertTrue(TOKEN.matcher(str(created, "continuationToken")).matches(), created::toString);

    Response stream = server.legacyStream(id, 0);
    assertEquals("application/x-ndjson; charset=utf-8", stream.header("content-type"));
    assertEquals("ndjson", stream.header("x-eve-stream-format"));
    assertEquals("16", stream.header("x-eve-stream-version"));
    assertEquals(id, stream.header("x-eve-session-id"));
    List<JsonObject> legacy = stream.events();
    List<JsonObject> canonical = server.canonical(id);
    assertEquals(canonical.size(), legacy.size(), () -> "one line per event:\n" + legacy + "\n" + canonical);
    for (int i = 0; i < legacy.size(); i++) {
      assertEquals(canonical.get(i).getAsJsonObject("meta").get("id"), legacy.get(i).getAsJsonObject("meta").get("id"),
          "line " + i + " is canonical event " + i);
    }
    assertEquals("session.started", type(legacy.get(0)));
    JsonObject last = legacy.get(legacy.size() - 1);
    assertEquals("session.waiting", type(last));
    assertEquals("next-user-message", str(data(last), "wait"));
    assertEquals("eve:" + (legacy.size() - 1) + ".", str(data(last), "continuationToken").replaceAll("\\..*", "."));

    String soFar = "";
    String completed = null;
    for (JsonObject e : legacy) {
      if (type(e).equals("message.appended")) {
        soFar += str(data(e), "messageDelta");
        assertEquals(soFar, str(data(e), "messageSoFar"));
      } else if (type(e).equals("message.completed")) {
        completed = str(data(e), "message");
      } else if (type(e).equals("step.started")) {
        soFar = "";
      }
    }
    assertEquals("Echo: hello there", completed);
    assertEquals(completed, soFar);
  }

  @Test
  void everyStartIndexServesTheSameLines() {
    String id = str(server.create("tool: weather"), "sessionId");
    List<String> full = server.legacyStream(id, 0).lines();
    assertTrue(full.size() > 20, () -> "a two-step turn: " + full);
    for (int n = 0; n <= full.size(); n++) {
      List<String> part = server.legacyStream(id, n).lines();
      assertEquals(full.subList(n, full.size()), part, "startIndex=" + n);
    }
    assertEquals(full.subList(full.size() - 1, full.size()), server.legacyStream(id, -1).lines());
    assertEquals(full.subList(full.size() - 3, full.size()), server.legacyStream(id, -3).lines());
    assertEquals(full, server.legacyStream(id, -10_000).lines());
  }

  @Test
  void approvalParksWithSessionWaitingAndInputResponsesResumeTheTurn() {
    String id = str(server.create("approve: production"), "sessionId");
    List<JsonObject> first = server.legacyStream(id, 0).events();
    List<JsonObject> canonical = server.canonical(id);
    assertEquals(canonical.size(), first.size());
    JsonObject park = first.get(first.size() - 1);
    assertEquals("turn.waiting", type(canonical.get(canonical.size() - 1)));
    assertEquals("input", str(data(canonical.get(canonical.size() - 1)), "on"));
    assertEquals("session.waiting", type(park), "the park is a legacy boundary");
    assertTrue(first.stream().noneMatch(e -> type(e).equals("turn.waiting")));
    JsonObject requested = first.get(first.size() - 2);
    assertEquals("input.requested", type(requested));
    JsonObject request = data(requested).getAsJsonArray("requests").get(0).getAsJsonObject();
    assertFalse(request.has("kind"), "v16 InputRequest has no kind: " + request);
    assertFalse(data(requested).has("callId"));
    assertEquals("deploy", str(request.getAsJsonObject("action"), "toolName"));

    JsonObject answer = answer(str(request, "requestId"), "approve", str(data(park), "continuationToken"));
    Response resumed = server.post(server.legacy("/session/" + id), answer.toString());
    assertEquals(200, resumed.status(), resumed::toString);
    assertEquals(id, str(resumed.json(), "sessionId"));
    assertEquals(id, resumed.header("x-eve-session-id"));
    String next = str(resumed.json(), "continuationToken");
    assertTrue(next.startsWith("eve:" + first.size() + "."), next);

    List<JsonObject> rest = server.legacyStream(id, first.size()).events();
    assertEquals("session.waiting", type(rest.get(rest.size() - 1)));
    assertTrue(rest.stream().anyMatch(e -> type(e).equals("action.result")
        && data(e).getAsJsonObject("result").getAsJsonObject("output").get("deployed").getAsString()
            .equals("production")), rest::toString);
    assertEquals("Tool results: deploy -> {\"deployed\":\"production\"}", finalMessage(rest));

    // The token from the follow-up response (what eve/client <= 0.24.3 keep) and the one from
    // session.waiting (0.24.4+) are both current now; the park's token is not.
    String waitingToken = str(data(rest.get(rest.size() - 1)), "continuationToken");
    assertEquals(409, server.post(server.legacy("/session/" + id), message("again", str(data(park),
        "continuationToken")).toString()).status());
    Response followUp = server.post(server.legacy("/session/" + id), message("thanks", next).toString());
    assertEquals(200, followUp.status(), followUp::toString);
    List<JsonObject> third = server.legacyStream(id, first.size() + rest.size()).events();
    assertEquals("Echo: thanks", finalMessage(third));
    assertEquals(409, server.post(server.legacy("/session/" + id), message("stale", waitingToken).toString())
        .status());
  }

  @Test
  void aQuestionParksLikeAnApprovalAndIsAnsweredWithAnOption() {
    String id = str(server.create("ask: Which color?"), "sessionId");
    List<JsonObject> asked = server.legacyStream(id, 0).events();
    JsonObject park = asked.get(asked.size() - 1);
    assertEquals("session.waiting", type(park));
    // The tool waits on its question first: turn.waiting{on:"tasks"} has no v16 counterpart and is no
    // boundary, so it is served as stored (legacy clients pass unknown types through).
    JsonObject tasks = asked.get(asked.size() - 3);
    assertEquals("turn.waiting", type(tasks));
    assertEquals("tasks", str(data(tasks), "on"));
    JsonObject request = data(asked.get(asked.size() - 2)).getAsJsonArray("requests").get(0).getAsJsonObject();
    assertEquals("Which color?", str(request, "prompt"));

    Response message = server.post(server.legacy("/session/" + id), message("Red", str(data(park),
        "continuationToken")).toString());
    assertEquals(409, message.status(), "a parked turn takes answers, not messages: " + message);
    assertEquals("input_required", str(message.json().getAsJsonObject("error"), "code"));
    Response wrong = server.post(server.legacy("/session/" + id), answer("req_nope", "Red", str(data(park),
        "continuationToken")).toString());
    assertEquals(409, wrong.status(), wrong::toString);
    assertEquals("unknown_input_request", str(wrong.json().getAsJsonObject("error"), "code"));

    Response answered = server.post(server.legacy("/session/" + id), answer(str(request, "requestId"), "Red",
        str(data(park), "continuationToken")).toString());
    assertEquals(200, answered.status(), answered::toString);
    List<JsonObject> rest = server.legacyStream(id, asked.size()).events();
    assertEquals("session.waiting", type(rest.get(rest.size() - 1)));
    assertTrue(finalMessage(rest).contains("{\"answer\":\"Red\",\"status\":\"answered\"}"), rest::toString);
  }

  @Test
  void followUpErrorsUseSeed004StatusesAndNestedBodies() {
    Response unknown = server.post(server.legacy("/session/wrun_nope"), message("hi", "eve:0.x").toString());
    assertEquals(404, unknown.status());
    JsonObject error = unknown.json().getAsJsonObject("error");
    assertEquals("session_not_found", str(error, "code"));
    assertTrue(str(error, "message").contains("wrun_nope"));

    JsonObject created = server.create("one");
    String id = str(created, "sessionId");
    String createToken = str(created, "continuationToken");
    List<JsonObject> turn1 = server.legacyStream(id, 0).events();

    assertStale(server.post(server.legacy("/session/" + id), "{\"message\":\"no token\"}"));
    assertStale(server.post(server.legacy("/session/" + id), message("bad", "eve:3.AAAAAAAAAAAAAAAAAAAAAA").toString()));
    String othersToken = str(server.create("other"), "continuationToken");
    assertStale(server.post(server.legacy("/session/" + id), message("other", othersToken).toString()));
    Response combined = server.post(server.legacy("/session/" + id),
        "{\"message\":\"x\",\"inputResponses\":[{\"requestId\":\"r\",\"optionId\":\"approve\"}],\"continuationToken\":\""
            + createToken + "\"}");
    assertEquals(400, combined.status(), combined::toString);
    Response notParked = server.post(server.legacy("/session/" + id),
        "{\"inputResponses\":[{\"requestId\":\"r\",\"optionId\":\"approve\"}],\"continuationToken\":\"" + createToken
            + "\"}");
    assertEquals(409, notParked.status());
    assertEquals("no_input_requested", str(notParked.json().getAsJsonObject("error"), "code"));
    assertEquals(400, server.post(server.legacy("/session/" + id), "{nope").status());
    assertEquals(400, server.post(server.legacy("/session"), "{}").status());

    // The token in an Authorization header works too (no app auth configured).
    Response bearer = server.post(server.legacy("/session/" + id), "{\"message\":\"two\"}", "Bearer " + createToken);
    assertEquals(200, bearer.status(), bearer::toString);
    server.legacyStream(id, turn1.size());
    assertStale(server.post(server.legacy("/session/" + id), message("three", createToken).toString()));

    // Ended sessions are 410, for follow-ups and streams.
    assertEquals(200, server.post(server.current("/session/" + id + "/reset"), "").status());
    Response ended = server.post(server.legacy("/session/" + id), message("late", createToken).toString());
    assertEquals(410, ended.status(), ended::toString);
    assertEquals("session_terminal", str(ended.json().getAsJsonObject("error"), "code"));
    assertEquals(410, server.get(server.legacy("/session/" + id + "/stream")).status());
  }

  @Test
  void streamQueryAndRouteErrors() {
    String id = str(server.create("hi"), "sessionId");
    for (String bad : new String[] {"abc", "1.5", "1e3", "", "--1", "99999999999999999"}) {
      Response r = server.get(server.legacy("/session/" + id + "/stream?startIndex=" + bad));
      assertEquals(400, r.status(), "startIndex=" + bad);
      assertEquals("invalid_start_index", str(r.json().getAsJsonObject("error"), "code"));
    }
    Response unknown = server.get(server.legacy("/session/wrun_nope/stream"));
    assertEquals(404, unknown.status());
    assertEquals("session_not_found", str(unknown.json().getAsJsonObject("error"), "code"));
    assertEquals(404, server.get(server.legacy("/nope")).status());
    assertEquals(405, server.post(server.legacy("/health"), "{}").status());
  }

  @Test
  void aRunningTurnRefusesFollowUpsAndItsStreamEndsOnlyAtTheBoundary() throws Exception {
    JsonObject created = server.create("slow: steady");
    String id = str(created, "sessionId");
    // Opened while the turn runs: it must follow it to its session.waiting, however long it takes.
    var pending = java.util.concurrent.CompletableFuture.supplyAsync(() -> server.legacyStream(id, 0));
    Response busy = server.post(server.legacy("/session/" + id), message("hurry", str(created, "continuationToken"))
        .toString());
    assertEquals(409, busy.status(), busy::toString);
    assertEquals("turn_active", str(busy.json().getAsJsonObject("error"), "code"));
    List<JsonObject> events = pending.get(30, TimeUnit.SECONDS).events();
    assertEquals("session.waiting", type(events.get(events.size() - 1)));
    assertEquals(40, events.stream().filter(e -> type(e).equals("message.appended")).count());

    // Cancel through the legacy route (eve/client 0.24.6+ session.cancel()).
    Response idle = server.post(server.legacy("/session/" + id + "/cancel"), "");
    assertEquals(200, idle.status());
    assertEquals("no_active_turn", str(idle.json(), "status"));
    Response slow = server.post(server.legacy("/session/" + id), message("slow: again",
        str(data(events.get(events.size() - 1)), "continuationToken")).toString());
    assertEquals(200, slow.status(), slow::toString);
    Response cancel = server.post(server.legacy("/session/" + id + "/cancel"), "{}");
    assertEquals(202, cancel.status(), cancel::toString);
    assertEquals(id, str(cancel.json(), "sessionId"));
    assertEquals("accepted", str(cancel.json(), "status"));
    List<JsonObject> cancelled = server.legacyStream(id, events.size()).events();
    assertEquals(List.of("turn.cancelled", "session.waiting"), types(cancelled.subList(cancelled.size() - 2,
        cancelled.size())));
  }

  @Test
  void aStreamOpenedRightAfterAFollowUpNeverEndsBeforeTheNewTurn() {
    JsonObject created = server.create("start");
    String id = str(created, "sessionId");
    List<JsonObject> seen = new ArrayList<>(server.legacyStream(id, 0).events());
    for (int i = 0; i < 15; i++) {
      String token = str(data(seen.get(seen.size() - 1)), "continuationToken");
      Response r = server.post(server.legacy("/session/" + id), message("round " + i, token).toString());
      assertEquals(200, r.status(), r::toString);
      List<JsonObject> turn = server.legacyStream(id, seen.size()).events();
      assertFalse(turn.isEmpty(), "round " + i + ": the stream ended before the new turn");
      assertEquals("Echo: round " + i, finalMessage(turn), "round " + i);
      assertEquals("session.waiting", type(turn.get(turn.size() - 1)));
      seen.addAll(turn);
    }
    assertEquals(server.canonical(id).size(), seen.size());
  }

  @Test
  void aSessionOfTheCurrentProtocolReadsTheSameOnTheLegacyMount() {
    Response created = server.post(server.current("/session"), "{\"message\":\"shared\"}");
    assertEquals(202, created.status());
    String id = str(created.json(), "sessionId");
    List<JsonObject> legacy = server.legacyStream(id, 0).events();
    List<JsonObject> canonical = server.canonical(id);
    assertEquals(canonical.size(), legacy.size());
    assertEquals(canonical.get(canonical.size() - 1).getAsJsonObject("meta"),
        legacy.get(legacy.size() - 1).getAsJsonObject("meta"));
    assertNotEquals(str(data(canonical.get(canonical.size() - 1)), "continuationToken"),
        str(data(legacy.get(legacy.size() - 1)), "continuationToken"));
  }

  private static void assertStale(Response r) {
    assertEquals(409, r.status(), r::toString);
    assertEquals("stale_continuation_token", str(r.json().getAsJsonObject("error"), "code"));
    assertEquals("no-store", r.header("cache-control"));
  }

  private static JsonObject message(String text, String token) {
    JsonObject o = new JsonObject();
    o.addProperty("message", text);
    o.addProperty("continuationToken", token);
    return o;
  }

  private static JsonObject answer(String requestId, String optionId, String token) {
    JsonObject r = new JsonObject();
    r.addProperty("requestId", requestId);
    r.addProperty("optionId", optionId);
    JsonArray a = new JsonArray();
    a.add(r);
    JsonObject o = new JsonObject();
    o.add("inputResponses", a);
    o.addProperty("continuationToken", token);
    return o;
  }

  private static String finalMessage(List<JsonObject> events) {
    String message = null;
    for (JsonObject e : events) {
      if (type(e).equals("message.completed") && !"tool-calls".equals(str(data(e), "finishReason"))) {
        message = str(data(e), "message");
      }
    }
    return message;
  }

  private static List<String> types(List<JsonObject> events) {
    List<String> out = new ArrayList<>();
    events.forEach(e -> out.add(type(e)));
    return out;
  }
}
