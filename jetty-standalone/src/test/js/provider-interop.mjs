// Provider interop driver: runs the real TypeScript client `eve/client` (npm eve@0.80.1) against
// eve4j servers whose demo agent talks to a real model provider client (OpenAI Chat Completions,
// Anthropic Messages) pointed at a fake provider that ProviderInteropTest scripts in Java.
// Prints one JSON line per check on stdout:
//   {"check":"<provider>.<name>","ok":true|false,"detail":...}
// Diagnostics go to stderr. Exit code 0 only if every check passed.
//
// Usage: node provider-interop.mjs '<config-json>'
//   config: {"openai":{"url":"http://127.0.0.1:p1/","model":"openai/gpt-4o-mini","key":"…"},
//            "anthropic":{"url":"http://127.0.0.1:p2/","model":"anthropic/claude-haiku-4-5","key":"…"}}
//
// What the fake providers do (see ProviderInteropTest): "deploy" asks for a `deploy` tool call
// (which needs approval); after the tool result they answer with the tool's output; "bad key"
// answers 401; "slow" streams text until the client goes away; a compaction call answers with a
// summary; anything else answers with the summary found in the conversation.

import { Client } from "eve/client";

const CONFIG = JSON.parse(process.argv[2] ?? process.env.EVE_PROVIDER_CONFIG ?? "{}");
const CHECK_TIMEOUT_MS = Number(process.env.EVE_CHECK_TIMEOUT_MS ?? 20_000);
const WATCHDOG_MS = Number(process.env.EVE_WATCHDOG_MS ?? 100_000);

/** The checks this script reports for each provider, in order. The Java test asserts exactly these. */
const STEPS = ["info", "approval.request", "approval.approve", "model-failure", "cancel", "compact", "after-compact"];
const PROVIDERS = ["openai", "anthropic"];
const CHECKS = PROVIDERS.flatMap((p) => STEPS.map((s) => `${p}.${s}`));

const SUMMARY = "The user asked to deploy to production; it was approved and deployed.";

let failures = 0;
const reported = new Set();

function emit(check, ok, detail) {
  reported.add(check);
  if (!ok) failures += 1;
  process.stdout.write(JSON.stringify({ check, ok, detail: detail ?? null }) + "\n");
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

function assertIncludes(text, needle, what) {
  assert(typeof text === "string" && text.includes(needle), `${what}: expected to contain ${JSON.stringify(needle)}, got ${JSON.stringify(text)}`);
}

function describeError(e) {
  if (e instanceof Error) return { error: e.name, message: e.message, stack: e.stack?.split("\n").slice(0, 5).join("\n") };
  return { error: String(e) };
}

/** Runs one check with a timeout; `fn(signal)` returns the success value (and optional detail). */
async function check(name, fn) {
  const controller = new AbortController();
  let timer;
  const timedOut = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`check '${name}' timed out after ${CHECK_TIMEOUT_MS} ms`);
      err.name = "TimeoutError";
      controller.abort(err);
      reject(err);
    }, CHECK_TIMEOUT_MS);
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

const types = (events) => events.map((e) => e.type);
const find = (events, type) => events.find((e) => e.type === type);

async function untilWaiting(session, signal) {
  const events = [];
  for await (const e of session.stream({ signal })) {
    events.push(e);
    if (e.type === "session.waiting") break;
  }
  return events;
}

