// Legacy interop driver: runs the real legacy TypeScript clients `eve/client` (npm eve@0.25.3 and
// eve@0.18.2, the continuation-token era, stream version 16) against an eve4j server whose legacy
// profile is mounted under /legacy, and prints one JSON line per check on stdout:
//   {"check":"<version>:<name>","ok":true|false,"detail":...}
// Diagnostics go to stderr. Exit code 0 only if every check passed.
//
// Usage: node legacy-interop.mjs <base-url>
//   <base-url> is the server root, e.g. http://127.0.0.1:41234/ ; the legacy clients use the host
//   <base-url>legacy (so they call /legacy/eve/v1/...), and the driver reads the same sessions
//   through the current protocol at <base-url>eve/v1 to check that both faces share one journal.
//
// Connection drops: a small HTTP proxy in this process forwards to the server and, when armed, cuts
// the next stream response after N complete NDJSON lines (the client sees the connection die
// mid-response, as when a server drops it).
//
// Every check runs under its own timeout (its AbortSignal goes to the client calls) and the whole
// script has a watchdog, so a hang fails instead of blocking forever.

import http from "node:http";

const BASE_URL = process.argv[2] ?? process.env.EVE_BASE_URL;
const CHECK_TIMEOUT_MS = Number(process.env.EVE_CHECK_TIMEOUT_MS ?? 20_000);
const WATCHDOG_MS = Number(process.env.EVE_WATCHDOG_MS ?? 75_000);
const VERSIONS = ["0.25.3", "0.18.2"];

/** The check names this script reports per client version, in order. The Java test asserts exactly this list. */
const CHECKS = [
  "health",
  "info",
  "send.iterate",
  "send.follow-up",
  "journal.shared",
  "approval.park",
  "approval.approve",
  "output-schema",
  "stream.replay",
  "stream.restore",
  "stream.tail",
  "errors.stale-token",
  "errors.unknown-session",
  "errors.turn-active",
  "errors.terminal",
  "reconnect.resume",
  "reconnect.exhausted",
];

let failures = 0;
const reported = new Set();

function emit(check, ok, detail) {
  reported.add(check);
  if (!ok) failures += 1;
  process.stdout.write(JSON.stringify({ check, ok, detail: detail ?? null }) + "\n");
}

function describeError(e) {
  if (e && typeof e === "object" && "status" in e && "body" in e) {
    return { error: e.name, message: e.message, status: e.status, body: e.body };
  }
  if (e instanceof Error) {
    const out = { error: e.name, message: e.message, stack: e.stack?.split("\n").slice(0, 6).join("\n") };
    if (e.cause !== undefined) out.cause = e.cause instanceof Error ? `${e.cause.name}: ${e.cause.message}` : String(e.cause);
    return out;
  }
  return { error: String(e) };
}

class CheckFailed extends Error {
  constructor(message, detail) {
    super(message);
    this.name = "CheckFailed";
    this.detail = detail;
  }
}

function assert(condition, message, detail) {
  if (!condition) throw new CheckFailed(message, detail);
}

function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  assert(a === e, `${what}: expected ${e}, got ${a}`, { expected, actual });
}

/** Runs one check with a timeout; `fn(signal)` returns the success detail. Returns its value, or undefined on failure. */
async function check(name, fn, timeoutMs = CHECK_TIMEOUT_MS) {
  const controller = new AbortController();
  let timer;
  const timedOut = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`check '${name}' timed out after ${timeoutMs} ms`);
      err.name = "TimeoutError";
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  const started = Date.now();
  try {
    const value = await Promise.race([fn(controller.signal), timedOut]);
    emit(name, true, { ms: Date.now() - started, ...(value?.detail ?? {}) });
    return value ?? {};
  } catch (e) {
    const detail = { ms: Date.now() - started, ...describeError(e) };
    if (e instanceof CheckFailed && e.detail !== undefined) detail.data = e.detail;
    emit(name, false, detail);
    return undefined;
  } finally {
    clearTimeout(timer);
    controller.abort(new Error("check finished"));
  }
}

function skip(name, because) {
  emit(name, false, { skipped: true, message: `not run: prerequisite '${because}' failed` });
}

/** Expects `promise` to reject with a ClientError of `status` whose body names `code`. */
async function expectClientError(ClientError, promise, status, code) {
  try {
    await promise;
  } catch (e) {
    assert(e instanceof ClientError, `expected a ClientError, got ${e?.name}: ${e?.message}`, describeError(e));
    assertEqual(e.status, status, "ClientError.status");
    const body = JSON.parse(e.body);
    assertEqual(body?.error?.code, code, "error.code of the nested error body");
    assert(typeof body.error.message === "string" && body.error.message.length > 0, "error.message", body);
    return body;
  }
  throw new CheckFailed(`expected a ${status} ClientError, but the call succeeded`);
}

