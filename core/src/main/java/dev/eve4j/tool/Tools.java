package dev.eve4j.tool;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;

/** Built-in tools. */
public final class Tools {
  private Tools() {}

  /**
   * {@code ask_question}: lets the model ask the user (input {@code {question, options?:[{label,
   * description?}]}}); the output is {@code {answer, status:"answered"}}, the answer being the chosen
   * option's label or the user's own words.
   */
  public static Tool askQuestion() {
    JsonObject schema = JsonParser.parseString("{\"type\":\"object\",\"properties\":{"
        + "\"question\":{\"type\":\"string\",\"minLength\":1},"
        + "\"options\":{\"type\":\"array\",\"maxItems\":10,\"items\":{\"type\":\"object\",\"properties\":{"
        + "\"label\":{\"type\":\"string\",\"minLength\":1},\"description\":{\"type\":\"string\"}},"
        + "\"required\":[\"label\"]}}},\"required\":[\"question\"]}").getAsJsonObject();
    return Tool.builder("ask_question")
        .description("Ask the user a question and wait for the answer. Use it only when you cannot make good "
            + "progress without the user's input. Offer 2-3 options for a decision; the user can always answer "
            + "in their own words. The result's `answer` is the chosen option's label or the user's own words.")
        .inputSchema(schema)
        .executeAsync((input, ctx) -> {
          List<Question.Option> options = new ArrayList<>();
          JsonElement opts = input.get("options");
          if (opts != null && opts.isJsonArray()) {
            for (JsonElement o : (JsonArray) opts) {
              JsonObject oo = o.getAsJsonObject();
              options.add(new Question.Option(oo.get("label").getAsString(),
                  oo.has("description") ? oo.get("description").getAsString() : null));
            }
          }
          return ctx.ask(new Question(input.get("question").getAsString(), options, true)).thenApply(answer -> {
            JsonObject out = new JsonObject();
            out.addProperty("answer", answer.value());
            out.addProperty("status", "answered");
            return out;
          });
        })
        .build();
  }
}