async function runProvider(provider, { url, model, key }) {
  const client = new Client({ host: url });
  const name = (step) => `${provider}.${step}`;
  const skip = (step, because) => emit(name(step), false, { skipped: true, message: `not run: '${because}' failed` });

  await check(name("info"), async (signal) => {
    const info = await client.info({ signal });
    assertEqual(info.agent?.model?.id, model, "info.agent.model.id");
    assertEqual(info.agent?.model?.routing?.provider, provider, "info.agent.model.routing.provider");
    return { detail: { model: info.agent.model.id } };
  });

  // A turn whose model call asks for the approval-needing `deploy` tool.
  const pending = await check(name("approval.request"), async (signal) => {
    const { response, session } = await client.sessions.create({ message: "Please deploy to production", signal });
    const result = await response.result();
    assertEqual(result.status, "waiting", "result.status");
    assertEqual(result.events.at(-1)?.type, "turn.waiting", "last event type");
    assertEqual(result.inputRequests.length, 1, "open input requests");
    const [request] = result.inputRequests;
    assertEqual(request.kind, "tool-approval", "inputRequest.kind");
    assertEqual(request.action?.toolName, "deploy", "inputRequest.action.toolName");
    assertEqual(request.action?.input, { target: "production" }, "inputRequest.action.input");
    const started = find(result.events, "step.started");
    assertEqual(started?.data?.modelId, model, "step.started.data.modelId");
    const streamed = result.events.filter((e) => e.type === "action.input.appended").map((e) => e.data.inputTextDelta);
    assert(streamed.length >= 2, "the tool input was not streamed in fragments", types(result.events));
    assertEqual(JSON.parse(streamed.join("")), { target: "production" }, "joined action.input.appended deltas");
    const completed = find(result.events, "step.completed");
    assertEqual(completed?.data?.finishReason, "tool-calls", "step.completed.data.finishReason");
    assertEqual(completed?.data?.usage?.inputTokens, 21, "step.completed.data.usage.inputTokens");
    assertEqual(completed?.data?.usage?.outputTokens, 7, "step.completed.data.usage.outputTokens");
    return { session, request, detail: { types: types(result.events) } };
  });

  let approved;
  if (!pending) skip("approval.approve", "approval.request");
  else
    approved = await check(name("approval.approve"), async (signal) => {
      const response = await pending.session.respond([{ requestId: pending.request.requestId, optionId: "approve" }], { signal });
      const result = await response.result();
      assertEqual(result.status, "waiting", "result.status");
      assertEqual(result.events.at(-2)?.type, "turn.completed", "event before session.waiting");
      assertEqual(find(result.events, "approval.settled")?.data?.outcome, "approved", "approval.settled outcome");
      const actionResult = find(result.events, "action.result");
      assertEqual(actionResult?.data?.status, "completed", "action.result.data.status");
      assertIncludes(result.message, 'Deployed. The tool said: {"deployed":"production"}', "result.message");
      assertEqual(find(result.events, "message.completed")?.data?.finishReason, "stop", "message.completed.finishReason");
      return { detail: { message: result.message } };
    });

  const session = pending?.session;
  if (!session || !approved) skip("model-failure", "approval.approve");
  else
    await check(name("model-failure"), async (signal) => {
      const result = await (await session.send("bad key, please", { signal })).result();
      const t = types(result.events);
      assertEqual(t.slice(-3), ["step.failed", "turn.failed", "session.waiting"], "trailing event types");
      const failed = result.events.at(-3);
      assertEqual(failed.data.code, "MODEL_AUTHENTICATION_FAILED", "step.failed.data.code");
      assertIncludes(failed.data.message, "401", "step.failed.data.message");
      assert(!String(failed.data.message).includes(key) && !JSON.stringify(result.events).includes(key),
        "the API key leaked into the events", failed.data);
      return { detail: { code: failed.data.code, message: failed.data.message } };
    });

  if (!session) skip("cancel", "approval.request");
  else
    await check(name("cancel"), async (signal) => {
      const response = await session.send("slow story, please", { signal });
      const events = [];
      let cancelled;
      for await (const e of response) {
        events.push(e);
        if (e.type === "message.appended" && cancelled === undefined) {
          cancelled = await session.cancel({ signal });
        }
      }
      assert(cancelled !== undefined, "never saw a message.appended to cancel after", types(events));
      assertEqual(cancelled.status, "accepted", "cancel() status");
      assertEqual(types(events).slice(-2), ["turn.cancelled", "session.waiting"], "trailing event types");
      return { detail: { appended: events.filter((e) => e.type === "message.appended").length } };
    });

  let compacted;
  if (!session) skip("compact", "approval.request");
  else
    compacted = await check(name("compact"), async (signal) => {
      const r = await session.compact();
      assertEqual(r.status, "accepted", "compact() status");
      const events = await untilWaiting(session, signal);
      assertEqual(types(events), ["compaction.requested", "compaction.completed", "session.waiting"], "event types");
      return { detail: { events: events.length } };
    });

  if (!session || !compacted) skip("after-compact", "compact");
  else
    await check(name("after-compact"), async (signal) => {
      const result = await (await session.send("What happened so far?", { signal })).result();
      assertEqual(result.events.at(-2)?.type, "turn.completed", "event before session.waiting");
      assertIncludes(result.message, SUMMARY, "result.message (the model saw the summary)");
      return { detail: { message: result.message } };
    });
}

async function main() {
  const [major] = process.versions.node.split(".").map(Number);
  process.stderr.write(`provider-interop: node ${process.versions.node}\n`);
  if (major < 24) process.stderr.write(`provider-interop: WARNING: eve@0.80.1 declares engines.node >=24\n`);
  for (const provider of PROVIDERS) {
    if (!CONFIG[provider]) {
      for (const step of STEPS) emit(`${provider}.${step}`, false, { message: `no config for ${provider}` });
      continue;
    }
    await runProvider(provider, CONFIG[provider]);
  }
  for (const name of CHECKS) if (!reported.has(name)) emit(name, false, { message: "check was not reported" });
  process.stderr.write(`provider-interop: ${CHECKS.length - failures}/${CHECKS.length} checks passed\n`);
  return failures === 0 ? 0 : 1;
}

const watchdog = setTimeout(() => {
  process.stderr.write(`provider-interop: watchdog fired after ${WATCHDOG_MS} ms\n`);
  for (const name of CHECKS) if (!reported.has(name)) emit(name, false, { message: "watchdog: not finished" });
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`provider-interop: crashed: ${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
