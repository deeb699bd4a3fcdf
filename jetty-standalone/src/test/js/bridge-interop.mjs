// Bridge driver: the real TypeScript client `eve/client` (npm eve@0.80.1) drives eve sessions on an
// eve4j server whose ChannelBridge mirrors them into the operator channel; an "operator" answers in
// the channel over its raw HTTP API (/api/v1). Prints one JSON line per check on stdout:
//   {"check":"<name>","ok":true|false,"detail":...}
// Exit code 0 only if every check passed.
//
// Usage: node bridge-interop.mjs <base-url> <channel-api-key>

import { Client } from "eve/client";

const BASE_URL = process.argv[2];
const KEY = process.argv[3];
const CHECK_TIMEOUT_MS = 30_000;

const CHECKS = [
  "approval.answered-in-channel",
  "approval.working-card",
  "approval.answered-in-session",
  "question.answered-in-channel",
];

let failures = 0;
const reported = new Set();

function emit(check, ok, detail) {
  reported.add(check);
  if (!ok) failures++;
  process.stdout.write(JSON.stringify({ check, ok, detail }) + "\n");
}

class CheckFailed extends Error {
  constructor(message, detail) {
    super(message);
    this.detail = detail;
  }
}

function assert(condition, message, detail) {
  if (!condition) throw new CheckFailed(message, detail);
}

function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  assert(a === e, `${what}: expected ${e}, got ${a}`);
}

