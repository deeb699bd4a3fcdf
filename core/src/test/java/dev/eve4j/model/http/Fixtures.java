package dev.eve4j.model.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The recorded provider bodies in {@code testdata/provider-fixtures} (see its README). */
public final class Fixtures {
  private static final Path ROOT = locate();

  private Fixtures() {}

  /** A fixture file's text, e.g. {@code openai-chat/01-text-include-usage.sse}. */
  public static String read(String name) {
    try {
      return Files.readString(ROOT.resolve(name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fixture " + ROOT.resolve(name), e);
    }
  }

  private static Path locate() {
    // Tests run in the module directory; testdata sits at the repository root.
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("testdata/provider-fixtures");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("testdata/provider-fixtures not found above " + Path.of("").toAbsolutePath());
  }
}
