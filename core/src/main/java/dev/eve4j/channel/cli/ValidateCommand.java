package dev.eve4j.channel.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.channel.ChannelException;
import dev.eve4j.channel.ChannelJson;
import dev.eve4j.channel.PayloadValidator;
import dev.eve4j.channel.Validation;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code validate}: checks a push payload offline with the server's own validator. Push and
 * push/many are told apart by a {@code vessels} field. Exit 0 when valid; 1 with a bulleted list of
 * errors; 2 for a usage error or an unreadable file.
 *
 * <pre>
 * validate payload.json
 * cat payload.json | validate          (or: validate -)
 * validate --message "New booking" [--vessel booking-123]
 * </pre>
 */
public final class ValidateCommand {
  static final String USAGE = "usage: validate <payload.json> | validate [-] (JSON on stdin) | "
      + "validate --message <text> [--vessel <id>]";

  private ValidateCommand() {}

  /** Runs the command; {@code args} may start with the word {@code validate}. Never calls System.exit. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    int i = args.length > 0 && args[0].equals("validate") ? 1 : 0;
    String file = null;
    String message = null;
    String vessel = null;
    for (; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--message":
        case "-m":
          if (++i == args.length) {
            return usage(err, "--message needs a value");
          }
          message = args[i];
          break;
        case "--vessel":
          if (++i == args.length) {
            return usage(err, "--vessel needs a value");
          }
          vessel = args[i];
          break;
        case "-h":
        case "--help":
          out.println(USAGE);
          return 0;
        default:
          if (a.startsWith("--") || file != null) {
            return usage(err, "unexpected argument '" + a + "'");
          }
          file = a;
      }
    }
    if (file != null && (message != null || vessel != null)) {
      return usage(err, "give a file (or stdin) or --message, not both");
    }
    if (vessel != null && message == null) {
      return usage(err, "--vessel goes with --message");
    }
    JsonElement payload;
    if (message != null) {
      JsonObject o = new JsonObject();
      o.addProperty("vessel", vessel == null ? "cli" : vessel);
      o.addProperty("message", message);
      payload = o;
    } else {
      String text;
      try {
        text = file == null || file.equals("-") ? new String(in.readAllBytes(), StandardCharsets.UTF_8)
            : Files.readString(Path.of(file), StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        err.println("validate: no such file: " + file);
        return 2;
      } catch (IOException e) {
        err.println("validate: cannot read " + (file == null ? "stdin" : file) + ": " + e.getMessage());
        return 2;
      }
      try {
        payload = ChannelJson.parse(text);
      } catch (ChannelException e) {
        out.println("Invalid payload: 1 error");
        out.println("  - " + e.error());
        return 1;
      }
    }
    Validation v = PayloadValidator.auto(payload);
    if (v.valid()) {
      JsonElement many = payload.getAsJsonObject().get("vessels");
      int n = many instanceof JsonArray ? many.getAsJsonArray().size() : 1;
      out.println("Valid " + v.kind() + " payload (" + n + (n == 1 ? " vessel)" : " vessels)"));
      return 0;
    }
    int n = v.errors().size();
    out.println("Invalid " + v.kind() + " payload: " + n + (n == 1 ? " error" : " errors"));
    for (String line : v.lines()) {
      out.println("  - " + line);
    }
    return 1;
  }

  private static int usage(PrintStream err, String problem) {
    err.println("validate: " + problem);
    err.println(USAGE);
    return 2;
  }
}
