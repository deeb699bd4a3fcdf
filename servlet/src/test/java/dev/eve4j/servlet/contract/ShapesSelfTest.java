package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The comparator must be able to fail: it accepts the golden itself and rejects each kind of deviation. */
class ShapesSelfTest {
    private static final String GOLDEN_SESSION = "wrun_01M81FV5YHNBZ8593AYWW9F0FH";

    private static List<JsonObject> golden01() {
        return Golden.scenario("01-simple-turn").events();
    }

    private static List<JsonObject> copy(List<JsonObject> events) {
        List<JsonObject> copy = new ArrayList<>();
        events.forEach(e -> copy.add(e.deepCopy()));
        return copy;
    }

    @Test
    void acceptsTheGoldenItself() {
        assertDoesNotThrow(() -> Shapes.assertSameShapes("self", golden01(), golden01(), GOLDEN_SESSION));
    }

    @Test
    void acceptsMoreOrFewerDeltasAndOtherTexts() {
        List<JsonObject> actual = copy(golden01());
        actual.add(8, actual.get(8).deepCopy()); // one more message.appended
        actual.remove(4); // one fewer reasoning.appended
        actual.get(3).getAsJsonObject("data").addProperty("modelId", "eve4j/scripted");
        assertDoesNotThrow(() -> Shapes.assertSameShapes("texts", golden01(), actual, GOLDEN_SESSION));
    }

    @Test
    void rejectsAMissingDataKey() {
        List<JsonObject> actual = copy(golden01());
        actual.get(2).getAsJsonObject("data").remove("parts");
        assertThrows(AssertionError.class, () -> Shapes.assertSameShapes("missing", golden01(), actual, GOLDEN_SESSION));
    }

    @Test
    void rejectsAnExtraDataKey() {
        List<JsonObject> actual = copy(golden01());
        actual.get(7).getAsJsonObject("data").addProperty("messageSoFar", "Echo: ");
        assertThrows(AssertionError.class, () -> Shapes.assertSameShapes("extra", golden01(), actual, GOLDEN_SESSION));
    }

    @Test
    void rejectsAChangedValueKind() {
        List<JsonObject> actual = copy(golden01());
        actual.get(1).getAsJsonObject("data").addProperty("sequence", "0");
        assertThrows(AssertionError.class, () -> Shapes.assertSameShapes("kind", golden01(), actual, GOLDEN_SESSION));
    }

    @Test
    void rejectsAChangedStableValue() {
        List<JsonObject> actual = copy(golden01());
        actual.get(12).getAsJsonObject("data").addProperty("turnId", "turn_1");
        assertThrows(AssertionError.class, () -> Shapes.assertSameShapes("stable", golden01(), actual, GOLDEN_SESSION));
    }

    @Test
    void rejectsAnExtraOrMissingEvent() {
        List<JsonObject> extra = copy(golden01());
        extra.add(12, extra.get(12).deepCopy()); // turn.completed twice
        assertThrows(AssertionError.class, () -> Shapes.assertSameShapes("extra event", golden01(), extra, GOLDEN_SESSION));
        List<JsonObject> missing = copy(golden01());
        missing.remove(10); // no message.completed
        assertThrows(AssertionError.class, () -> Shapes.assertSameShapes("missing event", golden01(), missing, GOLDEN_SESSION));
    }

    @Test
    void rejectsABadMetaIdTimestampOrDeliveryIds() {
        List<JsonObject> badId = copy(golden01());
        badId.get(0).getAsJsonObject("meta").addProperty("id", "evt_01m81fv61ek5h9rzsrp3c06hmw");
        assertThrows(AssertionError.class, () -> Shapes.assertSameShapes("id", golden01(), badId, GOLDEN_SESSION));
        List<JsonObject> badAt = copy(golden01());
        badAt.get(0).getAsJsonObject("meta").addProperty("at", "yesterday");
        assertThrows(AssertionError.class, () -> Shapes.assertSameShapes("at", golden01(), badAt, GOLDEN_SESSION));
        List<JsonObject> noIds = copy(golden01());
        noIds.get(5).getAsJsonObject("meta").remove("deliveryIds");
        assertThrows(AssertionError.class, () -> Shapes.assertSameShapes("deliveryIds", golden01(), noIds, GOLDEN_SESSION));
    }

