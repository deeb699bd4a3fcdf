package dev.eve4j.servlet.contract;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashSet;
import java.util.Set;

/** Small JSON helpers for the contract tests. Stateless and thread-safe. */
final class Json {
    private static final Gson GSON = new Gson();

    private Json() {}

    /** Parses one complete JSON document strictly (RFC 8259): Gson's lenient defaults would accept broken lines. */
    static JsonElement parseStrict(String text) {
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = GSON.getAdapter(JsonElement.class).read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new AssertionError("trailing data after the JSON value: " + abbreviate(text));
            }
            return element;
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new AssertionError("not valid JSON: " + abbreviate(text), e);
        }
    }

    static JsonObject object(String text) {
        JsonElement element = parseStrict(text);
        if (!element.isJsonObject()) {
            throw new AssertionError("expected a JSON object but got: " + abbreviate(text));
        }
        return element.getAsJsonObject();
    }

    static Set<String> keys(JsonObject object) {
        return new LinkedHashSet<>(object.keySet());
    }

    /** The JSON value kind used by the shape comparison. */
    static String kind(JsonElement element) {
        if (element == null || element.isJsonNull()) {
            return "null";
        }
        if (element.isJsonObject()) {
            return "object";
        }
        if (element.isJsonArray()) {
            return "array";
        }
        var primitive = element.getAsJsonPrimitive();
        if (primitive.isBoolean()) {
            return "boolean";
        }
        if (primitive.isNumber()) {
            return "number";
        }
        return "string";
    }

    static String string(JsonObject object, String key) {
        JsonElement value = object.get(key);
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw new AssertionError("expected string '" + key + "' in " + object);
        }
        return value.getAsString();
    }

    static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= 400 ? text : text.substring(0, 400) + "…(" + text.length() + " chars)";
    }
}
