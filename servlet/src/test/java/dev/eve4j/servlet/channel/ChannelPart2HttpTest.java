package dev.eve4j.servlet.channel;

import static dev.eve4j.servlet.channel.Http.j;
import static dev.eve4j.servlet.channel.Http.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpServer;
import dev.eve4j.auth.Authenticator;
import dev.eve4j.auth.Principal;
import dev.eve4j.channel.ChannelOptions;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.channel.Scope;
import dev.eve4j.channel.WebhookOptions;
import dev.eve4j.channel.Webhooks;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.servlet.channel.Http.Res;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Part 2 over HTTP: webhook admin routes, a Stop answered by a real endpoint, edits, receipts, rewind. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelPart2HttpTest {
  private ChannelTestServer server;
  private HttpServer hook;
  private final BlockingQueue<String[]> received = new LinkedBlockingQueue<>();
  private String key;

  @BeforeEach
  void start() throws Exception {
    hook = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    hook.setExecutor(Executors.newCachedThreadPool());
    hook.createContext("/", ex -> {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      received.add(new String[] {new String(body, java.nio.charset.StandardCharsets.UTF_8),
          ex.getRequestHeaders().getFirst("X-Vessels-Signature"), ex.getRequestHeaders().getFirst("X-Vessels-Event")});
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    hook.start();
    Authenticator admin = Authenticator.staticTokens(Map.of("admin-token", new Principal("ops",
        Set.of("eve4j.admin"))));
    OperatorChannel channel = OperatorChannel.open(EventJournal.inMemory(), ChannelOptions.defaults(),
        WebhookOptions.defaults().withAllowHosts(Set.of("127.0.0.1")));
    server = ChannelTestServer.start(channel, ChannelServletOptions.defaults().withAdminAuthenticator(admin));
    key = channel.createKey(channel.defaultWorkspace().id(), "agent", Scope.all()).secret();
  }

  @AfterEach
  void stop() {
    server.close();
    hook.stop(0);
  }

  private Res call(String method, String path, String body) {
    return send(server.api(path), method, key, body == null ? null : j(body));
  }

  private String[] next() throws InterruptedException {
    String[] r = received.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no webhook within 10 s");
    }
    return r;
  }

  @Test
  void webhooksStopEditsReceiptsResolveAndRewindOverHttp() throws Exception {
    String url = "http://127.0.0.1:" + hook.getAddress().getPort() + "/hooks";
    Res created = send(server.api("/webhooks"), "POST", "admin-token", j("{'url':'" + url + "'}"));
    assertEquals(201, created.status());
    String secret = created.json().get("secret").getAsString();
    assertTrue(secret.startsWith("whsec_"));
    assertEquals(400, send(server.api("/webhooks"), "POST", "admin-token", j("{'url':'https://10.0.0.5/x'}"))
        .status());
    assertEquals(401, call("POST", "/webhooks", "{'url':'" + url + "'}").status(), "an agent key cannot manage them");

    String working = call("POST", "/push", "{'vessel':'b1','agentActivity':{'type':'thinking'}}").json()
        .get("messageId").getAsString();
    Res stop = call("POST", "/messages/" + working + "/cancel", null);
    assertEquals(200, stop.status());
    assertTrue(stop.json().get("delivered").getAsBoolean(), "a 2xx tells the human cancel is wired");
    String[] cancelled = next();
    assertEquals("message.cancelled", cancelled[2]);
    assertTrue(Webhooks.verify(cancelled[0].getBytes(java.nio.charset.StandardCharsets.UTF_8), cancelled[1], secret));

    Res bad = call("PATCH", "/messages/" + working, "{'interaction':{'type':'approval','prompt':'x'}}");
    assertEquals(400, bad.status());
    assertEquals("interaction", bad.json().get("field").getAsString());
    assertTrue(bad.json().has("hint"));
    Res edited = call("PATCH", "/messages/" + working, "{'agentActivity':null,'content':'Done.'}");
    assertEquals(200, edited.status());
    assertTrue(edited.json().getAsJsonObject("message").getAsJsonObject("agent_activity").has("resolved_at"));

    String user = call("POST", "/vessels/by-external/b1/messages", "{'content':'hello'}").json().get("messageId")
        .getAsString();
    assertEquals("message.user", next()[2]);
    call("POST", "/messages/" + user + "/ack", "{'stage':'completed'}");
    assertEquals(j("{'ok':true,'stage':'completed','reason':null}"), call("POST", "/messages/" + user + "/ack",
        "{'stage':'received'}").raw().body());

    String ask = call("POST", "/push", "{'vessel':'b1','message':'Pay?','interaction':{'type':'approval',"
        + "'prompt':'Pay?'}}").json().get("messageId").getAsString();
    JsonObject resolved = call("POST", "/messages/" + ask + "/resolve", "{'outcome':'cancelled'}").json();
    assertEquals(false, resolved.get("alreadyResolved").getAsBoolean());
    assertTrue(call("POST", "/messages/" + ask + "/resolve", "{'outcome':'approved'}").json().get("alreadyResolved")
        .getAsBoolean());

    Res dry = call("DELETE", "/vessels/by-external/b1/messages?afterMessageId=" + working + "&source=all&dryRun=true",
        null);
    assertEquals(j("{'ok':true,'deleted':2,'dry_run':true}"), dry.raw().body());
    assertEquals(400, call("DELETE", "/vessels/by-external/b1/messages", null).status());
    assertEquals(2, call("DELETE", "/vessels/by-external/b1/messages?afterMessageId=" + working + "&source=all",
        null).json().get("deleted").getAsInt());
    assertEquals(200, call("DELETE", "/messages/" + working, null).status());
    assertEquals(404, call("GET", "/messages/" + working, null).status());

    Res log = send(server.api("/webhooks/deliveries"), "GET", "admin-token", null);
    assertEquals(2, log.json().getAsJsonArray("deliveries").size());
    String last = log.json().getAsJsonArray("deliveries").get(0).getAsJsonObject().get("id").getAsString();
    assertEquals(202, send(server.api("/webhooks/deliveries/" + last + "/replay"), "POST", "admin-token", null)
        .status());
    assertEquals("message.user", next()[2], "replayed");
  }
}
