package dev.eve4j.channel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.channel.Scope;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.FileJournalOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandsTest {
  @TempDir
  Path dir;

  /** Exit code, stdout, stderr of one run. */
  private record Run(int code, String out, String err) {}

  private static Run validate(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ValidateCommand.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Run keys(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = KeysCommand.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void validatesAFileStdinOrAnInlineMessage() throws IOException {
    Path file = dir.resolve("payload.json");
    Files.writeString(file, "{\"vessel\":\"booking-123\",\"message\":\"New booking\",\"interaction\":{\"type\":"
        + "\"approval\",\"prompt\":\"Confirm?\"}}");
    assertEquals(new Run(0, "Valid push payload (1 vessel)\n", ""), validate("", "validate", file.toString()));
    assertEquals(new Run(0, "Valid push/many payload (2 vessels)\n", ""),
        validate("{\"vessels\":[\"a\",\"b\"],\"message\":\"hi\"}"));
    assertEquals(0, validate("{\"vessel\":\"a\",\"message\":\"hi\"}", "-").code());
    assertEquals(new Run(0, "Valid push payload (1 vessel)\n", ""),
        validate("", "--message", "New booking", "--vessel", "booking-123"));
    assertEquals(0, validate("", "validate", "--message", "No vessel given").code());
  }

  @Test
  void listsEveryErrorAndExits1() {
    Run r = validate("{\"vessel\":\"b1\",\"suggestions\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"],"
        + "\"interaction\":{\"type\":\"poll\"}}");
    assertEquals(1, r.code());
    assertEquals("Invalid push payload: 4 errors\n"
        + "  - interaction.type: Invalid discriminator value. Expected 'approval' | 'choice' | 'checklist' | "
        + "'text_input' | 'questions', received 'poll'\n"
        + "  - interaction.prompt: Required\n"
        + "  - suggestions: Array must contain at most 5 element(s)\n"
        + "  - message: Required: a push needs one of message, title, agentActivity or tokenStream\n", r.out());
    Run many = validate("{\"vessels\":[],\"message\":\"m\"}");
    assertEquals(new Run(1, "Invalid push/many payload: 1 error\n"
        + "  - vessels: Array must contain at least 1 element(s)\n", ""), many);
    Run broken = validate("{\"vessel\": ");
    assertEquals(1, broken.code());
    assertTrue(broken.out().startsWith("Invalid payload: 1 error\n  - Malformed JSON"), broken.out());
    assertEquals(1, validate("", "--message", "").code());
  }

  @Test
  void usageErrorsExit2() {
    assertEquals(2, validate("", "--bogus").code());
    assertEquals(2, validate("", "a.json", "b.json").code());
    assertEquals(2, validate("", "--vessel", "x").code());
    Run missing = validate("", dir.resolve("nope.json").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("no such file"));
  }

  @Test
  void keysAreCreatedListedAndRevokedInAStoreDirectory() {
    String d = dir.resolve("channel").toString();
    Run created = keys("keys", "create", "--name", "dashboard", "--scopes", "read", "--dir", d);
    assertEquals(0, created.code(), created.err());
    Matcher m = Pattern.compile("VESSELS_API_KEY=(vsl_\\S+)").matcher(created.out());
    assertTrue(m.find(), created.out());
    String secret = m.group(1);
    Matcher id = Pattern.compile("Created key (key_\\S+) \\(read\\)").matcher(created.out());
    assertTrue(id.find(), created.out());
    Run list = keys("list", "--dir", d);
    assertTrue(list.out().contains(id.group(1)) && list.out().contains("dashboard") && !list.out().contains(secret),
        list.out());
    try (EventJournal j = EventJournal.file(Path.of(d), FileJournalOptions.defaults())) {
      assertEquals(Set.of(Scope.READ), OperatorChannel.open(j).authenticate(secret).orElseThrow().scopes());
      Run locked = keys("list", "--dir", d);
      assertEquals(2, locked.code(), "the running server holds the store");
      assertTrue(locked.err().contains("/api/v1/keys"), locked.err());
    }
    assertEquals(0, keys("revoke", id.group(1), "--dir", d).code());
    assertEquals(1, keys("revoke", "key_unknown", "--dir", d).code());
    try (EventJournal j = EventJournal.file(Path.of(d), FileJournalOptions.defaults())) {
      assertTrue(OperatorChannel.open(j).authenticate(secret).isEmpty());
    }
    assertEquals(2, keys("create", "--scopes", "write", "--dir", d).code());
    assertEquals(2, keys("create").code());
  }
}
