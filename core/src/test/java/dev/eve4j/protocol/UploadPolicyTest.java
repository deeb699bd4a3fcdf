package dev.eve4j.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class UploadPolicyTest {
  private static UserMessage files(ContentPart... parts) {
    return new UserMessage(List.of(parts));
  }

  private static ContentPart file(String mediaType, String data, String filename) {
    return new ContentPart("file", null, mediaType, data, filename);
  }

  @Test
  void sizesAreEstimatedFromTheEncodingAsEveDoes() {
    for (int n = 0; n < 40; n++) {
      byte[] bytes = new byte[n];
      String b64 = Base64.getEncoder().encodeToString(bytes);
      assertEquals(n, UploadPolicy.knownByteLength(b64), "base64 of " + n + " bytes");
      assertEquals(n, UploadPolicy.knownByteLength("data:application/octet-stream;base64," + b64));
    }
    assertEquals("héllo".getBytes(StandardCharsets.UTF_8).length, UploadPolicy.knownByteLength("data:text/plain,h%C3%A9llo"));
    assertEquals(-1, UploadPolicy.knownByteLength("https://example.com/a.png"));
    assertEquals(-1, UploadPolicy.knownByteLength("s3://bucket/key"));
  }

  @Test
  void typesMatchCaseInsensitivelyWithWildcards() {
    UploadPolicy p = UploadPolicy.defaults().withAllowedMediaTypes(List.of("image/*", "Text/Plain"));
    assertTrue(p.allows("image/png"));
    assertTrue(p.allows("IMAGE/HEIC"));
    assertTrue(p.allows("text/plain"));
    assertFalse(p.allows("text/csv"));
    assertFalse(p.allows("imagex/png"));
    assertTrue(UploadPolicy.defaults().allows("application/x-anything"));
    assertFalse(UploadPolicy.disabled().allows("text/plain"));
  }

  @Test
  void theFirstViolationDecidesTheStatusAndEveryOneIsListed() {
    UploadPolicy p = UploadPolicy.defaults().withMaxBytes(3).withAllowedMediaTypes(List.of("text/plain"));
    UploadPolicy.UploadRejected e = assertThrows(UploadPolicy.UploadRejected.class, () -> p.check(files(
        ContentPart.text("hi"), file("application/pdf", "https://x.example/r.pdf", null),
        file("text/plain", Base64.getEncoder().encodeToString(new byte[10]), "n.txt"))));
    assertEquals(ErrorCode.UNSUPPORTED_MEDIA_TYPE, e.code());
    assertEquals(415, e.code().httpStatus());
    assertEquals("application/pdf has media type \"application/pdf\" which is not allowed by this route. Allowed: text/plain.",
        e.getMessage());
    assertEquals("[{\"allowedMediaTypes\":[\"text/plain\"],\"kind\":\"disallowed-media-type\",\"mediaType\":\"application/pdf\"},"
        + "{\"byteLength\":10,\"filename\":\"n.txt\",\"kind\":\"too-large\",\"limit\":3,\"mediaType\":\"text/plain\"}]",
        e.violations().toString());

    UploadPolicy.UploadRejected none = assertThrows(UploadPolicy.UploadRejected.class,
        () -> UploadPolicy.disabled().check(files(file("text/plain", "aGk=", "a.txt"))));
    assertEquals("a.txt has media type \"text/plain\" which is not allowed by this route.", none.getMessage());

    p.check(files(ContentPart.text("no files")));
    p.check(null);
    p.check(files(file("text/plain", "aGk=", null)));
  }

  @Test
  void deploymentSettingsParse() {
    assertEquals(UploadPolicy.defaults(), UploadPolicy.parse(null, null));
    assertEquals(UploadPolicy.defaults(), UploadPolicy.parse(" ", "*"));
    assertEquals(new UploadPolicy(1000, List.of()), UploadPolicy.parse("1000", "none"));
    UploadPolicy p = UploadPolicy.parse(null, "image/*, application/pdf ,");
    assertEquals(List.of("image/*", "application/pdf"), p.allowedMediaTypes());
    assertNull(UploadPolicy.parse("5", "").allowedMediaTypes());
    assertThrows(IllegalArgumentException.class, () -> UploadPolicy.parse("lots", null));
    assertThrows(IllegalArgumentException.class, () -> UploadPolicy.parse("-1", null));
    assertThrows(IllegalArgumentException.class, () -> UploadPolicy.parse(null, "pdf"));
  }
}
