package dev.eve4j.standalone;

import dev.eve4j.EveRuntime;
import dev.eve4j.protocol.UploadPolicy;
import dev.eve4j.servlet.EveServletOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the real TypeScript client {@code eve/client} (npm {@code eve@0.80.1}) on Node 24 against an
 * embedded eve4j server.
 *
 * <p>The Maven build copies {@code src/test/js} to {@code target/eve-interop} and runs {@code npm install}
 * there from the committed lockfile (see {@code jetty-standalone/pom.xml}); surefire passes that directory
 * as the system property {@code eve4j.interopDir}. The driver {@code interop.mjs} prints one JSON line per
 * check ({@code {"check":name,"ok":bool,"detail":...}}) and exits non-zero if any failed. Missing Node or
 * packages fail the test: it never skips.
 */
class EveClientInteropTest {

    /** Every check interop.mjs reports, in order; a check that silently disappears fails the test. */
    private static final List<String> EXPECTED_CHECKS = List.of(
            "health",
            "info",
            "create.events",
            "create.result",
            "send.result",
            "stream.replay",
            "snapshot",
            "attach.stream",
            "cancel",
            "send.after-cancel",
            "compact",
            "clear",
            "send.model-failure",
            "reset",
            "send.after-reset",
            "tool.lookup",
            "approval.request",
            "approval.approve",
            "approval.deny",
            "approval.parallel",
            "output-schema.create",
            "output-schema.send",
            "question.respond",
            "question.send",
            "files.accepted",
            "files.refused");

    /** interop.mjs has its own 150 s watchdog; this is the backstop if Node itself hangs. */
    private static final long PROCESS_TIMEOUT_SECONDS = 180;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void realEveClientWorksAgainstTheServer() throws Exception {
        // an upload policy, so that the client meets both 413 and 415 (files.refused)
        EveServer.Faces faces = EveServer.Faces.of(EveServletOptions.defaults().withUploadPolicy(
                UploadPolicy.defaults().withMaxBytes(1024 * 1024).withAllowedMediaTypes(List.of("text/plain", "image/*"))));
        try (EveServer server = EveServer.start(EveRuntime.builder().build(), faces, "127.0.0.1", 0)) {
            NodeDriver.run("interop.mjs", List.of(server.uri().toString()), List.of("eve", "ai", "zod"),
                    EXPECTED_CHECKS, PROCESS_TIMEOUT_SECONDS);
        }
    }
}
