package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A tenant of the channel: its vessels, keys and idempotency keys are its own. Immutable.
 *
 * @param userVesselsEnabled whether humans may open vessels themselves (off by default)
 * @param vesselTypes the types a human may pick when opening one (empty: none)
 * @param debugMode whether agent requests are recorded verbatim, so that a vessel's trace is verbose
 *     (each {@code agent.request} with its sent-versus-applied diagnostics); off by default
 */
public record Workspace(String id, String name, Instant createdAt, boolean userVesselsEnabled,
    List<String> vesselTypes, boolean debugMode) {
  public Workspace {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    vesselTypes = List.copyOf(vesselTypes);
  }

  public Workspace(String id, String name, Instant createdAt, boolean userVesselsEnabled, List<String> vesselTypes) {
    this(id, name, createdAt, userVesselsEnabled, vesselTypes, false);
  }

  /** {@code {id, name, userVesselsEnabled, vesselTypes, debugMode, createdAt}}. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("id", id);
    o.addProperty("name", name);
    o.addProperty("userVesselsEnabled", userVesselsEnabled);
    JsonArray t = new JsonArray();
    vesselTypes.forEach(t::add);
    o.add("vesselTypes", t);
    o.addProperty("debugMode", debugMode);
    o.addProperty("createdAt", ChannelJson.time(createdAt.toEpochMilli()));
    return o;
  }
}
