package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * An API key as stored: never the secret, only its SHA-256 (kept by the store) and a display prefix.
 * Immutable.
 *
 * @param prefix the first characters of the secret ({@code vsl_AbCd}), to tell keys apart
 * @param revokedAt when it was revoked, or null while it works
 */
public record ApiKey(String id, String workspaceId, String name, String prefix, Set<Scope> scopes, Instant createdAt,
    Instant revokedAt) {
  public ApiKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(workspaceId, "workspaceId");
    scopes = scopes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(scopes));
  }

  public boolean has(Scope s) {
    return scopes.contains(s);
  }

  /** {@code {id, workspaceId, name, prefix, scopes, createdAt, revokedAt}}. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("id", id);
    o.addProperty("workspaceId", workspaceId);
    o.addProperty("name", name);
    o.addProperty("prefix", prefix);
    JsonArray s = new JsonArray();
    for (Scope scope : Scope.values()) {
      if (scopes.contains(scope)) {
        s.add(scope.wire());
      }
    }
    o.add("scopes", s);
    o.addProperty("createdAt", ChannelJson.time(createdAt.toEpochMilli()));
    o.addProperty("revokedAt", revokedAt == null ? null : ChannelJson.time(revokedAt.toEpochMilli()));
    return o;
  }
}
