package dev.eve4j.servlet.contract;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Reads one {@code GET …/stream} response incrementally, line by line, with the JDK {@link HttpClient}.
 *
 * <p>A daemon thread pumps the body into a queue as lines arrive ({@code \n}-terminated, blank lines included); the
 * test thread consumes them with timeouts. Not thread-safe: one test thread consumes a stream.
 */
final class NdjsonStream implements AutoCloseable {
    static final String LEASE_RECORD = "{\"$eve\":\"stream.lease-ended\",\"version\":1}";
    private static final Object EOF = new Object();
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** One received line (without its {@code \n}); {@code nanos} = {@link System#nanoTime()} at arrival. */
    record Line(String text, byte[] bytes, long nanos) {
        boolean blank() {
            return text.isBlank();
        }
    }

    private final URI uri;
    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Object> incoming = new LinkedBlockingQueue<>();
    private final List<Line> consumed = new ArrayList<>();
    private final Thread pump;
    private volatile IOException failure;
    private volatile boolean unterminatedFinalLine;
    private volatile boolean closed;
    private boolean ended;

    private NdjsonStream(URI uri, HttpResponse<InputStream> response) {
        this.uri = uri;
        this.response = response;
        this.pump = new Thread(this::pump, "ndjson-reader-" + THREADS.incrementAndGet());
        pump.setDaemon(true);
        pump.start();
    }

    /** Sends the GET and waits (at most 10 s) for the response headers. */
    static NdjsonStream open(HttpClient http, URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).GET().build();
        try {
            HttpResponse<InputStream> response =
                    http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
            return new NdjsonStream(uri, response);
        } catch (TimeoutException e) {
            throw new AssertionError("no response headers within 10 s for GET " + uri, e);
        } catch (ExecutionException e) {
            throw new AssertionError("GET " + uri + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted opening " + uri, e);
        }
    }

    private void pump() {
        try (InputStream in = response.body()) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        emit(line.toByteArray());
                        line.reset();
                    } else {
                        line.write(buffer[i]);
                    }
                }
            }
            if (line.size() > 0) {
                unterminatedFinalLine = true;
                emit(line.toByteArray());
            }
        } catch (IOException e) {
            if (!closed) {
                failure = e;
            }
        } finally {
            incoming.add(EOF);
        }
    }

    private void emit(byte[] bytes) {
        incoming.add(new Line(new String(bytes, StandardCharsets.UTF_8), bytes, System.nanoTime()));
    }

    URI uri() {
        return uri;
    }

    int status() {
        return response.statusCode();
    }

    HttpHeaders headers() {
        return response.headers();
    }

    /** Next line, blank lines included; {@code null} once the response has ended. Fails after {@code timeout}. */
    Line nextLine(Duration timeout) {
        Object item = poll(timeout);
        if (item == null) {
            throw new AssertionError("no line within " + timeout.toMillis() + " ms on " + uri + "; " + describe());
        }
        return item == EOF ? null : (Line) item;
    }

    /**
     * Consumes lines until an event matches {@code stop}; returns the events consumed by this call, the match included.
     * Blank lines and {@code $eve} control records are recorded but not returned.
     */
    List<JsonObject> readEventsUntil(String what, Predicate<JsonObject> stop, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonObject> events = new ArrayList<>();
        while (true) {
            long remaining = deadline - System.nanoTime();
            Object item = remaining <= 0 ? null : poll(Duration.ofNanos(remaining));
            if (item == null) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what + " on "
                        + uri + "; " + describe());
            }
            if (item == EOF) {
                throw new AssertionError("the response ended before " + what + " on " + uri + "; " + describe());
            }
            Line line = (Line) item;
            if (line.blank()) {
                continue;
            }
            JsonObject object = Json.object(line.text());
            if (object.has("$eve")) {
                continue;
            }
            events.add(object);
            if (stop.test(object)) {
                return events;
            }
        }
    }

    List<JsonObject> readUntilType(String type, Duration timeout) {
        return readEventsUntil("a " + type + " event", e -> type.equals(typeOf(e)), timeout);
    }

    /** Reads until the {@code count}-th event of {@code type} (counted within this call). */
    List<JsonObject> readUntilNth(String type, int count, Duration timeout) {
        int[] seen = {0};
        return readEventsUntil(count + " × " + type, e -> type.equals(typeOf(e)) && ++seen[0] == count, timeout);
    }

    List<JsonObject> readEvents(int count, Duration timeout) {
        if (count == 0) {
            return List.of();
        }
        int[] seen = {0};
        return readEventsUntil(count + " events", e -> ++seen[0] == count, timeout);
    }

    /** Consumes everything until the response ends; {@code true} if it ended within {@code timeout}. */
    boolean awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || poll(Duration.ofNanos(remaining)) == null) {
                return false;
            }
        }
        return true;
    }

    private Object poll(Duration timeout) {
        if (ended) {
            return EOF;
        }
        Object item;
        try {
            item = incoming.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted reading " + uri, e);
        }
        if (item == EOF) {
            ended = true;
        } else if (item != null) {
            consumed.add((Line) item);
        }
        return item;
    }

    boolean ended() {
        return ended;
    }

    /** The response ended with a proper end of body (no reset, no truncated chunking). */
    boolean endedCleanly() {
        return ended && failure == null;
    }

    IOException failure() {
        return failure;
    }

    boolean unterminatedFinalLine() {
        return unterminatedFinalLine;
    }

    /** Every line consumed so far, blank lines included. */
    List<String> lines() {
        return consumed.stream().map(Line::text).toList();
    }

    List<Line> consumedLines() {
        return List.copyOf(consumed);
    }

    /** The consumed non-blank lines that are events (not {@code $eve} control records), exactly as received. */
    List<String> eventLines() {
        return consumed.stream()
                .filter(l -> !l.blank() && !Json.object(l.text()).has("$eve"))
                .map(Line::text)
                .toList();
    }

    List<byte[]> eventLineBytes() {
        return consumed.stream()
                .filter(l -> !l.blank() && !Json.object(l.text()).has("$eve"))
                .map(Line::bytes)
                .toList();
    }

    List<JsonObject> events() {
        return eventLines().stream().map(Json::object).toList();
    }

    List<String> controlLines() {
        return consumed.stream()
                .filter(l -> !l.blank() && Json.object(l.text()).has("$eve"))
                .map(Line::text)
                .toList();
    }

    long blankLines() {
        return consumed.stream().filter(Line::blank).count();
    }

    static String typeOf(JsonObject event) {
        return event.has("type") && event.get("type").isJsonPrimitive() ? event.get("type").getAsString() : "<no type>";
    }

    String describe() {
        List<String> lines = lines();
        int from = Math.max(0, lines.size() - 8);
        StringBuilder sb = new StringBuilder("status ").append(status()).append(", ").append(lines.size())
                .append(" lines read (ended=").append(ended).append(")");
        if (failure != null) {
            sb.append(", failure=").append(failure);
        }
        if (!lines.isEmpty()) {
            sb.append(", last lines:");
            for (int i = from; i < lines.size(); i++) {
                sb.append("\n  [").append(i).append("] ").append(Json.abbreviate(lines.get(i)));
            }
        }
        return sb.toString();
    }

    /** Drops the connection (cancels the body); never blocks. */
    @Override
    public void close() {
        closed = true;
        pump.interrupt();
        try {
            response.body().close();
        } catch (IOException ignored) {
            // closing a cancelled body has nothing left to report
        }
    }
}
