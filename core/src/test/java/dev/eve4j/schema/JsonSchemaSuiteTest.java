package dev.eve4j.schema;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The official JSON-Schema-Test-Suite, draft 2020-12: one dynamic test per keyword file, each
 * requiring every case to pass. The suite lives outside the repository (in {@code
 * shared/jsonschema-test-suite} next to an ancestor of the working directory, or where the system
 * property {@code eve4j.jsonschemaSuite} says); a missing suite fails the build rather than
 * passing it silently.
 */
class JsonSchemaSuiteTest {
  static final String SUITE_PROPERTY = "eve4j.jsonschemaSuite";

  /** Whole files we do not claim, and why. They still run, for information only. */
  static final Map<String, String> UNSUPPORTED_FILES = Map.of(
      "refRemote.json", "remote references: every group $refs a schema served at http://localhost:1234",
      "defs.json", "both cases validate a schema against the 2020-12 meta-schema, a remote document",
      "vocabulary.json", "custom meta-schemas and $vocabulary: both groups name a remote meta-schema");

  /** Single groups of supported files that need a remote document ("file|group" -> why). */
  static final Map<String, String> SKIPPED_GROUPS = Map.of(
      "ref.json|remote ref, containing refs itself",
      "$refs the 2020-12 meta-schema at https://json-schema.org/draft/2020-12/schema (remote)",
      "dynamicRef.json|strict-tree schema, guards against misspelled properties",
      "$refs http://localhost:1234/draft2020-12/tree.json (remote)",
      "dynamicRef.json|tests for implementation dynamic anchor and reference link",
      "$refs http://localhost:1234/draft2020-12/extendible-dynamic-ref.json (remote)",
      "dynamicRef.json|$ref and $dynamicAnchor are independent of order - $defs first",
      "$refs http://localhost:1234/draft2020-12/extendible-dynamic-ref.json (remote)",
      "dynamicRef.json|$ref and $dynamicAnchor are independent of order - $ref first",
      "$refs http://localhost:1234/draft2020-12/extendible-dynamic-ref.json (remote)",
      "dynamicRef.json|$ref to $dynamicRef finds detached $dynamicAnchor",
      "$refs http://localhost:1234/draft2020-12/detached-dynamicref.json (remote)");

  private static final Map<String, String> SUMMARY = new TreeMap<>();

  @TestFactory
  Stream<DynamicTest> draft2020_12() throws IOException {
    Path dir = suiteDirectory();
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertTrue(files.size() > 20, "expected the draft 2020-12 keyword files in " + dir + ", found " + files);
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> runFile(f)));
  }

  private static void runFile(Path file) throws IOException {
    String name = file.getFileName().toString();
    JsonElement groups;
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      groups = JsonParser.parseReader(r);
    }
    int passed = 0;
    int total = 0;
    int skipped = 0;
    List<String> failures = new ArrayList<>();
    Set<String> skippedGroups = new HashSet<>();
    for (JsonElement g : groups.getAsJsonArray()) {
      JsonObject group = g.getAsJsonObject();
      String groupName = group.get("description").getAsString();
      int cases = group.getAsJsonArray("tests").size();
      if (SKIPPED_GROUPS.containsKey(name + "|" + groupName)) {
        skippedGroups.add(name + "|" + groupName);
        skipped += cases;
        continue;
      }
      total += cases;
      JsonSchema schema;
      try {
        schema = JsonSchema.compile(group.get("schema"));
      } catch (SchemaException e) {
        failures.add(groupName + ": does not compile: " + e.getMessage());
        continue;
      }
      for (JsonElement t : group.getAsJsonArray("tests")) {
        JsonObject test = t.getAsJsonObject();
        boolean expected = test.get("valid").getAsBoolean();
        JsonElement data = test.get("data");
        boolean valid = schema.isValid(data);
        List<Violation> violations = schema.validate(data);
        if (valid == expected && violations.isEmpty() == expected) {
          passed++;
        } else {
          failures.add(groupName + " / " + test.get("description").getAsString() + ": expected "
              + (expected ? "valid" : "invalid") + ", isValid=" + valid + ", violations=" + violations);
        }
      }
    }
    for (String key : SKIPPED_GROUPS.keySet()) {
      if (key.startsWith(name + "|") && !skippedGroups.contains(key)) {
        failures.add("SKIPPED_GROUPS names a group this file does not have (stale entry): " + key);
      }
    }
    String reason = UNSUPPORTED_FILES.get(name);
    String line = String.format("%-30s %3d/%-3d", name, passed, total)
        + (skipped > 0 ? "  (" + skipped + " cases of groups listed in SKIPPED_GROUPS not run)" : "")
        + (reason != null ? "  UNSUPPORTED, not asserted: " + reason : "");
    synchronized (SUMMARY) {
      SUMMARY.put(name, line);
    }
    if (reason == null && !failures.isEmpty()) {
      fail(name + ": " + failures.size() + " of " + total + " cases fail:\n  " + String.join("\n  ", failures));
    }
  }

  @AfterAll
  static void printSummary() {
    StringBuilder sb = new StringBuilder("JSON-Schema-Test-Suite draft2020-12, cases passed per file:\n");
    synchronized (SUMMARY) {
      SUMMARY.values().forEach(l -> sb.append("  ").append(l).append('\n'));
    }
    SKIPPED_GROUPS.forEach((k, why) -> sb.append("  skipped group ").append(k).append(": ").append(why).append('\n'));
    System.out.print(sb);
  }

  /** The draft 2020-12 directory of the suite; fails (never skips) when there is none. */
  static Path suiteDirectory() {
    String configured = System.getProperty(SUITE_PROPERTY);
    Path suite = null;
    if (configured != null && !configured.isBlank()) {
      suite = Paths.get(configured);
    } else {
      for (Path d = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
        Path candidate = d.resolve("shared").resolve("jsonschema-test-suite");
        if (Files.isDirectory(candidate)) {
          suite = candidate;
          break;
        }
      }
    }
    if (suite == null) {
      fail("JSON-Schema-Test-Suite not found: no shared/jsonschema-test-suite next to any ancestor of "
          + System.getProperty("user.dir") + "; set -D" + SUITE_PROPERTY + "=<suite dir>");
    }
    // The upstream layout is tests/draft2020-12; the shared copy keeps draft2020-12 at its top.
    for (Path dir : List.of(suite.resolve("tests").resolve("draft2020-12"), suite.resolve("draft2020-12"))) {
      if (Files.isDirectory(dir)) {
        return dir;
      }
    }
    return fail("JSON-Schema-Test-Suite at " + suite + " has no draft2020-12 directory");
  }
}
