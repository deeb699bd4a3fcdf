package dev.eve4j.channel;

import java.util.Objects;

/**
 * One call an agent made to the channel's HTTP API, as the face saw it: what a vessel's verbose
 * trace shows as {@code agent.request} (see {@link OperatorChannel#recordRequest}).
 *
 * @param method the HTTP method
 * @param path the path below the channel's mount, e.g. {@code /push} or {@code /messages/{id}}
 * @param body the request body verbatim (UTF-8), or null when it had none
 * @param status the HTTP status answered
 * @param response the body answered (JSON), or null
 */
public record AgentRequest(String method, String path, String body, int status, String response) {
  public AgentRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
  }
}
