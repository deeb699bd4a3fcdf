package dev.eve4j.servlet.io;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Request-body housekeeping shared by eve4j's servlets. Not a stable API. */
public final class Bodies {
  private Bodies() {}

  /**
   * Marks the response {@code Connection: close} when the request declared a body that was not
   * read (an early 401, 403, 404 or 413): the unread bytes would otherwise be taken for the next
   * request on a kept-alive connection, and a client that reuses the connection after the server
   * drops it sees an empty reply instead of ours.
   */
  public static void closeIfUnread(ServletRequest req, HttpServletResponse resp) {
    long length = req.getContentLengthLong();
    boolean chunked = req instanceof HttpServletRequest
        && "chunked".equalsIgnoreCase(((HttpServletRequest) req).getHeader("transfer-encoding"));
    if (length <= 0 && !chunked) {
      return;
    }
    try {
      if (req.getInputStream().isFinished()) {
        return;
      }
    } catch (IOException | IllegalStateException readerInUse) {
      return;
    }
    resp.setHeader("connection", "close");
  }
}
