// Interop driver: runs the real TypeScript client `eve/client` (npm eve@0.80.1) against an eve4j
// server and prints one JSON line per check on stdout:
//   {"check":"<name>","ok":true|false,"detail":...}
// Diagnostics go to stderr. Exit code 0 only if every check passed.
//
// Usage: node interop.mjs <base-url>      (or EVE_BASE_URL=<base-url> node interop.mjs)
//   <base-url> is the server root, e.g. http://127.0.0.1:41234/ ; the client appends /eve/v1/...
//
// Every check runs under its own timeout (its AbortSignal is passed to the client calls) and the
// whole script has a watchdog, so a hang fails instead of blocking forever.

import { Client, ClientError, createDataUrlFilePart, createTextWithFileContent } from "eve/client";
import { z } from "zod";

const BASE_URL = process.argv[2] ?? process.env.EVE_BASE_URL;
const CHECK_TIMEOUT_MS = Number(process.env.EVE_CHECK_TIMEOUT_MS ?? 30_000);
const WATCHDOG_MS = Number(process.env.EVE_WATCHDOG_MS ?? 150_000);

/** The check names this script reports, in order. The Java test asserts exactly this set. */
const CHECKS = [
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
  "files.refused",
];

let failures = 0;
const reported = new Set();

function emit(check, ok, detail) {
  reported.add(check);
  if (!ok) failures += 1;
  process.stdout.write(JSON.stringify({ check, ok, detail: detail ?? null }) + "\n");
}

