package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** §4 {@code /info} of the demo agent: its three tools, shaped like the tool entries of golden {@code 00-health-info}. */
@Timeout(60)
class ToolInfoContractTest {
    /** The strict top-level key set of agent-info v5 (as in {@link HealthAndInfoContractTest}). */
    private static final Set<String> INFO_REQUIRED = Set.of(
            "agent", "capabilities", "channels", "composition", "connections", "diagnostics", "hooks", "instructions",
            "kernelEffects", "kind", "memories", "mode", "remoteAgents", "sandbox", "schedules", "skills", "subagents",
            "tools", "version", "workspace");
    private static final Set<String> INFO_OPTIONAL = Set.of("instrumentation");
    /** Values of a golden tool entry that are facts about the tool, not about the recording host's file layout. */
    private static final List<String> TOOL_FACTS = List.of(
            "description", "hasAuth", "hasExecute", "hasModelOutputProjection", "hasOutputSchema", "inputSchema", "name",
            "requiresApproval", "sourceKind");

    private static EveTestServer server;
    private static EveClient client;
    private static JsonObject goldenInfo;

    @BeforeAll
    static void start() {
        goldenInfo = Json.object(Golden.scenario("00-health-info").exchange(3).body());
        server = EveTestServer.start();
        client = server.client();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Map<String, JsonObject> staticTools(JsonObject info) {
        Map<String, JsonObject> tools = new LinkedHashMap<>();
        for (JsonElement t : info.getAsJsonObject("tools").getAsJsonArray("static")) {
            tools.put(Json.string(t.getAsJsonObject(), "name"), t.getAsJsonObject());
        }
        return tools;
    }

    @Test
    void infoListsLookupDeployAndAskQuestionWithSchemasAndApprovalFlags() {
        EveClient.Response response = client.get("/info");
        assertEquals(200, response.status(), response::toString);
        JsonObject info = response.json();
        Set<String> keys = new TreeSet<>(info.keySet());
        Set<String> missing = new TreeSet<>(INFO_REQUIRED);
        missing.removeAll(keys);
        Set<String> unknown = new TreeSet<>(keys);
        unknown.removeAll(INFO_REQUIRED);
        unknown.removeAll(INFO_OPTIONAL);
        assertTrue(missing.isEmpty() && unknown.isEmpty(),
                () -> "info top-level keys: missing " + missing + ", not allowed by the strict schema " + unknown);
        assertEquals(5, info.get("version").getAsInt());

        Map<String, JsonObject> ours = staticTools(info);
        assertEquals(new TreeSet<>(Set.of("lookup", "deploy", "ask_question")), new TreeSet<>(ours.keySet()),
                "the demo agent's tools (static)");
        assertEquals(0, info.getAsJsonObject("tools").getAsJsonArray("dynamic").size(), "no dynamic tools");

        Map<String, JsonObject> golden = staticTools(goldenInfo);
        // lookup and deploy are the golden app's tools: same entry keys, same facts
        for (String name : List.of("lookup", "deploy")) {
            JsonObject g = golden.get(name);
            JsonObject a = ours.get(name);
            assertEquals(new TreeSet<>(g.keySet()), new TreeSet<>(a.keySet()), "info tool entry keys of " + name);
            for (String fact : TOOL_FACTS) {
                assertEquals(g.get(fact), a.get(fact), "info tool " + name + "." + fact + " (golden 00 #3)");
            }
        }
        assertTrue(ours.get("deploy").get("requiresApproval").getAsBoolean(), "deploy requires approval");
        assertTrue(!ours.get("lookup").get("requiresApproval").getAsBoolean(), "lookup does not");

        // ask_question: an entry shaped like the golden's entries (with or without an outputSchema), input schema
        // accepting the question the golden mock asks
        JsonObject ask = ours.get("ask_question");
        assertTrue(!ask.get("requiresApproval").getAsBoolean(), "ask_question needs no approval");
        assertEquals(ask.get("hasOutputSchema").getAsBoolean(), ask.has("outputSchema"),
                "hasOutputSchema agrees with the presence of outputSchema");
        List<Set<String>> goldenKeySets = new ArrayList<>();
        golden.values().forEach(g -> goldenKeySets.add(new TreeSet<>(g.keySet())));
        assertTrue(goldenKeySets.contains(new TreeSet<>(ask.keySet())),
                () -> "ask_question entry keys " + new TreeSet<>(ask.keySet()) + " match no golden tool entry " + goldenKeySets);
        JsonObject schema = ask.getAsJsonObject("inputSchema");
        assertEquals("object", Json.string(schema, "type"));
        assertTrue(schema.getAsJsonObject("properties").has("question") && schema.getAsJsonObject("properties").has("options"),
                () -> "ask_question input schema: " + schema);
        assertEquals(Json.parseStrict("[\"question\"]"), schema.get("required"), "ask_question requires only the question");
        for (JsonObject entry : ours.values()) {
            assertTrue(entry.get("inputSchema").isJsonObject(), () -> "inputSchema of " + entry);
            assertTrue(entry.get("requiresApproval").getAsJsonPrimitive().isBoolean(), () -> "requiresApproval of " + entry);
        }
    }
}
