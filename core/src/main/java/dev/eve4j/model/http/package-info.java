/**
 * Plumbing shared by the HTTP model providers ({@code dev.eve4j.model.openai},
 * {@code dev.eve4j.model.anthropic}): streaming requests on {@link java.net.http.HttpClient}, SSE
 * framing, retries, timeouts, cancellation, error codes, and the prompt and file helpers both
 * providers map the conversation with.
 *
 * <p><b>Internal.</b> The public types here are public only because Java has no friend packages;
 * applications use the provider builders ({@code OpenAiChat}, {@code AnthropicMessages}) or
 * {@link dev.eve4j.model.Models}, and these types may change without notice.
 */
package dev.eve4j.model.http;
