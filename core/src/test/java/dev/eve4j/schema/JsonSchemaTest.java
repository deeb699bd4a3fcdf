package dev.eve4j.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.eve4j.protocol.ErrorCode;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonSchemaTest {
  private static JsonElement json(String s) {
    return JsonParser.parseString(s);
  }

  private static JsonSchema schema(String s) {
    return JsonSchema.compile(json(s));
  }

  @Test
  void violationsNameThePathAndKeywordOfEachNestedProblem() {
    JsonSchema s = schema("""
        {"type": "object", "required": ["name", "items"],
         "properties": {
           "name": {"type": "string", "minLength": 1},
           "items": {"type": "array", "maxItems": 3, "items": {
             "type": "object", "required": ["name"], "additionalProperties": false,
             "properties": {"name": {"type": "string"}, "qty": {"type": "integer", "minimum": 1},
                            "a/b~c": {"enum": ["x", "y"]}}}}}}""");
    JsonElement instance = json("""
        {"items": [{"qty": 0, "extra": true, "a/b~c": "z"}, {"name": 5, "qty": 2.0}]}""");

    assertEquals(List.of(
        new Violation("", "required", "missing required property 'name'"),
        new Violation("/items/0", "required", "missing required property 'name'"),
        new Violation("/items/0/qty", "minimum", "must be >= 1"),
        new Violation("/items/0", "additionalProperties", "property 'extra' is not allowed"),
        new Violation("/items/0/a~1b~0c", "enum", "must be one of [\"x\",\"y\"]"),
        new Violation("/items/1/name", "type", "expected string, got integer")),
        s.validate(instance));
    assertFalse(s.isValid(instance));
    assertTrue(s.isValid(json("{\"name\": \"n\", \"items\": [{\"name\": \"a\", \"qty\": 1.0}]}")));
  }

  @Test
  void anAlternativeFailureSaysWhatEachAlternativeWanted() {
    JsonSchema s = schema("""
        {"properties": {"when": {"anyOf": [
          {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
          {"type": "object", "required": ["year"]}]}}}""");

    List<Violation> v = s.validate(json("{\"when\": \"2024-01-01\\n\"}"));

    assertEquals(1, v.size());
    assertEquals("/when", v.get(0).instancePath());
    assertEquals("anyOf", v.get(0).keyword());
    assertEquals("must match at least one schema in anyOf (0: must match the pattern"
        + " ^[0-9]{4}-[0-9]{2}-[0-9]{2}$; 1: expected object, got string)", v.get(0).message());
  }

  @Test
  void numbersCompareByValue() {
    assertTrue(schema("{\"const\": 1}").isValid(new JsonPrimitive(1.0)));
    assertTrue(schema("{\"enum\": [[1, {\"a\": 2.50}]]}").isValid(json("[1.0, {\"a\": 2.5}]")));
    assertTrue(schema("{\"type\": \"integer\"}").isValid(json("1.0")));
    assertFalse(schema("{\"type\": \"integer\"}").isValid(json("1.5")));
    assertTrue(schema("{\"multipleOf\": 0.1}").isValid(json("0.3"))); // 0.3 % 0.1 != 0 in doubles
    assertFalse(schema("{\"uniqueItems\": true}").isValid(json("[1, {\"a\": 1}, 1.00]")));
    assertTrue(schema("{\"maxLength\": 2}").isValid(new JsonPrimitive("\uD83D\uDCA9\uD83D\uDCA9")));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"minLength\": \"3\"} | invalid schema: minLength at # must be a non-negative integer, got \"3\"",
      "{\"properties\": {\"a\": {\"maxItems\": -1}}} | invalid schema: maxItems at #/properties/a must be a non-negative integer, got -1",
      "{\"type\": \"strin\"} | invalid schema: type at # must be one of [null, boolean, object, array, number, string, integer] or an array of them, got \"strin\"",
      "{\"items\": [{\"type\": \"string\"}]} | invalid schema: the schema at #/items must be an object or a boolean, got [{\"type\":\"string\"}]",
      "{\"anyOf\": []} | invalid schema: anyOf at # must be a non-empty array of schemas, got []",
      "{\"pattern\": \"(\"} | invalid schema: pattern at # is not a regular expression: Unclosed group in '('",
      "{\"$ref\": \"#/$defs/missing\"} | invalid schema: $ref '#/$defs/missing' at # cannot be resolved: the JSON pointer '/$defs/missing' points at nothing",
      "{\"$ref\": \"https://example.com/s.json\"} | invalid schema: $ref 'https://example.com/s.json' at # cannot be resolved: no schema in this document has the $id 'https://example.com/s.json' (remote references are not supported)",
      "{\"$defs\": {\"a\": {\"$ref\": \"#nowhere\"}}} | invalid schema: $ref '#nowhere' at #/$defs/a cannot be resolved: no $anchor 'nowhere' in 'eve4j:/schema.json'",
      "42 | invalid schema: the schema at # must be an object or a boolean, got 42",
  })
  void aBadSchemaFailsToCompileNamingTheKeywordAndWhere(String schema, String message) {
    SchemaException e = assertThrows(SchemaException.class, () -> schema(schema));
    assertEquals(message, e.getMessage());
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
  }

  @Test
  void aReferenceCycleIsReportedInsteadOfOverflowingTheStack() {
    JsonSchema s = schema("""
        {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
         "properties": {"x": {"$ref": "#/$defs/a"}}}""");

    assertTrue(s.isValid(json("{\"y\": 1}"))); // the cycle is only reached through "x"
    assertFalse(s.isValid(json("{\"x\": 1}")));
    List<Violation> v = s.validate(json("{\"x\": 1}"));
    assertEquals(1, v.size());
    assertEquals("/x", v.get(0).instancePath());
    assertEquals("$ref", v.get(0).keyword());
    assertTrue(v.get(0).message().contains("reference cycle"), v.get(0).message());
  }

  @Test
  void recursionThatDescendsIntoTheInstanceIsNotACycle() {
    JsonSchema tree = schema("""
        {"$defs": {"node": {"type": "object", "required": ["v"],
          "properties": {"v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
         "$ref": "#/$defs/node"}""");
    JsonObject root = new JsonObject();
    JsonObject cur = root;
    for (int i = 0; i < 200; i++) {
      cur.addProperty("v", i);
      JsonObject kid = new JsonObject();
      JsonArray kids = new JsonArray();
      kids.add(kid);
      cur.add("kids", kids);
      cur = kid;
    }
    cur.addProperty("v", "leaf");

    assertEquals(List.of(new Violation("/kids/0".repeat(200) + "/v", "type", "expected integer, got string")),
        tree.validate(root));
  }

  @Test
  void patternsFollowEcmaScriptWhereJavaDiffers() {
    assertFalse(schema("{\"pattern\": \"^a$\"}").isValid(new JsonPrimitive("a\n")));
    assertTrue(schema("{\"pattern\": \"^\\\\s$\"}").isValid(new JsonPrimitive("\u00a0")));
    assertTrue(schema("{\"pattern\": \"^\\\\p{Letter}+$\"}").isValid(new JsonPrimitive("πa")));
    assertTrue(schema("{\"pattern\": \"^[a&&b]+$\"}").isValid(new JsonPrimitive("a&b")));
  }

  @Test
  void theCompiledSchemaDoesNotShareTheCallersJson() {
    JsonObject doc = json("{\"const\": {\"a\": 1}}").getAsJsonObject();
    JsonSchema s = JsonSchema.compile(doc);
    doc.getAsJsonObject("const").addProperty("a", 2);
    s.schema().getAsJsonObject().add("const", new JsonPrimitive(3));

    assertTrue(s.isValid(json("{\"a\": 1}")));
    assertEquals(json("{\"const\": {\"a\": 1}}"), s.schema());
  }

  @Test
  void oneCompiledSchemaServesManyThreads() {
    JsonSchema s = schema("""
        {"type": "array", "items": {"type": "object", "required": ["id"],
          "properties": {"id": {"type": "integer"}}, "unevaluatedProperties": false}}""");
    List<String> failures = IntStream.range(0, 2000).parallel().mapToObj(i -> {
      JsonElement instance = json(i % 2 == 0 ? "[{\"id\": " + i + "}]" : "[{\"id\": " + i + "}, {\"x\": 1}]");
      List<Violation> expected = i % 2 == 0 ? List.of() : List.of(
          new Violation("/1", "required", "missing required property 'id'"),
          new Violation("/1", "unevaluatedProperties", "property 'x' is not allowed"));
      return expected.equals(s.validate(instance)) && expected.isEmpty() == s.isValid(instance) ? null : "case " + i;
    }).filter(f -> f != null).toList();
    assertEquals(List.of(), failures);
  }
}
