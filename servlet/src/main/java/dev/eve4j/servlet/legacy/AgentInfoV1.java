package dev.eve4j.servlet.legacy;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.eve4j.agent.Agent;
import dev.eve4j.tool.Tool;

/**
 * The legacy {@code GET /info} payload: agent-info version 1, the shape eve/client 0.13.6 – 0.30.8
 * validate (a zod object: these keys are required, extra keys are allowed). Seed 004's own
 * {@code /info} example fails that validation, so the client's schema wins; its tool list lives in
 * {@code tools.authored} and {@code tools.available}.
 */
final class AgentInfoV1 {
  private AgentInfoV1() {}

  /** The payload as JSON text (nulls kept: the schema wants {@code instructions.static: null}). */
  static String json(Agent agent) {
    return new GsonBuilder().serializeNulls().disableHtmlEscaping().create().toJson(payload(agent));
  }

  static JsonObject payload(Agent agent) {
    JsonObject model = new JsonObject();
    model.addProperty("id", agent.model().id());
    JsonObject a = new JsonObject();
    a.addProperty("agentRoot", "/eve4j/agent");
    a.addProperty("appRoot", "/eve4j");
    a.add("model", model);
    a.addProperty("name", agent.name());

    JsonObject o = new JsonObject();
    o.add("agent", a);
    JsonObject capabilities = new JsonObject();
    capabilities.addProperty("devRoutes", false);
    o.add("capabilities", capabilities);
    o.add("channels", arrays("authored", "available", "disabledFramework", "framework"));
    o.add("connections", new JsonArray());
    JsonObject diagnostics = new JsonObject();
    diagnostics.addProperty("discoveryErrors", 0);
    diagnostics.addProperty("discoveryWarnings", 0);
    o.add("diagnostics", diagnostics);
    o.add("hooks", new JsonArray());
    JsonObject instructions = new JsonObject();
    instructions.add("dynamic", new JsonArray());
    instructions.add("static", JsonNull.INSTANCE);
    o.add("instructions", instructions);
    o.addProperty("kind", "eve-agent-info");
    o.addProperty("mode", "production");
    o.add("sandbox", JsonNull.INSTANCE);
    o.add("schedules", new JsonArray());
    o.add("skills", arrays("dynamic", "static"));
    JsonObject subagents = new JsonObject();
    subagents.add("local", new JsonArray());
    subagents.addProperty("total", 0);
    o.add("subagents", subagents);
    JsonObject tools = arrays("authored", "available", "disabledFramework", "dynamic", "framework", "reserved");
    for (Tool t : agent.tools()) {
      tools.getAsJsonArray("authored").add(tool(t));
      tools.getAsJsonArray("available").add(tool(t));
    }
    o.add("tools", tools);
    o.addProperty("version", 1);
    JsonObject workflow = new JsonObject();
    workflow.addProperty("enabled", false);
    workflow.addProperty("toolName", "workflow");
    o.add("workflow", workflow);
    JsonObject workspace = new JsonObject();
    workspace.add("resourceRoot", JsonNull.INSTANCE);
    workspace.add("rootEntries", new JsonArray());
    o.add("workspace", workspace);
    return o;
  }

  private static JsonObject tool(Tool t) {
    String path = "tools/" + t.name() + ".java";
    JsonObject e = new JsonObject();
    e.addProperty("logicalPath", path);
    e.addProperty("sourceId", path);
    e.addProperty("sourceKind", "module");
    e.addProperty("name", t.name());
    e.addProperty("description", t.description());
    e.addProperty("hasAuth", false);
    e.addProperty("hasExecute", true);
    e.addProperty("hasModelOutputProjection", false);
    e.addProperty("hasOutputSchema", false);
    e.add("inputSchema", t.inputSchema());
    e.addProperty("origin", "authored");
    e.addProperty("replacesFrameworkTool", false);
    e.addProperty("requiresApproval", t.approval().mayRequireApproval());
    return e;
  }

  private static JsonObject arrays(String... keys) {
    JsonObject o = new JsonObject();
    for (String k : keys) {
      o.add(k, new JsonArray());
    }
    return o;
  }
}
