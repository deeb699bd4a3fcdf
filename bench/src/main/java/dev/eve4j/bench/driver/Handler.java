package dev.eve4j.bench.driver;

/**
 * What one HTTP response on a {@link Conn} tells its owner. Every method runs on the client's loop
 * thread and must not block; {@code nanos} is {@link System#nanoTime()} right after the read that
 * delivered the bytes (every line of one read shares it).
 */
public interface Handler {
  /** The response head is in. */
  default void onHead(Conn conn, int status, long nanos) {}

  /**
   * One body line, without its {@code \n}: {@code b[off..off+len)}, valid only during the call.
   * {@code len == 0} is a blank line (a heartbeat). The rest of a body without a final newline
   * (a JSON reply) comes as a last line before {@link #onEnd}.
   */
  void onLine(Conn conn, byte[] b, int off, int len, long nanos);

  /** The response is complete; the connection may carry another request. */
  default void onEnd(Conn conn, long nanos) {}

  /** The connection closed: {@code error} is null when we closed it or the server ended it cleanly. */
  default void onClosed(Conn conn, Throwable error) {}
}
