package dev.eve4j.model.anthropic;

import com.google.gson.JsonArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The signed thinking blocks of recent tool-use responses, by the id of the response's first
 * {@code tool_use}: Anthropic wants them back in the assistant turn a tool result answers, and the
 * conversation ({@code ModelMessage}) has no place for them. Bounded (least recently used out).
 * Thread-safe.
 */
final class ThinkingMemory {
  static final int CAPACITY = 2048;

  private final Map<String, JsonArray> blocks = new LinkedHashMap<>(64, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, JsonArray> eldest) {
      return size() > CAPACITY;
    }
  };

  synchronized void remember(String firstToolUseId, JsonArray thinking) {
    blocks.put(firstToolUseId, thinking.deepCopy());
  }

  /** A copy of the blocks, or null. */
  synchronized JsonArray recall(String firstToolUseId) {
    JsonArray found = blocks.get(firstToolUseId);
    return found == null ? null : found.deepCopy();
  }
}