const types = (events) => events.map((e) => e.type);
const ids = (events) => events.map((e) => e.meta?.id);

/** Checks one legacy turn: messageSoFar is consistent, and the turn ends at session.waiting with a token. */
function assertLegacyTurn(events, { first, message }) {
  assert(events.length > 4, `too few events: ${types(events).join(",")}`, types(events));
  assertEqual(events[0].type, first ? "session.started" : "turn.started", "first event type");
  const last = events.at(-1);
  assertEqual(last.type, "session.waiting", "last event type");
  assertEqual(last.data?.wait, "next-user-message", "session.waiting.data.wait");
  assert(/^eve:\d+\./.test(last.data?.continuationToken ?? ""), "session.waiting.data.continuationToken", last);
  assert(!types(events).includes("turn.waiting"), "the legacy dialect has no turn.waiting", types(events));
  let soFar = "";
  for (const e of events) {
    if (e.type === "step.started") soFar = "";
    if (e.type === "message.appended") {
      assert(typeof e.data.messageDelta === "string", "message.appended.data.messageDelta", e);
      soFar += e.data.messageDelta;
      assertEqual(e.data.messageSoFar, soFar, "message.appended.data.messageSoFar");
    }
  }
  if (message !== undefined) {
    const completed = events.filter((e) => e.type === "message.completed" && e.data.finishReason !== "tool-calls");
    assertEqual(completed.at(-1)?.data?.message, message, "final message.completed.data.message");
  }
}

/** The canonical events of a session, read through the current protocol (stream 26) on the same server. */
async function canonicalEvents(sessionId, signal) {
  const res = await fetch(`${BASE_URL}eve/v1/session/${encodeURIComponent(sessionId)}/stream?startIndex=0&follow=false`, { signal });
  assertEqual(res.status, 200, "current-protocol stream status");
  assertEqual(res.headers.get("x-eve-stream-version"), "26", "current-protocol x-eve-stream-version");
  const text = await res.text();
  return text.split("\n").filter((l) => l.trim().length > 0).map((l) => JSON.parse(l));
}

/** An HTTP proxy to the server that can cut the next stream response after N complete lines. */
async function startProxy(target) {
  const upstream = new URL(target);
  const state = { dropAfterLines: 0, streamUrls: [] };
  const server = http.createServer((req, res) => {
    const isStream = /\/stream(\?|$)/.test(req.url);
    if (isStream) state.streamUrls.push(req.url);
    const dropAfter = isStream ? state.dropAfterLines : 0;
    if (isStream) state.dropAfterLines = 0; // armed for one response only
    const headers = { ...req.headers };
    delete headers.connection;
    const up = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent: false },
      (ur) => {
        const out = { ...ur.headers };
        for (const h of ["connection", "keep-alive", "transfer-encoding"]) delete out[h];
        res.writeHead(ur.statusCode, out);
        if (dropAfter <= 0) {
          ur.pipe(res);
          return;
        }
        let buffer = "";
        let lines = 0;
        let cut = false;
        ur.setEncoding("utf8");
        ur.on("data", (chunk) => {
          if (cut) return;
          buffer += chunk;
          let i;
          while (!cut && (i = buffer.indexOf("\n")) >= 0) {
            const line = buffer.slice(0, i + 1);
            buffer = buffer.slice(i + 1);
            if (line.trim().length > 0) lines += 1;
            if (lines === dropAfter) {
              cut = true;
              // once the Nth line is on the wire, the connection dies mid-response
              res.write(line, () => {
                res.socket?.destroy();
                ur.destroy();
              });
            } else {
              res.write(line);
            }
          }
        });
        ur.on("end", () => {
          if (!cut) res.end(buffer);
        });
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    arm(lines) {
      state.dropAfterLines = lines;
    },
    streamUrls: state.streamUrls,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections(); // the clients' keep-alive sockets
      }),
  };
}

