// The JavaScript example of the firehose spec (seed 000, "API & Communication", section
// "JavaScript Example"), run unchanged against an eve4j server by FirehoseSeedExampleTest.
//
// The example hard-codes its server, conversation and token. This wrapper leaves its code alone and
// only points fetch() at the real ones, taken from the environment:
//   FIREHOSE_BASE_URL          the server root, e.g. http://127.0.0.1:41234/ (the example's http://localhost:3001)
//   FIREHOSE_CONVERSATION_KEY  the eve session id to follow (the example's my-conversation)
//   FIREHOSE_TOKEN             a bearer token with chat.read (the example's <jwt>)
// It prints "[firehose] connected <status>" once the response head has arrived (the server registers
// the subscription before it answers), so the test knows when to start the turn.

const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init = {}) => {
  const url = new URL(String(input));
  const base = new URL(process.env.FIREHOSE_BASE_URL);
  url.protocol = base.protocol;
  url.host = base.host;
  if (url.searchParams.get('conversationKey') === 'my-conversation') {
    url.searchParams.set('conversationKey', process.env.FIREHOSE_CONVERSATION_KEY);
  }
  const headers = new Headers(init.headers);
  if (headers.get('authorization') === 'Bearer <jwt>') {
    headers.set('authorization', `Bearer ${process.env.FIREHOSE_TOKEN}`);
  }
  const res = await realFetch(url, { ...init, headers });
  console.log('[firehose] connected', res.status);
  return res;
};

// ---- BEGIN seed example (verbatim) ----
const TOKEN = '<jwt>';
const res = await fetch(
  'http://localhost:3001/v1/events?conversationKey=my-conversation',
  { headers: { Authorization: `Bearer ${TOKEN}` } },
);

const reader = res.body.getReader();
const decoder = new TextDecoder();
let buf = '';

while (true) {
  const { done, value } = await reader.read();
  if (done) break;
  buf += decoder.decode(value, { stream: true });
  const frames = buf.split('\n\n');
  buf = frames.pop() ?? '';

  for (const frame of frames) {
    const dataLine = frame.split('\n').find((l) => l.startsWith('data: '));
    if (!dataLine) continue;
    const event = JSON.parse(dataLine.slice(6));
    console.log(event.message.type, event.message);
  }
}
// ---- END seed example ----
