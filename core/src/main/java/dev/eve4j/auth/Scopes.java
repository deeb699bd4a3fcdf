package dev.eve4j.auth;

/** The scope names eve4j checks. */
public final class Scopes {
  /** Read sessions: {@code GET /eve/v1/info} and {@code /eve/v1/session/{id}/stream}. */
  public static final String SESSIONS_READ = "sessions.read";
  /** Create sessions and post to them (messages, answers, cancel, clear, compact, reset). */
  public static final String SESSIONS_WRITE = "sessions.write";
  /** Read the SSE event firehose ({@code GET /v1/events}). */
  public static final String CHAT_READ = "chat.read";
  /** Read and write every principal's sessions, not only one's own. */
  public static final String ADMIN = "eve4j.admin";

  private Scopes() {}
}