async function runVersion(version, proxy) {
  const { Client, ClientError } = await import(`eve-${version}/client`);
  const name = (n) => `${version}:${n}`;
  const host = `${BASE_URL}legacy`;
  const client = new Client({ host });
  const negativeStartIndex = version !== "0.18.2"; // 0.24.4+ send negative startIndex; older ones drop it

  await check(name("health"), async () => {
    const health = await client.health();
    assertEqual(health, { ok: true, status: "ready", workflowId: "wf_compat" }, "health()");
    return { detail: health };
  });

  await check(name("info"), async () => {
    const info = await client.info(); // validated by the client against agent-info v1
    assertEqual(info.version, 1, "info.version");
    assertEqual(info.agent.model.id, "eve4j/scripted", "info.agent.model.id");
    assert(info.tools.available.some((t) => t.name === "deploy" && t.requiresApproval), "deploy in tools.available", info.tools);
    return { detail: { name: info.agent.name, model: info.agent.model.id } };
  });

  // ---- session A: a turn iterated, a follow-up, an approval, structured output, replays ----------
  const session = client.session();
  let createToken;
  const seen = [];
  const iterated = await check(name("send.iterate"), async (signal) => {
    const response = await session.send({ message: "hello there", signal });
    assert(typeof response.sessionId === "string" && response.sessionId.length > 0, "response.sessionId", response);
    assert(/^eve:\d+\./.test(response.continuationToken ?? ""), "response.continuationToken", response.continuationToken);
    createToken = response.continuationToken;
    const events = [];
    for await (const e of response) events.push(e);
    assertLegacyTurn(events, { first: true, message: "Echo: hello there" });
    seen.push(...events);
    assertEqual(session.state.sessionId, response.sessionId, "state.sessionId");
    assertEqual(session.state.streamIndex, events.length, "state.streamIndex (the line count)");
    // 0.24.4+ take the next token from session.waiting, older clients keep the create response's
    const expectedToken = negativeStartIndex ? events.at(-1).data.continuationToken : response.continuationToken;
    assertEqual(session.state.continuationToken, expectedToken, "state.continuationToken");
    return { detail: { sessionId: response.sessionId, events: events.length } };
  });

  let followed;
  if (!iterated) skip(name("send.follow-up"), "send.iterate");
  else
    followed = await check(name("send.follow-up"), async (signal) => {
      const before = session.state.streamIndex;
      const response = await session.send({ message: "second", clientContext: { page: "/billing" }, signal });
      assert(/^eve:\d+\./.test(response.continuationToken ?? ""), "follow-up response.continuationToken", response);
      const result = await response.result();
      assertEqual(result.status, "waiting", "result.status");
      assertEqual(result.message, "Echo: second", "result.message");
      assertLegacyTurn(result.events, { first: false, message: "Echo: second" });
      seen.push(...result.events);
      assertEqual(session.state.streamIndex, before + result.events.length, "state.streamIndex");
      return { detail: { events: result.events.length } };
    });

  if (!followed) skip(name("journal.shared"), "send.follow-up");
  else
    await check(name("journal.shared"), async (signal) => {
      const canonical = await canonicalEvents(session.state.sessionId, signal);
      assertEqual(canonical.length, session.state.streamIndex, "canonical event count = legacy line count");
      assertEqual(ids(seen), ids(canonical), "meta.id of legacy line k = canonical event k");
      return { detail: { events: canonical.length } };
    });

  let parked;
  if (!followed) skip(name("approval.park"), "send.follow-up");
  else
    parked = await check(name("approval.park"), async (signal) => {
      const result = await (await session.send({ message: "approve: production", signal })).result();
      assertEqual(result.status, "waiting", "result.status");
      assertEqual(result.events.at(-1).type, "session.waiting", "the park ends with session.waiting");
      assertEqual(result.events.at(-2).type, "input.requested", "event before the park");
      assertEqual(result.inputRequests.length, 1, "result.inputRequests.length");
      const [request] = result.inputRequests;
      assertEqual(request.action?.toolName, "deploy", "inputRequest.action.toolName");
      assertEqual(request.action?.input, { target: "production" }, "inputRequest.action.input");
      assert(request.options?.some((o) => o.id === "approve"), "an 'approve' option", request);
      assert(!("kind" in request), "a v16 InputRequest has no kind", request);
      return { detail: { requestId: request.requestId }, request };
    });

  let approved;
  if (!parked) skip(name("approval.approve"), "approval.park");
  else
    approved = await check(name("approval.approve"), async (signal) => {
      const response = await session.send({
        inputResponses: [{ requestId: parked.request.requestId, optionId: "approve" }],
        signal,
      });
      const result = await response.result();
      assertEqual(result.status, "waiting", "result.status");
      assertEqual(result.message, 'Tool results: deploy -> {"deployed":"production"}', "result.message");
      const done = result.events.find((e) => e.type === "action.result");
      assertEqual(done?.data?.status, "completed", "action.result.data.status");
      assertEqual(done?.data?.result?.output, { deployed: "production" }, "action.result.data.result.output");
      assertEqual(result.events.at(-1).type, "session.waiting", "last event type");
      return { detail: { message: result.message } };
    });

  let structured;
  if (!approved) skip(name("output-schema"), "approval.approve");
  else
    structured = await check(name("output-schema"), async (signal) => {
      const outputSchema = {
        type: "object",
        properties: { title: { type: "string" }, count: { type: "integer" } },
        required: ["title", "count"],
        additionalProperties: false,
      };
      const result = await (await session.send({ message: "report please", outputSchema, signal })).result();
      assertEqual(result.status, "waiting", "result.status");
      assert(result.data && typeof result.data === "object", "result.data is an object", result.data);
      assertEqual(Object.keys(result.data).sort(), ["count", "title"], "result.data keys");
      assert(typeof result.data.title === "string" && Number.isInteger(result.data.count), "result.data types", result.data);
      return { detail: { data: result.data } };
    });

  let total;
  if (!structured) skip(name("stream.replay"), "output-schema");
  else
    total = await check(name("stream.replay"), async (signal) => {
      const total = session.state.streamIndex;
      const events = [];
      for await (const e of session.stream({ startIndex: 0, signal })) events.push(e);
      assertEqual(events.length, total, "events replayed from 0 (the stream ends after the last boundary)");
      assertEqual(events[0].type, "session.started", "line 0");
      assertEqual(events.at(-1).type, "session.waiting", "last line");
      const canonical = await canonicalEvents(session.state.sessionId, signal);
      assertEqual(ids(events), ids(canonical), "meta.id of every line");
      assertEqual(session.state.streamIndex, total, "state.streamIndex after the replay");
      return { detail: { events: events.length }, total };
    });

  if (!total) skip(name("stream.restore"), "stream.replay");
  else
    await check(name("stream.restore"), async (signal) => {
      const { sessionId, continuationToken } = session.state;
      const restored = client.session({ continuationToken, sessionId, streamIndex: 10 });
      const fromCursor = [];
      for await (const e of restored.stream({ signal })) fromCursor.push(e);
      assertEqual(fromCursor.length, total.total - 10, "events from the restored cursor 10");
      assertEqual(restored.state.streamIndex, total.total, "restored state.streamIndex");
      const again = client.session({ continuationToken, sessionId, streamIndex: 10 });
      const fromFive = [];
      for await (const e of again.stream({ startIndex: 5, signal })) fromFive.push(e);
      assertEqual(fromFive.length, total.total - 5, "events from startIndex 5");
      assertEqual(ids(fromFive.slice(5)), ids(fromCursor), "lines 10.. from either start");
      return { detail: { fromCursor: fromCursor.length, fromFive: fromFive.length } };
    });

  if (!total) skip(name("stream.tail"), "stream.replay");
  else
    await check(name("stream.tail"), async (signal) => {
      const before = { ...session.state };
      const events = [];
      for await (const e of session.stream({ startIndex: -1, signal })) events.push(e);
      if (negativeStartIndex) {
        // served tail-relative (seed 004 said 400): the last line only, and the cursor stays put
        assertEqual(types(events), ["session.waiting"], "startIndex=-1");
        assertEqual(session.state, before, "state after a tail read");
      } else {
        // this client drops negative values and reads from 0
        assertEqual(events.length, total.total, "startIndex=-1 read by a client that drops it");
      }
      return { detail: { events: events.length } };
    });

  if (!iterated) skip(name("errors.stale-token"), "send.iterate");
  else
    await check(name("errors.stale-token"), async (signal) => {
      const { sessionId, streamIndex } = session.state;
      const stale = client.session({ continuationToken: createToken, sessionId, streamIndex });
      const body = await expectClientError(ClientError, stale.send({ message: "stale", signal }), 409, "stale_continuation_token");
      return { detail: body };
    });

  await check(name("errors.unknown-session"), async (signal) => {
    const unknown = client.session({ continuationToken: "eve:0.AAAAAAAAAAAAAAAAAAAAAA", sessionId: "wrun_UNKNOWN", streamIndex: 0 });
    const body = await expectClientError(ClientError, unknown.send({ message: "hello?", signal }), 404, "session_not_found");
    return { detail: body };
  });

  // ---- session B: a running turn refuses follow-ups; then the session is reset (410) ------------
  const second = client.session();
  const busy = await check(name("errors.turn-active"), async (signal) => {
    const slow = await second.send({ message: "slow: steady", signal });
    const other = client.session({ continuationToken: slow.continuationToken, sessionId: slow.sessionId, streamIndex: 0 });
    const body = await expectClientError(ClientError, other.send({ message: "hurry", signal }), 409, "turn_active");
    if (typeof second.cancel === "function") {
      const cancelled = await second.cancel(); // 0.24.6+
      assertEqual(cancelled, { sessionId: slow.sessionId, status: "accepted" }, "session.cancel()");
    } else {
      const res = await fetch(`${host}/eve/v1/session/${encodeURIComponent(slow.sessionId)}/cancel`, { method: "POST", signal });
      assertEqual(res.status, 202, "POST /cancel status");
    }
    const result = await slow.result();
    assertEqual(result.status, "waiting", "result.status of the cancelled turn");
    assertEqual(types(result.events).slice(-2), ["turn.cancelled", "session.waiting"], "the cancelled turn's last events");
    return { detail: body, sessionId: slow.sessionId };
  });

  if (!busy) skip(name("errors.terminal"), "errors.turn-active");
  else
    await check(name("errors.terminal"), async (signal) => {
      const res = await fetch(`${BASE_URL}eve/v1/session/${encodeURIComponent(busy.sessionId)}/reset`, { method: "POST", signal });
      assertEqual(res.status, 200, "reset through the current protocol");
      const body = await expectClientError(ClientError, second.send({ message: "after reset", signal }), 410, "session_terminal");
      return { detail: body };
    });

  // ---- connection drops through the proxy -------------------------------------------------------
  await check(name("reconnect.resume"), async (signal) => {
    const dropping = new Client({ host: `${proxy.url}legacy` });
    const s = dropping.session();
    const response = await s.send({ message: "drop me", signal });
    const before = proxy.streamUrls.length;
    proxy.arm(4);
    const result = await response.result();
    assertEqual(result.status, "waiting", "result.status");
    assertEqual(result.message, "Echo: drop me", "result.message");
    assertEqual(new Set(ids(result.events)).size, result.events.length, "no event twice");
    const urls = proxy.streamUrls.slice(before);
    assertEqual(urls.length, 2, "stream requests (the first one cut after 4 lines)");
    assert(urls[1].endsWith("?startIndex=4"), `the reconnect resumes at line 4: ${urls[1]}`, urls);
    const canonical = await canonicalEvents(response.sessionId, signal);
    assertEqual(ids(result.events), ids(canonical), "the turn's events, in order");
    assertEqual(s.state.streamIndex, canonical.length, "state.streamIndex");
    return { detail: { urls, events: result.events.length } };
  });

  await check(name("reconnect.exhausted"), async (signal) => {
    const noRetry = new Client({ host: `${proxy.url}legacy`, maxReconnectAttempts: 0 });
    const s = noRetry.session();
    const response = await s.send({ message: "drop me too", signal });
    proxy.arm(4);
    const result = await response.result();
    assertEqual(result.events.length, 4, "events read before the drop");
    assertEqual(result.status, "completed", "result.status with no reconnect left (no boundary seen)");
    assertEqual(s.state, { streamIndex: 0 }, "session state is reset");
    return { detail: { types: types(result.events) } };
  });
}

async function main() {
  if (!BASE_URL || !/^https?:\/\/.+\/$/.test(BASE_URL)) {
    emit("arguments", false, { message: "usage: node legacy-interop.mjs <base-url ending in />" });
    return 2;
  }
  process.stderr.write(`legacy interop against ${BASE_URL}legacy on Node ${process.version}\n`);
  const proxy = await startProxy(BASE_URL);
  try {
    for (const version of VERSIONS) await runVersion(version, proxy);
  } finally {
    await proxy.close();
  }
  const expected = VERSIONS.flatMap((v) => CHECKS.map((c) => `${v}:${c}`));
  for (const n of expected) if (!reported.has(n)) emit(n, false, { message: "check was not reported" });
  process.stderr.write(`legacy interop: ${expected.length - failures}/${expected.length} checks passed\n`);
  return failures === 0 ? 0 : 1;
}

const watchdog = setTimeout(() => {
  emit("watchdog", false, { message: `legacy interop script did not finish within ${WATCHDOG_MS} ms` });
  process.exit(3);
}, WATCHDOG_MS);
watchdog.unref();

main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 100).unref();
  },
  (e) => {
    emit("fatal", false, describeError(e));
    process.exit(4);
  },
);
