package dev.eve4j.model.anthropic;

import com.google.gson.JsonObject;
import dev.eve4j.model.LanguageModel;
import dev.eve4j.model.ModelCall;
import dev.eve4j.model.ModelException;
import dev.eve4j.model.ModelListener;
import dev.eve4j.model.ModelRequest;
import dev.eve4j.model.http.Jsons;
import dev.eve4j.model.http.ProviderErrors;
import dev.eve4j.model.http.Transport;
import dev.eve4j.protocol.Json;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;

/** A Claude model behind the Messages API. Thread-safe; see {@link AnthropicMessages}. */
final class AnthropicMessagesModel implements LanguageModel {
  private final String model;
  private final String apiKey;
  private final URI endpoint;
  private final String version;
  private final int maxTokens;
  private final int thinkingBudget;
  private final Transport transport;
  private final ThinkingMemory memory = new ThinkingMemory();

  AnthropicMessagesModel(String model, String apiKey, URI baseUrl, String version, int maxTokens, int thinkingBudget,
      Transport transport) {
    this.model = model;
    this.apiKey = apiKey;
    this.endpoint = URI.create(baseUrl + "/v1/messages");
    this.version = version;
    this.maxTokens = maxTokens;
    this.thinkingBudget = thinkingBudget;
    this.transport = transport;
  }

  @Override
  public String id() {
    return "anthropic/" + model;
  }

  @Override
  public ModelCall stream(ModelRequest request, ModelListener listener) {
    JsonObject json = AnthropicRequests.body(model, maxTokens, thinkingBudget, memory, request);
    HttpRequest.Builder b = transport.post(endpoint, Json.toJson(json).getBytes(StandardCharsets.UTF_8))
        .header("anthropic-version", version);
    if (apiKey != null) {
      b.header("x-api-key", apiKey);
    }
    HttpRequest http = transport.finish(b);
    return transport.start(new Transport.Exchange() {
      @Override
      public HttpRequest request() {
        return http;
      }

      @Override
      public ModelException httpError(int status, HttpHeaders headers, String body) {
        return AnthropicMessagesModel.this.httpError(status, body);
      }

      @Override
      public Transport.EventDecoder decoder(ModelListener sink) {
        return new AnthropicDecoder(sink, transport.label(), memory);
      }
    }, listener);
  }

  /** {@code {"type":"error","error":{"type","message"},"request_id"}}, or whatever else came. */
  private ModelException httpError(int status, String text) {
    JsonObject body = Jsons.parseObject(text);
    JsonObject error = Jsons.obj(body, "error");
    String type = Jsons.str(error, "type");
    String message = Jsons.str(error, "message");
    if (message == null && body == null && !text.isBlank()) {
      message = text.strip();
    }
    String requestId = Jsons.str(body, "request_id");
    return new ModelException(ProviderErrors.codeForType(type, ProviderErrors.codeForStatus(status)),
        transport.label() + " answered HTTP " + status + (type != null ? " (" + type + ")" : "") + ": "
            + (message != null ? message : "no details") + (requestId != null ? " [" + requestId + "]" : ""));
  }
}
