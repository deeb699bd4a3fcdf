package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** §3 and §4; golden {@code 00-health-info}. */
@Timeout(60)
class HealthAndInfoContractTest {
    private static final Set<String> INFO_REQUIRED = Set.of(
            "agent", "capabilities", "channels", "composition", "connections", "diagnostics", "hooks", "instructions",
            "kernelEffects", "kind", "memories", "mode", "remoteAgents", "sandbox", "schedules", "skills", "subagents",
            "tools", "version", "workspace");
    private static final Set<String> INFO_OPTIONAL = Set.of("instrumentation");

    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden;

    @BeforeAll
    static void start() {
        golden = Golden.scenario("00-health-info");
        server = EveTestServer.start();
        client = server.client();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void healthGetAnswersTheExactGoldenBody() {
        Golden.Exchange exchange = golden.exchange(1);
        EveClient.Response response = Replay.assertReplays(client, exchange, Subst.forServer(server));
        assertEquals("{\"ok\":true,\"status\":\"ready\",\"workflowId\":\"workflow//eve//workflowEntry\"}", response.body());
    }

    @Test
    void healthHeadAnswers200WithoutBody() {
        Golden.Exchange exchange = golden.exchange(2);
        EveClient.Response response = client.head("/health");
        assertEquals(exchange.status(), response.status(), response::toString);
        assertEquals("", response.body(), "HEAD must not carry a body");
        Shapes.assertEveHeaders(exchange.describe(), exchange.responseHeaders(), response.headers(), new Subst(), Set.of());
    }

    @Test
    void infoIsAgentInfoVersion5WithTheStrictTopLevelKeySet() {
        Golden.Exchange exchange = golden.exchange(3);
        EveClient.Response response = client.get("/info");
        assertEquals(200, response.status(), response::toString);
        Shapes.assertEveHeaders(exchange.describe(), exchange.responseHeaders(), response.headers(), new Subst(), Set.of());
        JsonObject info = response.json();
        assertEquals(5, info.get("version").getAsInt(), "agent-info version");
        assertTrue(info.get("version").getAsJsonPrimitive().isNumber(), "version must be the number 5");
        assertEquals("eve-agent-info", Json.string(info, "kind"));
        Set<String> keys = new TreeSet<>(info.keySet());
        Set<String> missing = new TreeSet<>(INFO_REQUIRED);
        missing.removeAll(keys);
        Set<String> unknown = new TreeSet<>(keys);
        unknown.removeAll(INFO_REQUIRED);
        unknown.removeAll(INFO_OPTIONAL);
        assertTrue(missing.isEmpty() && unknown.isEmpty(),
                () -> "info top-level keys: missing " + missing + ", not allowed by the strict schema " + unknown);
        assertTrue(Set.of("development", "production").contains(Json.string(info, "mode")), "mode");
    }

    @Test
    void infoNamesOurAgentAndModel() {
        JsonObject info = client.get("/info").json();
        JsonObject agent = info.getAsJsonObject("agent");
        for (String key : new String[] {"agentRoot", "appRoot", "config", "model", "name", "nodeId"}) {
            assertTrue(agent.has(key), () -> "info.agent lacks required '" + key + "': " + agent);
        }
        assertEquals(server.runtime().agent().name(), Json.string(agent, "name"), "info.agent.name");
        assertEquals(server.runtime().agent().model().id(), Json.string(agent.getAsJsonObject("model"), "id"),
                "info.agent.model.id");
        JsonObject subagents = info.getAsJsonObject("subagents");
        assertEquals(subagents.getAsJsonArray("local").size(), subagents.get("total").getAsInt(),
                "subagents.total must equal the array length");
        JsonObject remote = info.getAsJsonObject("remoteAgents");
        assertEquals(remote.getAsJsonArray("entries").size(), remote.get("total").getAsInt(),
                "remoteAgents.total must equal the array length");
    }
}
