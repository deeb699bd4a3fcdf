package dev.eve4j.model;

/**
 * A streaming language model. {@link #stream} starts one model call and returns at once; the
 * model reports what it produces to the {@link ModelListener}, from any thread, and ends with
 * exactly one of {@code onFinish} or {@code onError} unless cancelled first. Implementations are
 * thread-safe; one instance serves every session of an agent.
 */
public interface LanguageModel {

  /** The id shown on the wire ({@code step.started.data.modelId}), e.g. {@code openai/gpt-5}. */
  String id();

  /** Starts one model call. Must not block; failures may also be reported through the listener. */
  ModelCall stream(ModelRequest request, ModelListener listener);
}