    @Test
    void acceptsGolden15WhoseQuestionEventsCarryNoDeliveryIds() {
        List<JsonObject> golden15 = Golden.scenario("15-question").events();
        assertDoesNotThrow(() -> Shapes.assertSameShapes("self 15", golden15, copy(golden15), "wrun_01M81FXW3P1G5KMWDM1FV6NG6H"));
    }

    @Test
    void rejectsDeliveryIdsWhereTheGoldenHasNoneAndTheReverse() {
        List<JsonObject> golden15 = Golden.scenario("15-question").events();
        int bare = -1;
        int owned = -1;
        for (int i = 0; i < golden15.size(); i++) {
            boolean has = golden15.get(i).getAsJsonObject("meta").has("deliveryIds");
            if (!has && bare < 0) {
                bare = i;
            } else if (has && owned < 0) {
                owned = i;
            }
        }
        assertTrue(bare >= 0 && owned >= 0, "golden 15 has events with and without meta.deliveryIds");
        List<JsonObject> added = copy(golden15);
        added.get(bare).getAsJsonObject("meta").add("deliveryIds",
                golden15.get(owned).getAsJsonObject("meta").get("deliveryIds").deepCopy());
        assertThrows(AssertionError.class, () -> Shapes.assertSameShapes("added", golden15, added, "wrun_01M81FXW3P1G5KMWDM1FV6NG6H"));
        List<JsonObject> removed = copy(golden15);
        removed.get(owned).getAsJsonObject("meta").remove("deliveryIds");
        assertThrows(AssertionError.class, () -> Shapes.assertSameShapes("removed", golden15, removed, "wrun_01M81FXW3P1G5KMWDM1FV6NG6H"));
    }

    @Test
    void rejectsDeliveryIdsThatDoNotCorrespondOneToOne() {
        List<JsonObject> actual = copy(golden01());
        JsonArray other = new JsonArray();
        other.add("00000000-0000-0000-0000-000000000000");
        actual.get(6).getAsJsonObject("meta").add("deliveryIds", other);
        assertThrows(AssertionError.class, () -> Shapes.assertSameShapes("bijection", golden01(), actual, GOLDEN_SESSION));
    }

    @Test
    void rejectsAForeignSessionIdInData() {
        assertThrows(AssertionError.class,
                () -> Shapes.assertSameShapes("session", golden01(), golden01(), "wrun_someone_else"));
    }

    @Test
    void headerComparisonChecksPresenceAbsenceAndValues() {
        List<String[]> golden = List.of(new String[] {"cache-control", "no-store"},
                new String[] {"content-type", "application/json"});
        HttpHeaders same = HttpHeaders.of(Map.of("cache-control", List.of("no-store"),
                "content-type", List.of("application/json;charset=UTF-8")), (a, b) -> true);
        assertDoesNotThrow(() -> Shapes.assertEveHeaders("same", golden, same, new Subst(), Set.of()));
        HttpHeaders missing = HttpHeaders.of(Map.of("content-type", List.of("application/json")), (a, b) -> true);
        assertThrows(AssertionError.class, () -> Shapes.assertEveHeaders("missing", golden, missing, new Subst(), Set.of()));
        HttpHeaders extra = HttpHeaders.of(Map.of("cache-control", List.of("no-store"),
                "content-type", List.of("application/json"), "x-eve-session-id", List.of("x")), (a, b) -> true);
        assertThrows(AssertionError.class, () -> Shapes.assertEveHeaders("extra", golden, extra, new Subst(), Set.of()));
        HttpHeaders latin1 = HttpHeaders.of(Map.of("cache-control", List.of("no-store"),
                "content-type", List.of("application/json; charset=ISO-8859-1")), (a, b) -> true);
        assertThrows(AssertionError.class, () -> Shapes.assertEveHeaders("charset", golden, latin1, new Subst(), Set.of()));
    }

    @Test
    void strictParserRejectsWhatGsonWouldLenientlyAccept() {
        assertThrows(AssertionError.class, () -> Json.parseStrict("{message:'x'}"));
        assertThrows(AssertionError.class, () -> Json.parseStrict("{\"a\":1} trailing"));
        assertTrue(Json.parseStrict("{\"a\":[1,2.5,null,true]}").isJsonObject());
    }
}
