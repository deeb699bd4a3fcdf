package dev.eve4j.agent;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.tool.ApprovalPolicy;
import dev.eve4j.tool.Tool;

/** The tools of the demo agent, as in the recorded eve traces. */
final class DemoTools {
  private DemoTools() {}

  /** {@code lookup {query}} returns {@code {query, hits: query.length}}. */
  static Tool lookup() {
    return Tool.builder("lookup")
        .description("Look up a query and return a deterministic result.")
        .inputSchema(schema("query"))
        .execute((input, ctx) -> {
          String q = input.get("query").getAsString();
          JsonObject out = new JsonObject();
          out.addProperty("query", q);
          out.addProperty("hits", q.length());
          return out;
        })
        .build();
  }

  /** {@code deploy {target}} needs approval every time and returns {@code {deployed: target}}. */
  static Tool deploy() {
    return Tool.builder("deploy")
        .description("Deploy to a target.")
        .inputSchema(schema("target"))
        .approval(ApprovalPolicy.always())
        .execute((input, ctx) -> {
          JsonObject out = new JsonObject();
          out.addProperty("deployed", input.get("target").getAsString());
          return out;
        })
        .build();
  }

  private static JsonObject schema(String property) {
    return JsonParser.parseString("{\"type\":\"object\",\"properties\":{\"" + property + "\":{\"type\":\"string\"}},"
        + "\"required\":[\"" + property + "\"]}").getAsJsonObject();
  }
}
