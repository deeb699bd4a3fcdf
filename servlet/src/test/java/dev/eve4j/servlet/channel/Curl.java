package dev.eve4j.servlet.channel;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a curl command as the seed documents it: the text is split into words as a POSIX shell would
 * (quotes, backslash-newline continuations, {@code $VAR} from the given variables), the seed's host
 * is replaced by the test server's, and the words are run by the real {@code curl} when it is on the
 * PATH; otherwise the same method, headers and body are sent with the JDK HttpClient.
 */
final class Curl {
  static final String SEED_HOST = "https://vessels.app";
  static final boolean INSTALLED = onPath("curl");

  /** What curl printed: status, headers (lower-case names) and body. */
  record Result(int status, Map<String, String> headers, String body) {}

  private Curl() {}

  static Result run(String command, String base, Map<String, String> vars) {
    List<String> words = words(command.replace(SEED_HOST, base), vars);
    if (words.isEmpty() || !words.get(0).equals("curl")) {
      throw new IllegalArgumentException("not a curl command: " + command);
    }
    return INSTALLED ? viaCurl(words) : viaHttpClient(words);
  }

  private static Result viaCurl(List<String> words) {
    List<String> argv = new ArrayList<>(List.of("curl", "-s", "-S", "-i", "--max-time", "10"));
    argv.addAll(words.subList(1, words.size()));
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(false).start();
      byte[] out = p.getInputStream().readAllBytes();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(15, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new AssertionError("curl failed: " + argv + "\n" + err);
      }
      return parse(new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Splits {@code curl -i} output into status, headers and body. */
  private static Result parse(String out) {
    int split = out.indexOf("\r\n\r\n");
    String head = out.substring(0, split);
    String body = out.substring(split + 4);
    String[] lines = head.split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int c = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
    }
    return new Result(status, headers, body);
  }

  private static Result viaHttpClient(List<String> words) {
    String method = null;
    String url = null;
    String data = null;
    HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Http.TIMEOUT);
    for (int i = 1; i < words.size(); i++) {
      String w = words.get(i);
      switch (w) {
        case "-X":
          method = words.get(++i);
          break;
        case "-H": {
          String h = words.get(++i);
          int c = h.indexOf(':');
          b.header(h.substring(0, c).trim(), h.substring(c + 1).trim());
          break;
        }
        case "-d":
          data = words.get(++i);
          break;
        default:
          url = w;
      }
    }
    if (method == null) {
      method = data == null ? "GET" : "POST";
    }
    if (data != null && !words.contains("Content-Type: application/json")) {
      b.header("Content-Type", "application/x-www-form-urlencoded"); // what curl -d sends
    }
    b.uri(URI.create(url)).method(method, data == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(data));
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
      Map<String, String> headers = new LinkedHashMap<>();
      r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
      return new Result(r.statusCode(), headers, r.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** POSIX-shell word splitting for the subset the seed uses. */
  static List<String> words(String s, Map<String, String> vars) {
    List<String> out = new ArrayList<>();
    StringBuilder w = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
        i++;
        continue;
      }
      if (Character.isWhitespace(c)) {
        if (w != null) {
          out.add(w.toString());
          w = null;
        }
        continue;
      }
      if (w == null) {
        w = new StringBuilder();
      }
      if (c == '\'') {
        int end = s.indexOf('\'', i + 1);
        w.append(s, i + 1, end);
        i = end;
      } else if (c == '"') {
        int j = i + 1;
        while (s.charAt(j) != '"') {
          if (s.charAt(j) == '$') {
            j = expand(s, j, vars, w);
          } else {
            w.append(s.charAt(j++));
          }
        }
        i = j;
      } else if (c == '$') {
        i = expand(s, i, vars, w) - 1;
      } else {
        w.append(c);
      }
    }
    if (w != null) {
      out.add(w.toString());
    }
    return out;
  }

  private static int expand(String s, int dollar, Map<String, String> vars, StringBuilder w) {
    int j = dollar + 1;
    while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
      j++;
    }
    String name = s.substring(dollar + 1, j);
    String v = vars.get(name);
    if (v == null) {
      throw new IllegalArgumentException("unset variable $" + name);
    }
    w.append(v);
    return j;
  }

  private static boolean onPath(String exe) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (new File(dir, exe).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
