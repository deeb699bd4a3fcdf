package dev.eve4j.auth;

import java.util.Objects;
import java.util.Set;

/**
 * Who is calling, and what they may do. Immutable.
 *
 * @param subject a stable id (the JWT {@code sub}, the static token's name, or {@code anonymous})
 * @param scopes granted scopes, see {@link Scopes}
 */
public record Principal(String subject, Set<String> scopes) {
  /** The caller when authentication is off: may do everything (local use). */
  public static final Principal ANONYMOUS =
      new Principal("anonymous", Set.of(Scopes.SESSIONS_READ, Scopes.SESSIONS_WRITE, Scopes.CHAT_READ, Scopes.ADMIN));

  public Principal {
    Objects.requireNonNull(subject, "subject");
    scopes = Set.copyOf(scopes);
  }

  public boolean hasScope(String scope) {
    return scopes.contains(scope);
  }

  /**
   * Whether this principal may read or write a session owned by {@code owner}: its own sessions,
   * or any session with the {@link Scopes#ADMIN} scope.
   */
  public boolean mayAccess(String owner) {
    return subject.equals(owner) || hasScope(Scopes.ADMIN);
  }
}
