package dev.eve4j.servlet;

import dev.eve4j.auth.Authenticator;
import dev.eve4j.auth.Principal;
import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import jakarta.servlet.http.HttpServletRequest;

/** The auth check every servlet of eve4j runs before serving a protected route. Stateless. */
final class RequestAuth {
  private RequestAuth() {}

  /**
   * The caller of {@code req}, who must hold {@code scope}.
   *
   * @throws EveException 401 {@code unauthorized} (bad or missing credentials) or 403
   *     {@code forbidden} (the scope is missing)
   */
  static Principal require(Authenticator authenticator, HttpServletRequest req, String scope) {
    Principal p = authenticator.authenticate(req.getHeader("authorization"));
    if (!p.hasScope(scope)) {
      throw new EveException(ErrorCode.FORBIDDEN, "Forbidden.");
    }
    return p;
  }
}