function describeError(e) {
  if (e instanceof ClientError) {
    return { error: e.name, message: e.message, status: e.status, code: e.code ?? null, body: e.body };
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

/** Runs one check with a timeout; `fn(signal)` returns the success detail. Returns its result or undefined. */
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

const types = (events) => events.map((e) => e.type);
const ids = (events) => events.map((e) => e.meta?.id);

/**
 * Asserts the canonical shape of one simple (echo) turn:
 *   [session.started] turn.started message.received step.started (reasoning.* | message.appended)*
 *   message.completed step.completed turn.completed session.waiting
 */
function assertEchoTurn(events, { first, text }) {
  const t = types(events);
  const head = first
    ? ["session.started", "turn.started", "message.received", "step.started"]
    : ["turn.started", "message.received", "step.started"];
  const tail = ["message.completed", "step.completed", "turn.completed", "session.waiting"];
  assert(t.length >= head.length + tail.length, `too few events: ${t.join(",")}`, t);
  assertEqual(t.slice(0, head.length), head, "leading event types");
  assertEqual(t.slice(-tail.length), tail, "trailing event types");
  const middle = t.slice(head.length, -tail.length);
  const allowed = new Set(["reasoning.appended", "reasoning.completed", "message.appended"]);
  assert(middle.every((x) => allowed.has(x)), `unexpected events mid-turn: ${middle.join(",")}`, t);
  assert(middle.includes("message.appended"), "no message.appended in the turn", t);
  for (const e of events) {
    assert(typeof e.meta?.id === "string" && e.meta.id.length > 0, `event ${e.type} has no meta.id`, e);
    assert(typeof e.meta?.at === "string", `event ${e.type} has no meta.at`, e);
  }
  assertEqual(new Set(ids(events)).size, events.length, "distinct meta.id count");
  const received = events.find((e) => e.type === "message.received");
  assertEqual(received.data.message, text, "message.received.data.message");
  const expected = `Echo: ${text}`;
  const deltas = events.filter((e) => e.type === "message.appended").map((e) => e.data.messageDelta).join("");
  assertEqual(deltas, expected, "concatenated message.appended deltas");
  const completed = events.find((e) => e.type === "message.completed");
  assertEqual(completed.data.message, expected, "message.completed.data.message");
  assertEqual(completed.data.finishReason, "stop", "message.completed.data.finishReason");
  const turnIds = new Set(events.filter((e) => e.data && "turnId" in e.data).map((e) => e.data.turnId));
  assertEqual(turnIds.size, 1, "distinct turnIds within the turn");
  const waiting = events.at(-1);
  assertEqual(waiting.data?.wait, "next-user-message", "session.waiting.data.wait");
}

/** JSON with object keys sorted, so deep equality does not depend on key order. */
function canonical(value) {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
      : v,
  );
}

function assertDeepEqual(actual, expected, what) {
  assert(canonical(actual) === canonical(expected), `${what}: expected ${canonical(expected)}, got ${canonical(actual)}`, {
    expected,
    actual,
  });
}

function assertIncludes(text, needle, what) {
  assert(typeof text === "string" && text.includes(needle), `${what}: expected to contain ${JSON.stringify(needle)}, got ${JSON.stringify(text)}`, {
    text,
    needle,
  });
}

/** A turn that ran to its end: the response stopped at session.waiting with nothing left open. */
function assertIdleAgain(result) {
  assertEqual(result.status, "waiting", "result.status");
  assertEqual(result.events.at(-1)?.type, "session.waiting", "last event type");
  assertEqual(result.events.at(-2)?.type, "turn.completed", "event type before session.waiting");
  assertEqual(result.inputRequests.length, 0, "result.inputRequests.length");
}

/** A turn parked on human input: the response stopped at turn.waiting{on:"input"} with `n` open requests. */
function assertParkedOnInput(result, n) {
  assertEqual(result.status, "waiting", "result.status");
  const last = result.events.at(-1);
  assertEqual(last?.type, "turn.waiting", "last event type");
  assertEqual(last.data.on, "input", "turn.waiting.data.on");
  assert(!types(result.events).includes("turn.completed"), "a turn waiting on input reported turn.completed", types(result.events));
  assertEqual(result.inputRequests.length, n, "result.inputRequests.length");
  return last.data.turnId;
}

/** A tool-approval request for `deploy {target}` as the eve harness shapes it. */
function assertDeployApproval(request, target) {
  assertEqual(request.kind, "tool-approval", "inputRequest.kind");
  assert(typeof request.requestId === "string" && request.requestId.length > 0, "inputRequest.requestId is empty", request);
  assertEqual((request.options ?? []).map((o) => o.id), ["approve", "cancel"], "inputRequest option ids");
  assertEqual(request.action?.kind, "tool-call", "inputRequest.action.kind");
  assertEqual(request.action?.toolName, "deploy", "inputRequest.action.toolName");
  assertDeepEqual(request.action?.input, { target }, "inputRequest.action.input");
  assert(typeof request.action?.callId === "string" && request.action.callId.length > 0, "inputRequest.action.callId is empty", request);
}

/** Reads a bounded stream fully. */
async function collect(iterable) {
  const out = [];
  for await (const e of iterable) out.push(e);
  return out;
}

/** Reads the tail index header of a bounded stream through the client's raw fetch. */
async function tailIndex(client, sessionId, signal) {
  const res = await client.fetch(`/eve/v1/session/${encodeURIComponent(sessionId)}/stream?follow=false`, { signal });
  const header = res.headers.get("x-eve-stream-tail-index");
  const version = res.headers.get("x-eve-stream-version");
  const lines = (await res.text()).split("\n").filter((l) => l.trim().length > 0);
  assertEqual(res.status, 200, "bounded stream status");
  assert(header !== null && /^-?\d+$/.test(header), `bad x-eve-stream-tail-index header: ${header}`);
  return { tail: Number(header), lines: lines.length, version };
}

async function main() {
  if (!BASE_URL) {
    process.stderr.write("usage: node interop.mjs <base-url>   (or set EVE_BASE_URL)\n");
    process.exit(2);
  }
  const [major] = process.versions.node.split(".").map(Number);
  process.stderr.write(`interop: node ${process.versions.node}, server ${BASE_URL}\n`);
  if (major < 24) process.stderr.write(`interop: WARNING: eve@0.80.1 declares engines.node >=24\n`);

  const client = new Client({ host: BASE_URL });

  // ---- health / info -------------------------------------------------------------------------
  await check("health", async () => {
    const h = await client.health();
    assertEqual(h.ok, true, "health.ok");
    assertEqual(h.status, "ready", "health.status");
    assert(typeof h.workflowId === "string" && h.workflowId.length > 0, "health.workflowId is empty", h);
    return { detail: { health: h } };
  });

  await check("info", async (signal) => {
    const info = await client.info({ signal });
    assertEqual(info.version, 5, "info.version");
    assert(typeof info.agent?.name === "string" && info.agent.name.length > 0, "info.agent.name missing");
    return { detail: { version: info.version, agent: info.agent?.name, model: info.agent?.model?.id ?? null } };
  });

  // ---- create (session A), iterated event by event -------------------------------------------
  const a = await check("create.events", async (signal) => {
    const { response, session } = await client.sessions.create({ message: "hello there", signal });
    assert(typeof session.state.sessionId === "string" && session.state.sessionId.length > 0, "no session id");
    assertEqual(response.sessionId, session.state.sessionId, "response.sessionId");
    const events = [];
    for await (const event of response) events.push(event);
    assertEchoTurn(events, { first: true, text: "hello there" });
    assertEqual(session.state.streamIndex, events.length, "cursor after the first turn");
    return {
      session,
      turn1: events,
      detail: { sessionId: session.state.sessionId, events: events.length, types: types(events) },
    };
  });

  // ---- create (session B), result() ----------------------------------------------------------
  const b = await check("create.result", async (signal) => {
    const { response, session } = await client.sessions.create({ message: "hello there", signal });
    const result = await response.result();
    assertEqual(result.message, "Echo: hello there", "result.message");
    assertEqual(result.status, "waiting", "result.status");
    assertEqual(result.sessionId, session.state.sessionId, "result.sessionId");
    assertEqual(result.inputRequests.length, 0, "result.inputRequests.length");
    assertEchoTurn(result.events, { first: true, text: "hello there" });
    assert(a === undefined || result.sessionId !== a.session.state.sessionId, "two creates returned the same id");
    return { session, detail: { sessionId: result.sessionId, events: result.events.length } };
  });

  // ---- follow-up send() + result() on session A ----------------------------------------------
  let turn2;
  if (!a) skip("send.result", "create.events");
  else
    turn2 = await check("send.result", async (signal) => {
      const before = a.session.state.streamIndex;
      const response = await a.session.send("second message", { signal });
      assertEqual(response.sessionId, a.session.state.sessionId, "response.sessionId");
      const result = await response.result();
      assertEqual(result.message, "Echo: second message", "result.message");
      assertEqual(result.status, "waiting", "result.status");
      assertEchoTurn(result.events, { first: false, text: "second message" });
      const firstTurnId = a.turn1.find((e) => e.type === "turn.started").data.turnId;
      const turnId = result.events[0].data.turnId;
      assert(turnId !== firstTurnId, `follow-up reused turnId ${turnId}`);
      assertEqual(a.session.state.streamIndex, before + result.events.length, "cursor after the follow-up");
      return {
        events: result.events,
        detail: { turnId, events: result.events.length, streamIndex: a.session.state.streamIndex },
      };
    });

  // ---- stream({follow:false}) replays everything with stable indexes --------------------------
  let all;
  if (!a || !turn2) skip("stream.replay", !a ? "create.events" : "send.result");
  else
    all = await check("stream.replay", async (signal) => {
      const cursor = a.session.state.streamIndex;
      const events = await collect(a.session.stream({ follow: false, startIndex: 0, signal }));
      const expected = [...a.turn1, ...turn2.events];
      assertEqual(events.length, expected.length, "replayed event count");
      assertEqual(ids(events), ids(expected), "replayed meta.ids in order");
      assertEqual(types(events), types(expected), "replayed event types in order");
      assertEqual(a.session.state.streamIndex, cursor, "cursor after replaying from 0");
      // a bounded read from the stored cursor (the tail) yields nothing
      const rest = await collect(a.session.stream({ follow: false, signal }));
      assertEqual(rest.length, 0, "bounded read from the tail");
      // a bounded read from the middle yields exactly the suffix
      const k = a.turn1.length;
      const suffix = await collect(a.session.stream({ follow: false, startIndex: k, signal }));
      assertEqual(ids(suffix), ids(expected.slice(k)), `meta.ids replayed from startIndex ${k}`);
      return { events, detail: { events: events.length, suffixFrom: k } };
    });

  // ---- snapshot() --------------------------------------------------------------------------
  if (!a || !all) skip("snapshot", !a ? "create.events" : "stream.replay");
  else
    await check("snapshot", async (signal) => {
      const cursor = a.session.state.streamIndex;
      const { tail, lines, version } = await tailIndex(client, a.session.state.sessionId, signal);
      assertEqual(version, "26", "x-eve-stream-version");
      const snap = await a.session.snapshot({ signal });
      assertEqual(snap.events.length, tail + 1, "snapshot event count vs x-eve-stream-tail-index + 1");
      assertEqual(lines, tail + 1, "raw bounded stream line count vs tail + 1");
      assertEqual(snap.session.sessionId, a.session.state.sessionId, "snapshot.session.sessionId");
      assertEqual(snap.session.streamIndex, snap.events.length, "snapshot.session.streamIndex");
      assertEqual(ids(snap.events), ids(all.events), "snapshot meta.ids");
      assertEqual(a.session.state.streamIndex, cursor, "handle cursor after snapshot()");
      return { detail: { events: snap.events.length, tail } };
    });

  // ---- attach(id, {streamIndex}) then stream() from that index ---------------------------------
  if (!a || !all) skip("attach.stream", !a ? "create.events" : "stream.replay");
  else
    await check("attach.stream", async (signal) => {
      const k = a.turn1.length + 1; // start inside the second turn
      const attached = client.sessions.attach(a.session.state.sessionId, { streamIndex: k });
      assertEqual(attached.state, { sessionId: a.session.state.sessionId, streamIndex: k }, "attached.state");
      // live (follow) read from the stored cursor; stop at the boundary ourselves
      const events = [];
      for await (const e of attached.stream({ signal })) {
        events.push(e);
        if (e.type === "session.waiting") break;
      }
      assertEqual(ids(events), ids(all.events.slice(k)), `meta.ids streamed from index ${k}`);
      assertEqual(attached.state.streamIndex, all.events.length, "attached cursor after stream()");
      // a bounded read from the advanced cursor yields nothing more
      const more = await collect(attached.stream({ follow: false, signal }));
      assertEqual(more.length, 0, "bounded read after catching up");
      return { detail: { from: k, events: events.length, streamIndex: attached.state.streamIndex } };
    });

  // ---- cancel() during a slow turn (session B) --------------------------------------------
  if (!b) skip("cancel", "create.result");
  const cancelled = !b
    ? undefined
    : await check("cancel", async (signal) => {
        const response = await b.session.send("slow: take your time", { signal });
        const events = [];
        let cancelResult;
        for await (const e of response) {
          events.push(e);
          if (e.type === "message.appended" && cancelResult === undefined) {
            cancelResult = await b.session.cancel({ signal });
          }
        }
        assert(cancelResult !== undefined, "never saw a message.appended to cancel after", types(events));
        assertEqual(cancelResult, { sessionId: b.session.state.sessionId, status: "accepted" }, "cancel() result");
        const t = types(events);
        assertEqual(t.slice(0, 3), ["turn.started", "message.received", "step.started"], "leading event types");
        assertEqual(t.slice(-2), ["turn.cancelled", "session.waiting"], "trailing event types");
        assert(!t.includes("turn.completed"), "a cancelled turn reported turn.completed", t);
        const appended = t.filter((x) => x === "message.appended").length;
        assert(appended < 40, `all ${appended} deltas arrived: the turn was not cancelled`, t);
        const turnId = events[0].data.turnId;
        assertEqual(events.at(-2).data.turnId, turnId, "turn.cancelled.data.turnId");
        return { detail: { turnId, events: events.length, appendedBeforeCancel: appended } };
      });

  if (!b || !cancelled) skip("send.after-cancel", !b ? "create.result" : "cancel");
  else
    await check("send.after-cancel", async (signal) => {
      const result = await (await b.session.send("after cancel", { signal })).result();
      assertEqual(result.message, "Echo: after cancel", "result.message");
      assertEqual(result.status, "waiting", "result.status");
      assertEchoTurn(result.events, { first: false, text: "after cancel" });
      return { detail: { events: result.events.length } };
    });

  // ---- compact() / clear() / a failing model call (session B) ----------------------------------
  /** Follows the handle's stream from its cursor until the next session.waiting. */
  async function untilWaiting(session, signal) {
    const events = [];
    for await (const e of session.stream({ signal })) {
      events.push(e);
      if (e.type === "session.waiting") break;
    }
    return events;
  }

  let compacted;
  if (!b) skip("compact", "create.result");
  else
    compacted = await check("compact", async (signal) => {
      const cursor = b.session.state.streamIndex;
      const r = await b.session.compact();
      assertEqual(r, { sessionId: b.session.state.sessionId, status: "accepted" }, "compact() result");
      const events = await untilWaiting(b.session, signal);
      assertEqual(types(events), ["compaction.requested", "compaction.completed", "session.waiting"], "event types");
      assertEqual(b.session.state.streamIndex, cursor + events.length, "cursor after compaction");
      return { detail: { events: events.length } };
    });

  let cleared;
  if (!b || !compacted) skip("clear", !b ? "create.result" : "compact");
  else
    cleared = await check("clear", async (signal) => {
      const r = await b.session.clear();
      assertEqual(r, { sessionId: b.session.state.sessionId, status: "accepted" }, "clear() result");
      const events = await untilWaiting(b.session, signal);
      assertEqual(types(events), ["context.cleared", "session.waiting"], "event types");
      assertEqual(events[0].data.sessionId, b.session.state.sessionId, "context.cleared.data.sessionId");
      const result = await (await b.session.send("after clear", { signal })).result();
      assertEqual(result.message, "Echo: after clear", "result.message of the next turn");
      assertEchoTurn(result.events, { first: false, text: "after clear" });
      return { detail: { events: events.length } };
    });

  if (!b || !cleared) skip("send.model-failure", !b ? "create.result" : "clear");
  else
    await check("send.model-failure", async (signal) => {
      const result = await (await b.session.send("fail: boom", { signal })).result();
      assertEqual(result.status, "waiting", "result.status");
      assertEqual(result.message, undefined, "result.message");
      const t = types(result.events);
      assertEqual(t.slice(0, 3), ["turn.started", "message.received", "step.started"], "leading event types");
      assertEqual(t.slice(-3), ["step.failed", "turn.failed", "session.waiting"], "trailing event types");
      const stepFailed = result.events.at(-3);
      const turnFailed = result.events.at(-2);
      assertEqual(stepFailed.data.code, "MODEL_CALL_FAILED", "step.failed.data.code");
      assertEqual(turnFailed.data.terminal, false, "turn.failed.data.terminal");
      assert(String(turnFailed.data.message).includes("boom"), "turn.failed.data.message lacks the cause", turnFailed);
      return { detail: { types: t } };
    });

  // ---- reset() then send() fails with session_not_active (session A) ---------------------------
  let wasReset;
  if (!a) skip("reset", "create.events");
  else
    wasReset = await check("reset", async (signal) => {
      const r = await a.session.reset({ signal });
      assertEqual(r, { previousSessionId: a.session.state.sessionId, status: "reset" }, "reset() result");
      return { detail: r };
    });

  if (!a || !wasReset) skip("send.after-reset", !a ? "create.events" : "reset");
  else
    await check("send.after-reset", async (signal) => {
      let response;
      try {
        response = await a.session.send("are you still there?", { signal });
      } catch (e) {
        if (!(e instanceof ClientError)) throw e;
        assertEqual(e.code, "session_not_active", "ClientError.code");
        assertEqual(e.status, 409, "ClientError.status");
        return { detail: { status: e.status, code: e.code, message: e.message } };
      }
      throw new CheckFailed("send() after reset() was accepted", { sessionId: response.sessionId });
    });

  // ---- tools and human-in-the-loop (session C, a fresh one) -----------------------------------
  // The default agent is the demo agent: `lookup` runs freely, `deploy` needs approval every time,
  // `ask_question` asks the person; after tools ran the model answers "Tool results: <tool> -> <output>; …".
  const c = await check("tool.lookup", async (signal) => {
    const { response, session } = await client.sessions.create({ message: "tool: weather", signal });
    const result = await response.result();
    assertIdleAgain(result);
    assertIncludes(result.message, "lookup -> ", "result.message");
    assertIncludes(result.message, '"query":"weather"', "result.message");
    const t = types(result.events);
    const requested = result.events.find((e) => e.type === "actions.requested");
    assert(requested !== undefined, "no actions.requested event", t);
    assertEqual(requested.data.actions.map((x) => x.toolName), ["lookup"], "actions.requested tool names");
    const actionResult = result.events.find((e) => e.type === "action.result");
    assert(actionResult !== undefined, "no action.result event", t);
    assertEqual(actionResult.data.status, "completed", "action.result.data.status");
    assert(!t.includes("input.requested"), "lookup asked for approval", t);
    assertEqual(session.state.streamIndex, result.events.length, "cursor after the first turn");
    return { session, detail: { sessionId: session.state.sessionId, message: result.message, types: t } };
  });

  /** send(text) on session C; the response must park on `n` open input requests. */
  async function parkOnInput(session, text, n, signal) {
    const result = await (await session.send(text, { signal })).result();
    const turnId = assertParkedOnInput(result, n);
    return { result, turnId };
  }

  let pending;
  if (!c) skip("approval.request", "tool.lookup");
  else
    pending = await check("approval.request", async (signal) => {
      const { result, turnId } = await parkOnInput(c.session, "approve: production", 1, signal);
      const [request] = result.inputRequests;
      assertDeployApproval(request, "production");
      assert(types(result.events).includes("input.requested"), "no input.requested event", types(result.events));
      return { request, turnId, detail: { requestId: request.requestId, turnId, types: types(result.events) } };
    });

  let approved;
  if (!c || !pending) skip("approval.approve", !c ? "tool.lookup" : "approval.request");
  else
    approved = await check("approval.approve", async (signal) => {
      const response = await c.session.respond([{ requestId: pending.request.requestId, optionId: "approve" }], { signal });
      assertEqual(response.sessionId, c.session.state.sessionId, "response.sessionId");
      const result = await response.result();
      assertIdleAgain(result);
      assertIncludes(result.message, 'deploy -> {"deployed":"production"}', "result.message");
      const t = types(result.events);
      assert(!t.includes("turn.started"), "answering an approval started a new turn", t);
      const settled = result.events.find((e) => e.type === "approval.settled");
      assert(settled !== undefined, "no approval.settled event", t);
      assertEqual(settled.data.outcome, "approved", "approval.settled.data.outcome");
      assertEqual(settled.data.requestId, pending.request.requestId, "approval.settled.data.requestId");
      const resolved = result.events.find((e) => e.type === "input.resolved");
      assert(resolved !== undefined, "no input.resolved event", t);
      assertEqual(resolved.data.turnId, pending.turnId, "input.resolved.data.turnId (the parked turn resumes)");
      assertEqual(result.events.at(-2).data.turnId, pending.turnId, "turn.completed.data.turnId");
      const actionResult = result.events.find((e) => e.type === "action.result");
      assertEqual(actionResult?.data?.status, "completed", "action.result.data.status");
      // respond() reads from the stored cursor without delivery filtering: the cursor ends at the tail
      const { tail } = await tailIndex(client, c.session.state.sessionId, signal);
      assertEqual(c.session.state.streamIndex, tail + 1, "cursor after respond() vs x-eve-stream-tail-index + 1");
      return { detail: { message: result.message, types: t } };
    });

  let denied;
  if (!c || !approved) skip("approval.deny", !c ? "tool.lookup" : "approval.approve");
  else
    denied = await check("approval.deny", async (signal) => {
      const { result: asked } = await parkOnInput(c.session, "approve: staging", 1, signal);
      const [request] = asked.inputRequests;
      assertDeployApproval(request, "staging");
      const response = await c.session.respond([{ requestId: request.requestId, optionId: "cancel", text: "Not today." }], {
        signal,
      });
      const result = await response.result();
      assertIdleAgain(result);
      assertIncludes(
        result.message,
        'denied (Tool execution was denied. The person who denied it wrote: "Not today.")',
        "result.message",
      );
      const t = types(result.events);
      // as recorded from eve 0.80.1 (golden 05-approval-deny): the approval settles "cancelled",
      // the input resolves "denied", and the call is rejected with TOOL_EXECUTION_DENIED
      const settled = result.events.find((e) => e.type === "approval.settled");
      assertEqual(settled?.data?.outcome, "cancelled", "approval.settled.data.outcome");
      const resolved = result.events.find((e) => e.type === "input.resolved");
      assertEqual(resolved?.data?.resolutions?.[0]?.outcome, "denied", "input.resolved outcome");
      assertEqual(resolved?.data?.resolutions?.[0]?.response?.text, "Not today.", "input.resolved response text");
      const actionResult = result.events.find((e) => e.type === "action.result");
      assertEqual(actionResult?.data?.status, "rejected", "action.result.data.status");
      assertEqual(actionResult?.data?.error?.code, "TOOL_EXECUTION_DENIED", "action.result.data.error.code");
      return { detail: { message: result.message, types: t } };
    });

  if (!c || !denied) skip("approval.parallel", !c ? "tool.lookup" : "approval.deny");
  else
    await check("approval.parallel", async (signal) => {
      const { result: asked } = await parkOnInput(c.session, "approveboth: x", 2, signal);
      const byTarget = new Map(asked.inputRequests.map((r) => [r.action?.input?.target, r]));
      assertDeployApproval(byTarget.get("x #1") ?? asked.inputRequests[0], "x #1");
      assertDeployApproval(byTarget.get("x #2") ?? asked.inputRequests[1], "x #2");
      const requestIds = asked.inputRequests.map((r) => r.requestId);
      assertEqual(new Set(requestIds).size, 2, "distinct requestIds");
      const response = await c.session.respond(
        requestIds.map((requestId) => ({ requestId, optionId: "approve" })),
        { signal },
      );
      const result = await response.result();
      assertIdleAgain(result);
      assertIncludes(result.message, 'deploy -> {"deployed":"x #1"}', "result.message");
      assertIncludes(result.message, 'deploy -> {"deployed":"x #2"}', "result.message");
      const settled = result.events.filter((e) => e.type === "approval.settled");
      assertEqual(settled.map((e) => e.data.outcome), ["approved", "approved"], "approval.settled outcomes");
      assertDeepEqual(settled.map((e) => e.data.requestId).sort(), [...requestIds].sort(), "approval.settled requestIds");
      return { detail: { requestIds, message: result.message } };
    });

  // ---- structured output (session D) ------------------------------------------------------------
  const d = await check("output-schema.create", async (signal) => {
    const outputSchema = {
      type: "object",
      properties: { title: { type: "string" }, count: { type: "integer" } },
      required: ["title", "count"],
    };
    const { response, session } = await client.sessions.create({ message: "Summarise the release.", outputSchema, signal });
    const result = await response.result();
    assertIdleAgain(result);
    assertDeepEqual(result.data, { title: "title-value", count: 3 }, "result.data");
    const completed = result.events.filter((e) => e.type === "result.completed");
    assertEqual(completed.length, 1, "result.completed count");
    const t = types(result.events);
    assert(t.indexOf("result.completed") < t.indexOf("turn.completed"), "result.completed after turn.completed", t);
    return { session, detail: { sessionId: session.state.sessionId, data: result.data, types: t } };
  });

  let structured;
  if (!d) skip("output-schema.send", "output-schema.create");
  else
    structured = await check("output-schema.send", async (signal) => {
      // a zod 4 schema, lowered by the client to draft-07 JSON Schema (additionalProperties:false)
      const outputSchema = z.object({ score: z.number(), ok: z.boolean(), tags: z.array(z.string()) });
      const result = await (await d.session.send("Rate it.", { outputSchema, signal })).result();
      assertIdleAgain(result);
      assertDeepEqual(result.data, { score: 1.5, ok: true, tags: ["tags-value"] }, "result.data");
      // the schema holds for one turn only
      const plain = await (await d.session.send("and now plainly", { signal })).result();
      assertIdleAgain(plain);
      assertEqual(plain.data, undefined, "result.data of the next turn without a schema");
      assertEqual(plain.message, "Echo: and now plainly", "result.message of the next turn");
      return { detail: { data: result.data } };
    });

  // ---- questions (session D): answered through respond() and through a plain message -----------
  let answered;
  if (!d || !structured) skip("question.respond", !d ? "output-schema.create" : "output-schema.send");
  else
    answered = await check("question.respond", async (signal) => {
      const { result: asked } = await parkOnInput(d.session, "askfree: What is your name?", 1, signal);
      const [request] = asked.inputRequests;
      assertEqual(request.kind, "question", "inputRequest.kind");
      assertEqual(request.prompt, "What is your name?", "inputRequest.prompt");
      assertEqual(request.allowFreeform, true, "inputRequest.allowFreeform");
      assertEqual(request.action?.toolName, "ask_question", "inputRequest.action.toolName");
      const result = await (await d.session.respond([{ requestId: request.requestId, text: "Alice" }], { signal })).result();
      assertIdleAgain(result);
      assertIncludes(result.message, '{"answer":"Alice","status":"answered"}', "result.message");
      const resolved = result.events.find((e) => e.type === "input.resolved");
      assertEqual(resolved?.data?.resolutions?.[0]?.requestId, request.requestId, "input.resolved requestId");
      return { detail: { requestId: request.requestId, message: result.message } };
    });

  if (!d || !answered) skip("question.send", !d ? "output-schema.create" : "question.respond");
  else
    await check("question.send", async (signal) => {
      const { result: asked, turnId } = await parkOnInput(d.session, "askfree: What is your name?", 1, signal);
      assertEqual(asked.inputRequests[0].kind, "question", "inputRequest.kind");
      // a plain message answers the open question; send() filters the stream by its deliveryId
      const result = await (await d.session.send("Alice", { signal })).result();
      assertIdleAgain(result);
      assertIncludes(result.message, '{"answer":"Alice","status":"answered"}', "result.message");
      assertEqual(result.events.at(-2).data.turnId, turnId, "turn.completed.data.turnId (the parked turn resumes)");
      return { detail: { message: result.message, types: types(result.events) } };
    });

  // ---- files: the server runs with an upload policy of text/plain and image/*, 1 MiB ----------
  const f = await check("files.accepted", async (signal) => {
    const bytes = new TextEncoder().encode("hello file");
    const message = createTextWithFileContent({ text: "see file", bytes, mediaType: "text/plain", filename: "note.txt" });
    const { response, session } = await client.sessions.create({ message, signal });
    const result = await response.result();
    assertEqual(result.status, "waiting", "result.status");
    const received = result.events.find((e) => e.type === "message.received");
    assertIncludes(received?.data?.message, "[file: note.txt (text/plain)]", "message.received.data.message");
    return { session, detail: { received: received.data.message } };
  });

  if (!f) skip("files.refused", "files.accepted");
  else
    await check("files.refused", async (signal) => {
      const before = f.session.state.streamIndex;
      const refused = async (content) => {
        try {
          await f.session.send(content, { signal });
        } catch (e) {
          if (e instanceof ClientError) return e;
          throw e;
        }
        throw new Error("the server accepted a message its upload policy refuses");
      };
      const pdf = await refused(createTextWithFileContent({ text: "a pdf", bytes: new Uint8Array([37, 80, 68, 70]),
        mediaType: "application/pdf", filename: "r.pdf" }));
      assertEqual(pdf.status, 415, "status for a type not allowed");
      assertEqual(JSON.parse(pdf.body).violations?.[0]?.kind, "disallowed-media-type", "violations[0].kind");
      const big = await refused([{ type: "text", text: "a big image" },
        createDataUrlFilePart({ bytes: new Uint8Array(1024 * 1024 + 1), mediaType: "image/png", filename: "big.png" })]);
      assertEqual(big.status, 413, "status for a file over the cap");
      assertIncludes(JSON.parse(big.body).error, "big.png (1048577 bytes) exceeds the 1048576-byte upload limit.", "error");
      assertEqual((await tailIndex(client, f.session.state.sessionId, signal)).tail, before - 1, "nothing was appended");
      const result = await (await f.session.send("after the refused files", { signal })).result();
      assertEqual(result.message, "Echo: after the refused files", "result.message");
      return { detail: { pdf: pdf.status, big: big.status } };
    });

  for (const name of CHECKS) if (!reported.has(name)) emit(name, false, { message: "check was not reported" });
  process.stderr.write(`interop: ${CHECKS.length - failures}/${CHECKS.length} checks passed\n`);
  return failures === 0 ? 0 : 1;
}

const watchdog = setTimeout(() => {
  emit("watchdog", false, { message: `interop script did not finish within ${WATCHDOG_MS} ms` });
  process.exit(3);
}, WATCHDOG_MS);
watchdog.unref();

main().then(
  (code) => {
    process.exitCode = code;
    // open keep-alive sockets must not keep the process alive
    setTimeout(() => process.exit(code), 100).unref();
  },
  (e) => {
    emit("fatal", false, describeError(e));
    process.exit(4);
  },
);
