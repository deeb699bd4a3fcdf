package dev.eve4j.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * The {@code GET /info} payload: agent-info version 5, the strict schema the eve 0.80.1 client
 * validates (every key required, no extra key anywhere), listing the agent's tools with their input
 * schemas and whether they may need approval. eve4j agents are described as a
 * programmatic module owned by the application.
 */
public final class AgentInfo {
  private static final com.google.gson.Gson WITH_NULLS =
      new com.google.gson.GsonBuilder().serializeNulls().disableHtmlEscaping().create();

  private AgentInfo() {}

  /** A tool as {@code /info} lists it. */
  public record ToolEntry(String name, String description, JsonObject inputSchema, boolean requiresApproval) {}

  /** The payload as JSON text (nulls kept: the schema requires {@code workspace.resourceRoot: null}). */
  public static String json(String agentName, String modelId, java.util.List<ToolEntry> tools) {
    return WITH_NULLS.toJson(payload(agentName, modelId, tools));
  }

  /** The payload for an agent with this name and model id ({@code provider/model} or a bare id). */
  public static JsonObject payload(String agentName, String modelId, java.util.List<ToolEntry> tools) {
    JsonObject agent = new JsonObject();
    agent.addProperty("agentRoot", "/eve4j/agent");
    agent.addProperty("appRoot", "/eve4j");
    agent.add("config", moduleSource("agent.java"));
    JsonObject model = new JsonObject();
    model.addProperty("id", modelId);
    JsonObject routing = new JsonObject();
    routing.addProperty("kind", "external");
    int slash = modelId.indexOf('/');
    routing.addProperty("provider", slash > 0 ? modelId.substring(0, slash) : modelId);
    model.add("routing", routing);
    agent.add("model", model);
    agent.addProperty("name", agentName);
    agent.addProperty("nodeId", "__root__");

    JsonObject o = new JsonObject();
    o.add("agent", agent);
    JsonObject capabilities = new JsonObject();
    capabilities.addProperty("devRoutes", false);
    o.add("capabilities", capabilities);
    o.add("channels", lists("routes", "shadowed"));
    o.add("composition", lists("disabled", "shadowed"));
    o.add("connections", new JsonArray());
    JsonObject diagnostics = new JsonObject();
    diagnostics.addProperty("discoveryErrors", 0);
    diagnostics.addProperty("discoveryWarnings", 0);
    o.add("diagnostics", diagnostics);
    o.add("hooks", new JsonArray());
    o.add("instructions", lists("dynamic", "static"));
    o.add("kernelEffects", new JsonArray());
    o.addProperty("kind", "eve-agent-info");
    o.add("memories", new JsonArray());
    o.addProperty("mode", "production");
    JsonObject remoteAgents = new JsonObject();
    remoteAgents.add("entries", new JsonArray());
    remoteAgents.addProperty("total", 0);
    o.add("remoteAgents", remoteAgents);
    JsonObject sandbox = new JsonObject();
    sandbox.addProperty("logicalPath", "sandbox");
    sandbox.add("owner", applicationOwner());
    sandbox.addProperty("sourceId", "sandbox");
    sandbox.addProperty("sourceKind", "markdown");
    sandbox.addProperty("revisionHash", "none");
    o.add("sandbox", sandbox);
    o.add("schedules", new JsonArray());
    o.add("skills", lists("dynamic", "static"));
    JsonObject subagents = new JsonObject();
    subagents.add("local", new JsonArray());
    subagents.addProperty("total", 0);
    o.add("subagents", subagents);
    JsonObject toolLists = lists("dynamic", "static");
    for (ToolEntry t : tools) {
      JsonObject entry = moduleSource("tools/" + t.name() + ".java");
      entry.addProperty("description", t.description());
      entry.addProperty("hasAuth", false);
      entry.addProperty("hasExecute", true);
      entry.addProperty("hasModelOutputProjection", false);
      entry.addProperty("hasOutputSchema", false);
      entry.add("inputSchema", t.inputSchema());
      entry.addProperty("name", t.name());
      entry.addProperty("requiresApproval", t.requiresApproval());
      toolLists.getAsJsonArray("static").add(entry);
    }
    o.add("tools", toolLists);
    o.addProperty("version", 5);
    JsonObject workspace = new JsonObject();
    workspace.add("resourceRoot", com.google.gson.JsonNull.INSTANCE);
    workspace.add("rootEntries", new JsonArray());
    o.add("workspace", workspace);
    return o;
  }

  private static JsonObject moduleSource(String path) {
    JsonObject backing = new JsonObject();
    backing.addProperty("kind", "filesystem");
    backing.add("externalDependencies", new JsonArray());
    backing.addProperty("sourcePath", path);
    JsonObject binding = new JsonObject();
    binding.add("backing", backing);
    binding.addProperty("logicalPath", path);
    binding.add("owner", applicationOwner());
    JsonObject source = new JsonObject();
    source.addProperty("logicalPath", path);
    source.add("owner", applicationOwner());
    source.addProperty("sourceId", path);
    source.addProperty("sourceKind", "module");
    source.add("binding", binding);
    return source;
  }

  private static JsonObject applicationOwner() {
    JsonObject owner = new JsonObject();
    owner.addProperty("kind", "application");
    return owner;
  }

  private static JsonObject lists(String a, String b) {
    JsonObject o = new JsonObject();
    o.add(a, new JsonArray());
    o.add(b, new JsonArray());
    return o;
  }
}