async function check(name, fn) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  try {
    const out = (await fn(controller.signal)) ?? {};
    emit(name, true, out.detail ?? null);
    return out;
  } catch (e) {
    emit(name, false, { error: String(e?.message ?? e), detail: e?.detail ?? null });
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

// ---- the operator's side: the channel's raw HTTP API ------------------------------------------

async function api(method, path, body) {
  const res = await fetch(new URL(`api/v1${path}`, BASE_URL), {
    method,
    headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The messages of the session's vessel (eve-<sessionId>), oldest first; [] before it exists. */
async function vesselMessages(sessionId) {
  const r = await api("GET", `/vessels/by-external/eve-${encodeURIComponent(sessionId)}/messages?limit=100`);
  if (r.status === 404) return [];
  assertEqual(r.status, 200, "GET vessel messages status");
  return r.body.messages;
}

/** Polls (bounded by the check's signal) until probe returns something. */
async function eventually(signal, probe) {
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (signal.aborted) throw new CheckFailed("gave up waiting", String(signal.reason));
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The live channel interaction mirroring eve request `requestId`. */
function mirrored(signal, sessionId, requestId) {
  return eventually(signal, async () =>
    (await vesselMessages(sessionId)).find(
      (m) => m.interaction?.metadata?.eve4j?.requestId === requestId,
    ),
  );
}

// ---- the session's side: eve/client ------------------------------------------------------------

const types = (events) => events.map((e) => e.type);

/** Follows the handle's stream from its cursor until the next session.waiting. */
async function untilWaiting(session, signal) {
  const events = [];
  for await (const e of session.stream({ signal })) {
    events.push(e);
    if (e.type === "session.waiting") break;
  }
  return events;
}

async function main() {
  assert(BASE_URL && KEY, "usage: node bridge-interop.mjs <base-url> <channel-api-key>");
  const client = new Client({ host: BASE_URL });
  let first;

  first = await check("approval.answered-in-channel", async (signal) => {
    const { response, session } = await client.sessions.create({ message: "approve: production", signal });
    const parked = await response.result();
    assertEqual(parked.inputRequests.length, 1, "open input requests");
    const request = parked.inputRequests[0];
    assertEqual(request.kind, "tool-approval", "request kind");
    const sessionId = session.state.sessionId;
    const m = await mirrored(signal, sessionId, request.requestId);
    assertEqual(m.interaction.type, "approval", "channel interaction type");
    assertEqual(m.interaction_status, "live", "channel interaction status");
    const answered = await api("POST", `/messages/${m.id}/respond`, { response: { action: "approved" } });
    assertEqual(answered.status, 200, "respond status");
    const events = await untilWaiting(session, signal);
    const t = types(events);
    assert(!t.includes("turn.started"), "the operator's answer started a new turn", t);
    const settled = events.find((e) => e.type === "approval.settled");
    assertEqual(settled?.data?.outcome, "approved", "approval.settled outcome");
    assertEqual(settled?.data?.requestId, request.requestId, "approval.settled requestId");
    const result = events.find((e) => e.type === "action.result");
    assertEqual(result?.data?.status, "completed", "action.result status");
    const reply = events.filter((e) => e.type === "message.completed").at(-1)?.data?.message ?? "";
    assert(reply.includes('deploy -> {"deployed":"production"}'), "the resumed turn's reply", reply);
    return { detail: { sessionId, requestId: request.requestId, messageId: m.id, types: t } };
  });

  if (!first) emit("approval.working-card", false, "skipped: approval.answered-in-channel failed");
  else
    await check("approval.working-card", async (signal) => {
      const sessionId = first.detail.sessionId;
      const card = await eventually(signal, async () =>
        (await vesselMessages(sessionId)).find(
          (m) => m.source === "agent" && !m.interaction && m.agent_activity?.status === "resolved",
        ),
      );
      const messages = await vesselMessages(sessionId);
      assertEqual(messages[0].source, "event", "first message: the user's message as a backend event");
      assert(JSON.stringify(messages[0]).includes("approve: production"), "the banner carries the user's text", messages[0]);
      assert(card.content.includes('deploy -> {"deployed":"production"}'), "the sealed card shows the reply", card);
      const steps = card.agent_activity.steps.map((s) => `${s.type}:${s.label}`);
      assertEqual(steps[0], "thinking:Thinking", "first step");
      assert(steps[1].startsWith("tool_use:deploy"), "the tool call is a step", steps);
      assert(card.agent_activity.steps.every((s) => typeof s.duration_ms === "number"), "every step timed", card);
      return { detail: { steps, content: card.content } };
    });

  await check("approval.answered-in-session", async (signal) => {
    const { response, session } = await client.sessions.create({ message: "approve: staging", signal });
    const parked = await response.result();
    const request = parked.inputRequests[0];
    const sessionId = session.state.sessionId;
    const m = await mirrored(signal, sessionId, request.requestId);
    const resumed = await (await session.respond([{ requestId: request.requestId, optionId: "approve" }], { signal })).result();
    assertEqual(resumed.status, "waiting", "result status");
    assert(resumed.message.includes('deploy -> {"deployed":"staging"}'), "the reply", resumed.message);
    const closed = await eventually(signal, async () => {
      const now = (await vesselMessages(sessionId)).find((x) => x.id === m.id);
      return now.interaction_status !== "live" ? now : undefined;
    });
    const late = await api("POST", `/messages/${m.id}/respond`, { response: { action: "rejected", reason: "late" } });
    assertEqual(late.status, 409, "a late tap in the channel");
    const tail = await untilWaiting(session, AbortSignal.timeout(1_000)).catch(() => []);
    assert(!types(tail).includes("approval.settled"), "the late tap reached the session", types(tail));
    return { detail: { channelStatus: closed.interaction_status, resolution: closed.resolution ?? null, late: late.body } };
  });

  await check("question.answered-in-channel", async (signal) => {
    const { response, session } = await client.sessions.create({ message: "askfree: What is your name?", signal });
    const parked = await response.result();
    const request = parked.inputRequests[0];
    const sessionId = session.state.sessionId;
    const m = await mirrored(signal, sessionId, request.requestId);
    assertEqual(m.interaction.type, "text_input", "channel interaction type");
    assertEqual(m.interaction.prompt, "What is your name?", "channel interaction prompt");
    const answered = await api("POST", `/messages/${m.id}/respond`, { response: { text: "Alice" } });
    assertEqual(answered.status, 200, "respond status");
    const events = await untilWaiting(session, signal);
    const resolved = events.find((e) => e.type === "input.resolved");
    assertEqual(resolved?.data?.resolutions?.[0]?.response?.text, "Alice", "input.resolved answer text");
    const reply = events.filter((e) => e.type === "message.completed").at(-1)?.data?.message ?? "";
    assert(reply.includes("Alice"), "the reply uses the operator's answer", reply);
    return { detail: { reply } };
  });

  for (const name of CHECKS) if (!reported.has(name)) emit(name, false, "never ran");
}

const watchdog = setTimeout(() => {
  process.stderr.write("bridge-interop: watchdog fired\n");
  process.exit(3);
}, 150_000);

main()
  .catch((e) => {
    emit("driver", false, String(e?.stack ?? e));
  })
  .finally(() => {
    clearTimeout(watchdog);
    process.exit(failures === 0 ? 0 : 1);
  });
