package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.protocol.Ids;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * {@link Webhooks} over the channel's journal: log {@code chh_webhooks} holds endpoints, deliveries and
 * attempts, one line each, appended before they take effect. {@link #lock} guards the maps and the
 * appends; it is never held while a request is in flight.
 */
final class WebhookService implements Webhooks {
  static final String LOG = "chh_webhooks";
  private static final Logger LOGGER = Logger.getLogger(WebhookService.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();

  private final EventJournal journal;
  private final WebhookOptions options;
  private final Object lock = new Object();
  private final Map<String, EndpointState> endpoints = new LinkedHashMap<>();
  private final Map<String, DeliveryState> deliveries = new LinkedHashMap<>();

  private static final class EndpointState {
    String id;
    String workspaceId;
    String url;
    String secret;
    List<String> events;
    boolean active = true;
    boolean deleted;
    long createdAt;

    WebhookEndpoint snapshot() {
      return new WebhookEndpoint(id, workspaceId, url, events, active, Instant.ofEpochMilli(createdAt));
    }
  }

  private static final class DeliveryState {
    String id;
    String endpointId;
    String workspaceId;
    String vesselId;
    String event;
    String body;
    String replayOf;
    int maxAttempts;
    long createdAt;
    String state = "pending";
    final List<WebhookDelivery.Attempt> attempts = new ArrayList<>();

    WebhookDelivery snapshot() {
      return new WebhookDelivery(id, endpointId, workspaceId, vesselId, event, state, body, replayOf,
          Instant.ofEpochMilli(createdAt), attempts);
    }
  }

  WebhookService(EventJournal journal, WebhookOptions options) {
    this.journal = journal;
    this.options = options;
  }

  /** Rebuilds from the log and resumes every delivery still pending. */
  void load() {
    List<DeliveryState> pending;
    synchronized (lock) {
      if (journal.contains(LOG)) {
        for (JsonObject r : JournalChannel.readAll(journal, LOG)) {
          apply(r);
        }
      } else {
        journal.create(LOG);
      }
      pending = deliveries.values().stream().filter(d -> d.state.equals("pending")).collect(Collectors.toList());
    }
    long now = options.clock().millis();
    for (DeliveryState d : pending) {
      Duration wait = Duration.ZERO;
      if (!d.attempts.isEmpty()) {
        WebhookDelivery.Attempt last = d.attempts.get(d.attempts.size() - 1);
        long due = last.at().toEpochMilli() + backoff(last.n()).toMillis();
        wait = Duration.ofMillis(Math.max(0, due - now));
      }
      options.scheduler().schedule(() -> attempt(d), wait);
    }
  }

  private Duration backoff(int afterAttempt) {
    List<Duration> b = options.backoff();
    return b.isEmpty() ? Duration.ZERO : b.get(Math.min(afterAttempt, b.size()) - 1);
  }

  private void apply(JsonObject r) {
    long at = r.get("at").getAsLong();
    switch (r.get("t").getAsString()) {
      case "endpoint": {
        EndpointState e = new EndpointState();
        e.id = r.get("id").getAsString();
        e.workspaceId = r.get("workspaceId").getAsString();
        e.url = r.get("url").getAsString();
        e.secret = r.get("secret").getAsString();
        e.events = strings(r.getAsJsonArray("events"));
        e.createdAt = at;
        endpoints.put(e.id, e);
        break;
      }
      case "endpoint_patch": {
        EndpointState e = endpoints.get(r.get("id").getAsString());
        if (e != null) {
          if (r.has("url")) {
            e.url = r.get("url").getAsString();
          }
          if (r.has("events")) {
            e.events = strings(r.getAsJsonArray("events"));
          }
          if (r.has("active")) {
            e.active = r.get("active").getAsBoolean();
          }
          if (r.has("deleted")) {
            e.deleted = true;
            e.active = false;
          }
        }
        break;
      }
      case "delivery": {
        DeliveryState d = new DeliveryState();
        d.id = r.get("id").getAsString();
        d.endpointId = r.get("endpointId").getAsString();
        d.workspaceId = r.get("workspaceId").getAsString();
        d.vesselId = r.has("vesselId") && !r.get("vesselId").isJsonNull() ? r.get("vesselId").getAsString() : null;
        d.event = r.get("event").getAsString();
        d.body = r.get("body").getAsString();
        d.replayOf = r.has("replayOf") && !r.get("replayOf").isJsonNull() ? r.get("replayOf").getAsString() : null;
        d.maxAttempts = r.get("maxAttempts").getAsInt();
        d.createdAt = at;
        deliveries.put(d.id, d);
        break;
      }
      case "attempt": {
        DeliveryState d = deliveries.get(r.get("deliveryId").getAsString());
        if (d != null) {
          d.attempts.add(new WebhookDelivery.Attempt(r.get("n").getAsInt(),
              r.get("status").isJsonNull() ? null : r.get("status").getAsInt(),
              r.get("error").isJsonNull() ? null : r.get("error").getAsString(), r.get("durationMs").getAsLong(),
              Instant.ofEpochMilli(at)));
          if (r.has("state")) {
            d.state = r.get("state").getAsString();
          }
        }
        break;
      }
      default:
        break; // written by a newer version: ignored
    }
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    a.forEach(e -> out.add(e.getAsString()));
    return out;
  }

  /** Appends then applies; the caller holds {@link #lock}. */
  private void commit(JsonObject r) {
    journal.append(LOG, (ChannelJson.toJson(r) + "\n").getBytes(StandardCharsets.UTF_8));
    apply(r);
  }

  private JsonObject record(String t) {
    JsonObject r = new JsonObject();
    r.addProperty("t", t);
    r.addProperty("at", options.clock().millis());
    return r;
  }

  // ---------------------------------------------------------------------------------- endpoints

  private static List<String> events(Set<String> events) {
    if (events == null) {
      return Webhooks.EVENTS;
    }
    List<String> out = new ArrayList<>();
    for (String e : Webhooks.EVENTS) {
      if (events.contains(e)) {
        out.add(e);
      }
    }
    for (String e : events) {
      if (!Webhooks.EVENTS.contains(e)) {
        throw ChannelException.badRequest("events: Invalid enum value. Expected " + Checker.expected(Webhooks.EVENTS)
            + ", received '" + e + "'");
      }
    }
    return out;
  }

  @Override
  public WebhookEndpoint.Created create(String workspaceId, String url, Set<String> events) {
    WebhookUrls.check(url, options.allowHosts());
    List<String> ev = events(events);
    byte[] raw = new byte[24];
    RANDOM.nextBytes(raw);
    String secret = "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    synchronized (lock) {
      JsonObject r = record("endpoint");
      String id = "we_" + Ids.ulid(options.clock().millis());
      r.addProperty("id", id);
      r.addProperty("workspaceId", workspaceId);
      r.addProperty("url", url);
      r.addProperty("secret", secret);
      JsonArray a = new JsonArray();
      ev.forEach(a::add);
      r.add("events", a);
      commit(r);
      return new WebhookEndpoint.Created(endpoints.get(id).snapshot(), secret);
    }
  }

  @Override
  public List<WebhookEndpoint> endpoints(String workspaceId) {
    synchronized (lock) {
      return endpoints.values().stream().filter(e -> !e.deleted && e.workspaceId.equals(workspaceId))
          .map(EndpointState::snapshot).collect(Collectors.toList());
    }
  }

  private EndpointState endpoint(String workspaceId, String id) {
    EndpointState e = id == null ? null : endpoints.get(id);
    if (e == null || e.deleted || !e.workspaceId.equals(workspaceId)) {
      throw ChannelException.notFound("Webhook endpoint not found");
    }
    return e;
  }

  @Override
  public WebhookEndpoint update(String workspaceId, String endpointId, String url, Set<String> events,
      Boolean active) {
    if (url != null) {
      WebhookUrls.check(url, options.allowHosts());
    }
    List<String> ev = events == null ? null : events(events);
    synchronized (lock) {
      endpoint(workspaceId, endpointId);
      JsonObject r = record("endpoint_patch");
      r.addProperty("id", endpointId);
      if (url != null) {
        r.addProperty("url", url);
      }
      if (ev != null) {
        JsonArray a = new JsonArray();
        ev.forEach(a::add);
        r.add("events", a);
      }
      if (active != null) {
        r.addProperty("active", active);
      }
      commit(r);
      return endpoints.get(endpointId).snapshot();
    }
  }

  @Override
  public WebhookEndpoint delete(String workspaceId, String endpointId) {
    synchronized (lock) {
      WebhookEndpoint before = endpoint(workspaceId, endpointId).snapshot();
      JsonObject r = record("endpoint_patch");
      r.addProperty("id", endpointId);
      r.addProperty("deleted", true);
      commit(r);
      return before;
    }
  }

  // --------------------------------------------------------------------------------- deliveries

  @Override
  public List<WebhookDelivery> deliveries(String workspaceId, String endpointId, String vesselId, int limit) {
    synchronized (lock) {
      List<WebhookDelivery> out = new ArrayList<>();
      List<DeliveryState> all = new ArrayList<>(deliveries.values());
      for (int i = all.size() - 1; i >= 0 && out.size() < limit; i--) {
        DeliveryState d = all.get(i);
        if (d.workspaceId.equals(workspaceId) && (endpointId == null || endpointId.equals(d.endpointId))
            && (vesselId == null || vesselId.equals(d.vesselId))) {
          out.add(d.snapshot());
        }
      }
      return out;
    }
  }

  @Override
  public WebhookDelivery delivery(String workspaceId, String deliveryId) {
    synchronized (lock) {
      DeliveryState d = deliveryId == null ? null : deliveries.get(deliveryId);
      if (d == null || !d.workspaceId.equals(workspaceId)) {
        throw ChannelException.notFound("Delivery not found");
      }
      return d.snapshot();
    }
  }

  @Override
  public WebhookDelivery replay(String workspaceId, String deliveryId) {
    DeliveryState d;
    synchronized (lock) {
      DeliveryState o = deliveries.get(deliveryId);
      if (o == null || !o.workspaceId.equals(workspaceId)) {
        throw ChannelException.notFound("Delivery not found");
      }
      endpoint(workspaceId, o.endpointId);
      d = newDelivery(o.endpointId, workspaceId, o.vesselId, o.event, o.body, o.id, options.maxAttempts());
    }
    options.scheduler().schedule(() -> attempt(d), Duration.ZERO);
    return d.snapshot();
  }

  /** The caller holds {@link #lock}. */
  private DeliveryState newDelivery(String endpointId, String workspaceId, String vesselId, String event, String body,
      String replayOf, int maxAttempts) {
    JsonObject r = record("delivery");
    String id = "wd_" + Ids.ulid(options.clock().millis());
    r.addProperty("id", id);
    r.addProperty("endpointId", endpointId);
    r.addProperty("workspaceId", workspaceId);
    r.addProperty("vesselId", vesselId);
    r.addProperty("event", event);
    r.addProperty("body", body);
    r.addProperty("replayOf", replayOf);
    r.addProperty("maxAttempts", maxAttempts);
    commit(r);
    return deliveries.get(id);
  }

  /**
   * Records one delivery per subscribed active endpoint, then schedules their first attempts. Called
   * with the vessel's lock held: it appends, it never waits on the network.
   */
  void publish(String workspaceId, String vesselId, JsonObject payload) {
    String event = payload.get("event").getAsString();
    String body = ChannelJson.toJson(payload);
    List<DeliveryState> created = new ArrayList<>();
    synchronized (lock) {
      for (EndpointState e : endpoints.values()) {
        if (e.active && e.workspaceId.equals(workspaceId) && e.events.contains(event)) {
          created.add(newDelivery(e.id, workspaceId, vesselId, event, body, null, options.maxAttempts()));
        }
      }
    }
    for (DeliveryState d : created) {
      options.scheduler().schedule(() -> attempt(d), Duration.ZERO);
    }
  }

  /**
   * Delivers to every active endpoint of the workspace, one attempt each, whatever they subscribe
   * to ({@code message.cancelled}); completes with the number of endpoints that answered 2xx and
   * how many were tried.
   */
  CompletableFuture<int[]> publishSync(String workspaceId, String vesselId, JsonObject payload) {
    String event = payload.get("event").getAsString();
    String body = ChannelJson.toJson(payload);
    List<DeliveryState> created = new ArrayList<>();
    synchronized (lock) {
      for (EndpointState e : endpoints.values()) {
        if (e.active && e.workspaceId.equals(workspaceId)) {
          created.add(newDelivery(e.id, workspaceId, vesselId, event, body, null, 1));
        }
      }
    }
    List<CompletableFuture<Boolean>> results = new ArrayList<>();
    for (DeliveryState d : created) {
      CompletableFuture<Boolean> f = new CompletableFuture<>();
      options.scheduler().schedule(() -> attempt(d).whenComplete((ok, err) -> f.complete(ok != null && ok)),
          Duration.ZERO);
      results.add(f);
    }
    return CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).thenApply(v -> new int[] {
        (int) results.stream().filter(CompletableFuture::join).count(), results.size()});
  }

  /** Runs the next attempt of a pending delivery; completes with whether it got a 2xx. */
  private CompletableFuture<Boolean> attempt(DeliveryState d) {
    EndpointState e;
    int n;
    String secret;
    String url;
    synchronized (lock) {
      if (!d.state.equals("pending")) {
        return CompletableFuture.completedFuture(d.state.equals("delivered"));
      }
      e = endpoints.get(d.endpointId);
      n = d.attempts.size() + 1;
      if (e == null || e.deleted) {
        finish(d, n, null, "endpoint deleted", 0, true);
        return CompletableFuture.completedFuture(false);
      }
      secret = e.secret;
      url = e.url;
    }
    long start = System.nanoTime();
    URI uri;
    try {
      uri = WebhookUrls.check(url, options.allowHosts());
    } catch (ChannelException refused) {
      synchronized (lock) {
        finish(d, n, null, "refused: " + refused.error(), 0, true);
      }
      return CompletableFuture.completedFuture(false);
    }
    byte[] bytes = d.body.getBytes(StandardCharsets.UTF_8);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(options.attemptTimeout())
        .header("Content-Type", "application/json").header("User-Agent", "eve4j-webhooks")
        .header("X-Vessels-Event", d.event).header("X-Vessels-Signature", Webhooks.sign(secret, bytes))
        .header("X-Vessels-Delivery", d.id).POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    CompletableFuture<HttpResponse<Void>> sent;
    try {
      sent = options.httpClient().sendAsync(request, HttpResponse.BodyHandlers.discarding());
    } catch (RuntimeException ex) {
      sent = CompletableFuture.failedFuture(ex);
    }
    sent.whenComplete((resp, err) -> options.scheduler().schedule(() -> {
      long ms = (System.nanoTime() - start) / 1_000_000;
      Integer status = resp == null ? null : resp.statusCode();
      String error = err == null ? null : describe(err);
      boolean delivered = status != null && status >= 200 && status < 300;
      boolean retryable = status == null || status >= 500;
      boolean last;
      synchronized (lock) {
        last = !retryable || n >= d.maxAttempts;
        finish(d, n, status, error, ms, last);
      }
      if (!last) {
        options.scheduler().schedule(() -> attempt(d), backoff(n));
      }
      done.complete(delivered);
    }, Duration.ZERO));
    return done;
  }

  private static String describe(Throwable err) {
    Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    if (t instanceof HttpTimeoutException) {
      return "timeout";
    }
    return "no response: " + t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " " + t.getMessage());
  }

  /** Records an attempt; the caller holds {@link #lock}. */
  private void finish(DeliveryState d, int n, Integer status, String error, long ms, boolean last) {
    JsonObject r = record("attempt");
    r.addProperty("deliveryId", d.id);
    r.addProperty("n", n);
    r.addProperty("status", status);
    r.addProperty("error", error);
    r.addProperty("durationMs", ms);
    if (last || (status != null && status >= 200 && status < 300)) {
      r.addProperty("state", status != null && status >= 200 && status < 300 ? "delivered" : "failed");
    }
    try {
      commit(r);
    } catch (RuntimeException ex) {
      LOGGER.log(Level.WARNING, "could not record webhook attempt " + n + " of " + d.id, ex);
    }
  }

  /** The deliveries of one vessel as trace items ({@code webhook.delivery}), oldest first. */
  List<JsonObject> traceItems(String workspaceId, String vesselId) {
    List<JsonObject> out = new ArrayList<>();
    synchronized (lock) {
      for (DeliveryState d : deliveries.values()) {
        if (!d.workspaceId.equals(workspaceId) || !vesselId.equals(d.vesselId)) {
          continue;
        }
        JsonObject o = new JsonObject();
        o.addProperty("type", "webhook.delivery");
        o.addProperty("deliveryId", d.id);
        o.addProperty("endpointId", d.endpointId);
        o.addProperty("event", d.event);
        o.addProperty("state", d.state);
        WebhookDelivery.Attempt last = d.attempts.isEmpty() ? null : d.attempts.get(d.attempts.size() - 1);
        o.addProperty("status", last == null ? null : last.status());
        o.addProperty("attempts", d.attempts.size());
        o.addProperty("atMillis", d.createdAt);
        out.add(o);
      }
    }
    out.sort(Comparator.comparingLong(o -> o.get("atMillis").getAsLong()));
    return out;
  }
}
