package dev.eve4j.channel.cli;

import dev.eve4j.channel.ApiKey;
import dev.eve4j.channel.ChannelException;
import dev.eve4j.channel.CreatedApiKey;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.channel.Scope;
import dev.eve4j.channel.Workspace;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.FileJournalOptions;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code keys}: creates, lists and revokes API keys of the channel stored in a directory (the file
 * journal the server uses for the channel; the server must not be running, it locks the directory;
 * with the server up, use {@code POST /api/v1/keys}). Exit 0 on success, 1 for an unknown key, 2 for
 * a usage error or a store that cannot be opened.
 *
 * <pre>
 * keys create [--name &lt;name&gt;] [--scopes read,push] [--workspace &lt;id&gt;] --dir &lt;channel-dir&gt;
 * keys list [--workspace &lt;id&gt;] --dir &lt;channel-dir&gt;
 * keys revoke &lt;key-id&gt; --dir &lt;channel-dir&gt;
 * </pre>
 */
public final class KeysCommand {
  static final String USAGE = "usage: keys create [--name <name>] [--scopes read,push] [--workspace <id>] --dir <dir>"
      + " | keys list [--workspace <id>] --dir <dir> | keys revoke <key-id> --dir <dir>";

  private KeysCommand() {}

  /** Opens the store in {@code --dir}, runs the command and closes it. {@code args} may start with {@code keys}. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    List<String> rest = new ArrayList<>();
    String dir = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--dir")) {
        if (++i == args.length) {
          return usage(err, "--dir needs a value");
        }
        dir = args[i];
      } else {
        rest.add(args[i]);
      }
    }
    if (dir == null) {
      return usage(err, "--dir <channel-dir> is required");
    }
    EventJournal journal;
    try {
      journal = EventJournal.file(Path.of(dir),
          FileJournalOptions.defaults().withDurability(FileJournalOptions.Durability.FSYNC_EACH));
    } catch (IllegalStateException | UncheckedIOException e) {
      err.println("keys: cannot open the channel store in " + dir + " (" + e.getMessage() + "); while the server "
          + "runs, manage keys with POST/GET/DELETE /api/v1/keys");
      return 2;
    }
    try {
      return run(rest.toArray(new String[0]), OperatorChannel.open(journal), out, err);
    } finally {
      journal.close();
    }
  }

  /** Runs the command against an open channel. */
  public static int run(String[] args, OperatorChannel channel, PrintStream out, PrintStream err) {
    int i = args.length > 0 && args[0].equals("keys") ? 1 : 0;
    if (i >= args.length) {
      return usage(err, "missing subcommand");
    }
    String sub = args[i++];
    String name = null;
    String scopes = null;
    String workspace = null;
    String keyId = null;
    for (; i < args.length; i++) {
      switch (args[i]) {
        case "--name":
        case "--scopes":
        case "--workspace":
          if (i + 1 == args.length) {
            return usage(err, args[i] + " needs a value");
          }
          String flag = args[i];
          String value = args[++i];
          if (flag.equals("--name")) {
            name = value;
          } else if (flag.equals("--scopes")) {
            scopes = value;
          } else {
            workspace = value;
          }
          break;
        default:
          if (args[i].startsWith("--") || keyId != null) {
            return usage(err, "unexpected argument '" + args[i] + "'");
          }
          keyId = args[i];
      }
    }
    String ws = workspace == null ? channel.defaultWorkspace().id() : workspace;
    Optional<Workspace> w = channel.workspace(ws);
    if (w.isEmpty()) {
      err.println("keys: no workspace " + ws);
      return 2;
    }
    try {
      switch (sub) {
        case "create": {
          if (keyId != null) {
            return usage(err, "unexpected argument '" + keyId + "'");
          }
          Set<Scope> set = EnumSet.noneOf(Scope.class);
          for (String s : (scopes == null ? "read,push" : scopes).split("[,\\s]+")) {
            if (s.isEmpty()) {
              continue;
            }
            Optional<Scope> scope = Scope.fromWire(s);
            if (scope.isEmpty()) {
              return usage(err, "unknown scope '" + s + "' (read, push)");
            }
            set.add(scope.get());
          }
          CreatedApiKey k = channel.createKey(ws, name, set);
          out.println("Created key " + k.key().id() + " (" + scopeList(k.key()) + ") in workspace " + w.get().name()
              + ". The secret is shown once:");
          out.println("VESSELS_API_KEY=" + k.secret());
          return 0;
        }
        case "list":
          for (ApiKey k : channel.keys(ws)) {
            out.println(k.id() + "  " + k.prefix() + "…  " + k.name() + "  " + scopeList(k) + "  created "
                + k.createdAt() + (k.revokedAt() == null ? "" : "  revoked " + k.revokedAt()));
          }
          return 0;
        case "revoke": {
          if (keyId == null) {
            return usage(err, "revoke needs a key id");
          }
          Optional<ApiKey> k = channel.revokeKey(keyId);
          if (k.isEmpty()) {
            err.println("keys: no key " + keyId);
            return 1;
          }
          out.println("Revoked " + keyId);
          return 0;
        }
        default:
          return usage(err, "unknown subcommand '" + sub + "'");
      }
    } catch (ChannelException e) {
      err.println("keys: " + e.error());
      return 2;
    }
  }

  private static String scopeList(ApiKey k) {
    List<String> s = new ArrayList<>();
    for (Scope scope : Scope.values()) {
      if (k.has(scope)) {
        s.add(scope.wire());
      }
    }
    return String.join(",", s);
  }

  private static int usage(PrintStream err, String problem) {
    err.println("keys: " + problem);
    err.println(USAGE);
    return 2;
  }
}
