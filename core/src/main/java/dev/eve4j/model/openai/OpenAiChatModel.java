package dev.eve4j.model.openai;

import com.google.gson.JsonElement;
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

/** A model behind a Chat Completions endpoint. Thread-safe; see {@link OpenAiChat}. */
final class OpenAiChatModel implements LanguageModel {
  private final String model;
  private final String apiKey;
  private final URI endpoint;
  private final String organization;
  private final String project;
  private final Transport transport;

  OpenAiChatModel(String model, String apiKey, URI baseUrl, String organization, String project, Transport transport) {
    this.model = model;
    this.apiKey = apiKey;
    this.endpoint = URI.create(baseUrl + "/chat/completions");
    this.organization = organization;
    this.project = project;
    this.transport = transport;
  }

  @Override
  public String id() {
    return "openai/" + model;
  }

  @Override
  public ModelCall stream(ModelRequest request, ModelListener listener) {
    byte[] body = Json.toJson(OpenAiRequests.body(model, request)).getBytes(StandardCharsets.UTF_8);
    HttpRequest.Builder b = transport.post(endpoint, body);
    if (apiKey != null) {
      b.header("authorization", "Bearer " + apiKey);
    }
    if (organization != null) {
      b.header("openai-organization", organization);
    }
    if (project != null) {
      b.header("openai-project", project);
    }
    HttpRequest http = transport.finish(b);
    return transport.start(new Transport.Exchange() {
      @Override
      public HttpRequest request() {
        return http;
      }

      @Override
      public ModelException httpError(int status, HttpHeaders headers, String text) {
        return OpenAiChatModel.this.httpError(status, text);
      }

      @Override
      public boolean retryable(int status, HttpHeaders headers, String text) {
        // An exhausted quota does not come back in a few seconds.
        return !text.contains("insufficient_quota") && Transport.Exchange.super.retryable(status, headers, text);
      }

      @Override
      public Transport.EventDecoder decoder(ModelListener sink) {
        return new OpenAiDecoder(sink, transport.label());
      }
    }, listener);
  }

  /**
   * OpenAI's {@code {"error":{message,type,code}}}, and the shapes compatible servers use instead:
   * {@code {"error":"…"}} (Ollama), {@code {"message":…,"type":…}} (vLLM), or plain text.
   */
  private ModelException httpError(int status, String text) {
    JsonObject body = Jsons.parseObject(text);
    String message = null;
    String type = null;
    String code = null;
    if (body != null) {
      JsonElement e = body.get("error");
      JsonObject error = e != null && e.isJsonObject() ? e.getAsJsonObject() : body;
      message = e != null && e.isJsonPrimitive() ? e.getAsString() : Jsons.str(error, "message");
      type = Jsons.str(error, "type");
      code = Jsons.str(error, "code");
    } else if (!text.isBlank()) {
      message = text.strip();
    }
    String base = ProviderErrors.codeForStatus(status);
    String errorCode = base.equals(ModelException.PROVIDER_ERROR) ? ProviderErrors.codeForType(type, base) : base;
    String kind = code != null && !code.equals(String.valueOf(status)) ? code : type;
    return new ModelException(errorCode, transport.label() + " answered HTTP " + status
        + (kind != null ? " (" + kind + ")" : "") + ": " + (message != null ? message : "no details"));
  }
}
