// End-to-end test of the operator console in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core). The agent side is plain fetch() against /api/v1 with the same channel key.
//
// Env: CONSOLE_BASE_URL (http://127.0.0.1:<port>/), CONSOLE_KEY (vsl_… with read+push), CONSOLE_KEY2 (the
// same, of a second workspace),
// CONSOLE_SCREENSHOT (where to save the vessel view), CHROMIUM (default /usr/bin/chromium).
// Prints one JSON line per check: {"check": name, "ok": true|false, "detail": …}; ConsoleBrowserTest
// asserts the exact list. Exits non-zero on the first failure.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const BASE = process.env.CONSOLE_BASE_URL;
const KEY = process.env.CONSOLE_KEY;
const KEY2 = process.env.CONSOLE_KEY2; // a key of a second workspace
const SHOT = process.env.CONSOLE_SCREENSHOT;
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP = 15000;

function report(check, ok, detail) {
  console.log(JSON.stringify({ check, ok, detail: detail ?? null }));
}

async function api(method, path, body, headers = {}) {
  const r = await fetch(new URL('api/v1' + path, BASE), {
    method,
    headers: { Authorization: 'Bearer ' + KEY, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} -> ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The agent's poll: waits for the interaction.response of messageId (acks what it reads). */
async function pollResponse(messageId) {
  const deadline = Date.now() + STEP;
  while (Date.now() < deadline) {
    const page = await api('GET', '/poll?ack=true&limit=50');
    const events = page.events || page.data || [];
    const hit = events.find((e) => e.type === 'interaction.response' && e.messageId === messageId);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no interaction.response for ' + messageId + ' within ' + STEP + ' ms');
}

let page;
/** The agent's poll: waits for an event matching pred (acks what it reads). */
async function pollEvent(what, pred) {
  const deadline = Date.now() + STEP;
  while (Date.now() < deadline) {
    const page = await api('GET', '/poll?ack=true&limit=50');
    const hit = (page.events || []).find(pred);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no ' + what + ' within ' + STEP + ' ms');
}

async function check(name, fn) {
  try {
    const detail = await fn();
    report(name, true, detail);
  } catch (e) {
    report(name, false, String(e && e.stack || e) + (pageErrors.length ? '\npage errors:\n' + pageErrors.join('\n') : ''));
    if (page && SHOT) {
      mkdirSync(dirname(SHOT), { recursive: true });
      await page.screenshot({ path: SHOT.replace(/\.png$/, '') + '-failed-' + name + '.png' }).catch(() => {});
    }
    throw e;
  }
}

const pageErrors = [];
let browser;
try {
  browser = await chromium.launch({
    executablePath: EXE,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // A fresh context is a fresh profile: nothing in sessionStorage or localStorage.
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.setDefaultTimeout(STEP);
  page.on('pageerror', (e) => pageErrors.push('pageerror: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push('console: ' + m.text()); });
  const feed = page.locator('#feed');

  // A vessel the operator opens first, so the approval below has to arrive live.
  await api('POST', '/push', { vessel: 'approve-1', vesselTitle: 'Deposit for booking 88', labels: ['billing'],
    message: 'Hi! I will need your OK on the deposit in a moment.' });

  await check('sign-in', async () => {
    await page.goto(new URL('console', BASE).href);
    await page.locator('#token').fill(KEY);
    await page.locator('#signin-form button[type=submit]').click();
    await page.locator('#vessel-list [data-external-id="approve-1"]').waitFor();
    await page.locator('#live.on').waitFor();
    return page.url();
  });

  await check('approval-live-click-poll', async () => {
    await page.locator('#vessel-list [data-external-id="approve-1"]').click();
    await feed.getByText('I will need your OK').waitFor();
    await page.evaluate(() => { window.__sameDocument = true; });
    const pushed = await api('POST', '/push', { vessel: 'approve-1', message: 'The deposit is **$450**.',
      interaction: { type: 'approval', prompt: 'Charge the $450 deposit?', approveLabel: 'Charge it', rejectLabel: 'Not now' } });
    const card = page.locator(`[data-message-id="${pushed.messageId}"]`);
    await card.getByText('Charge the $450 deposit?').waitFor();
    await page.locator('#vessel-list [data-external-id="approve-1"] .badge.waiting').waitFor();
    if (!(await page.evaluate(() => window.__sameDocument === true))) throw new Error('the page reloaded');
    await card.getByRole('button', { name: 'Charge it' }).click();
    const ev = await pollResponse(pushed.messageId);
    if (ev.response.action !== 'approved') throw new Error('response ' + JSON.stringify(ev.response));
    await card.locator('.answer').getByText('Charge it').waitFor();
    return ev.response;
  });

  await check('questions-form', async () => {
    const pushed = await api('POST', '/push', { vessel: 'form-1', vesselTitle: 'Saturday booking', title: 'A few details',
      interaction: { type: 'questions', prompt: 'A few details to finalise the booking', submitLabel: 'Submit',
        questions: [
          { id: 'date', question: 'Which date works?', header: 'Date', options: [{ id: 'sat', label: 'Saturday 12th' }, { id: 'sun', label: 'Sunday 13th' }] },
          { id: 'extras', question: 'Any add-ons?', header: 'Add-ons', multiSelect: true, allowOther: true,
            options: [{ id: 'cake', label: 'Cake', description: 'Serves 20' }, { id: 'av', label: 'AV kit' }] },
        ] } });
    const item = page.locator('#vessel-list [data-external-id="form-1"]');
    await item.waitFor(); // arrived live in the list
    await item.click();
    const card = page.locator(`[data-message-id="${pushed.messageId}"]`);
    await card.getByText('Which date works?').waitFor();
    await card.getByLabel('Sunday 13th').check();
    await card.getByLabel('Cake').check();
    await card.getByLabel('AV kit').check();
    await card.getByLabel('Add-ons other').fill('Balloons');
    await card.getByRole('button', { name: 'Submit' }).click();
    const ev = await pollResponse(pushed.messageId);
    const answers = ev.response.answers;
    const want = JSON.stringify([{ questionId: 'date', selected: ['sun'] }, { questionId: 'extras', selected: ['cake', 'av'], other: 'Balloons' }]);
    if (JSON.stringify(answers) !== want) throw new Error('answers ' + JSON.stringify(answers));
    await card.locator('.answer').waitFor();
    return answers;
  });

  await check('edit-then-approve', async () => {
    const pushed = await api('POST', '/surface', { vessel: 'quote-88', vesselTitle: 'Quote: Saturday hire', title: 'Quote for the Saturday booking',
      card: { fields: [{ label: 'Total', value: '$1,500', editableId: 'total' }, { label: 'Date', value: '2026-06-20', editableId: 'date' }] },
      body: '| Item | Amount |\n| --- | ---: |\n| Full-day hire | {{base}} |\n| Deposit ({{deposit}}) | due now |\n\nTotal **{{total}}**, valid until {{date}}.',
      interaction: { type: 'approval', prompt: 'Send this quote?', approveLabel: 'Send quote', editables: [
        { id: 'base', type: 'currency', value: 1200 },
        { id: 'total', type: 'currency', value: 1500 },
        { id: 'deposit', type: 'choice', value: '50', options: [{ id: '50', label: '50%' }, { id: '25', label: '25%' }] },
        { id: 'date', type: 'date', value: '2026-06-20' },
      ] } });
    const item = page.locator('#vessel-list [data-external-id="quote-88"]');
    await item.click();
    const card = page.locator(`[data-message-id="${pushed.messageId}"]`);
    await card.locator('table .token').first().waitFor();
    const tokenText = await card.locator('table').innerText();
    if (!tokenText.includes('1200') || !tokenText.includes('50%')) throw new Error('tokens not rendered: ' + tokenText);
    await card.getByRole('button', { name: 'Edit & approve' }).click();
    await card.locator('input[data-editable="total"]').first().fill('1700');
    await card.locator('select[data-editable="deposit"]').selectOption('25');
    await card.getByRole('button', { name: 'Approve with edits' }).click();
    const ev = await pollResponse(pushed.messageId);
    const want = JSON.stringify({ action: 'approved', edits: { total: 1700, deposit: '25' } });
    const got = JSON.stringify({ action: ev.response.action, edits: ev.response.edits });
    if (got !== want) throw new Error('response ' + JSON.stringify(ev.response));
    await card.locator('.answer').getByText('with edits').waitFor();
    return ev.response;
  });

  await check('reject-with-reason', async () => {
    const pushed = await api('POST', '/push', { vessel: 'reject-1', vesselTitle: 'Refund request', message: 'Refund $80?',
      interaction: { type: 'approval', prompt: 'Refund $80 to Sam?', approveLabel: 'Refund', rejectLabel: 'Decline', reasonRequired: true } });
    await page.locator('#vessel-list [data-external-id="reject-1"]').click();
    const card = page.locator(`[data-message-id="${pushed.messageId}"]`);
    await card.getByRole('button', { name: 'Decline' }).click();
    await card.getByLabel('Reject reason').fill('Outside the 30-day window');
    await card.getByRole('button', { name: 'Send decline' }).click();
    const ev = await pollResponse(pushed.messageId);
    if (ev.response.action !== 'rejected' || ev.response.reason !== 'Outside the 30-day window') throw new Error(JSON.stringify(ev.response));
    await card.locator('.answer.rejected').getByText('Outside the 30-day window').waitFor();
    return ev.response;
  });

  await check('choice-checklist-text-input', async () => {
    await page.locator('#vessel-list [data-external-id="reject-1"]').click();
    const choice = await api('POST', '/push', { vessel: 'reject-1', message: 'Which slot?',
      interaction: { type: 'choice', prompt: 'Choose a time slot', options: [{ id: 'sat-10am', label: '10am Saturday' }, { id: 'sat-2pm', label: '2pm Saturday' }], allowCustom: true } });
    let card = page.locator(`[data-message-id="${choice.messageId}"]`);
    await card.getByRole('button', { name: '2pm Saturday' }).click();
    await card.getByRole('button', { name: 'Send' }).click();
    const r1 = (await pollResponse(choice.messageId)).response;
    if (r1.selected !== 'sat-2pm') throw new Error('choice ' + JSON.stringify(r1));
    const list = await api('POST', '/push', { vessel: 'reject-1', message: 'Which items?',
      interaction: { type: 'checklist', prompt: 'Select line items', options: [{ id: 'session', label: 'Session fee $120', checked: true }, { id: 'travel', label: 'Travel $30' }] } });
    card = page.locator(`[data-message-id="${list.messageId}"]`);
    await card.getByLabel('Travel $30').check();
    await card.getByRole('button', { name: 'Send' }).click();
    const r2 = (await pollResponse(list.messageId)).response;
    if (JSON.stringify(r2.selected) !== '["session","travel"]') throw new Error('checklist ' + JSON.stringify(r2));
    const text = await api('POST', '/push', { vessel: 'reject-1', message: 'Prospect asked about pricing.',
      interaction: { type: 'text_input', prompt: 'How should I respond?', placeholder: 'Type your reply...', multiline: true } });
    card = page.locator(`[data-message-id="${text.messageId}"]`);
    await card.getByLabel('How should I respond?').fill('Send the standard price list.');
    await card.getByRole('button', { name: 'Send' }).click();
    const r3 = (await pollResponse(text.messageId)).response;
    if (r3.text !== 'Send the standard price list.') throw new Error('text_input ' + JSON.stringify(r3));
    return [r1, r2, r3];
  });

  await check('expired-greyed-out', async () => {
    const first = await api('POST', '/push', { vessel: 'reject-1', message: 'First ask',
      interaction: { type: 'approval', prompt: 'Old question?' } });
    const second = await api('POST', '/push', { vessel: 'reject-1', message: 'Second ask',
      interaction: { type: 'approval', prompt: 'New question?' } });
    await page.locator(`[data-message-id="${second.messageId}"]`).getByText('New question?').waitFor();
    const old = page.locator(`[data-message-id="${first.messageId}"] .interaction.is-expired`);
    await old.getByText('Expired').waitFor();
    const enabled = await old.locator('button:enabled').count();
    if (enabled !== 0) throw new Error(enabled + ' buttons still enabled on the expired interaction');
    return { expired: first.messageId };
  });

  await check('stop-working-message', async () => {
    const work = await api('POST', '/push', { vessel: 'reject-1', agentActivity: { type: 'browsing', label: 'Reading the refund policy' } });
    const card = page.locator(`[data-message-id="${work.messageId}"] .activity.working`);
    await card.getByText('Reading the refund policy').waitFor();
    await card.getByRole('button', { name: 'Stop' }).click();
    await card.getByText('Stop requested').waitFor();
    const m = await api('GET', '/messages/' + work.messageId);
    if (!m.message.cancel_requested_at) throw new Error('no cancel_requested_at');
    await api('PATCH', '/messages/' + work.messageId, { agentActivity: null, content: 'Stopped.' });
    await page.locator(`[data-message-id="${work.messageId}"] .worked`).waitFor();
    return m.message.cancel_requested_at;
  });

  await check('reply-with-suggestion', async () => {
    await api('POST', '/push', { vessel: 'reject-1', message: 'Anything else?', suggestions: ['All good, thanks', 'Call me'] });
    await page.locator('#suggestions').getByRole('button', { name: 'All good, thanks' }).click();
    if ((await page.locator('#reply').inputValue()) !== 'All good, thanks') throw new Error('the chip did not fill the reply');
    await page.locator('#reply').fill('All good, thanks!');
    await page.locator('#reply').press('Enter');
    const ev = await pollEvent('message.user', (e) => e.type === 'message.user');
    const content = ev.message ? ev.message.content : ev.content;
    if (content !== 'All good, thanks!') throw new Error(JSON.stringify(ev));
    await feed.locator('.msg.src-user .bubble').getByText('All good, thanks!').waitFor();
    await page.locator('#suggestions .suggestion').waitFor({ state: 'detached' });
    return content;
  });

  await check('attach-file', async () => {
    const text = 'Guest list:\n- Sarah\n- Priya\n';
    await page.locator('#attach').setInputFiles({ name: 'guests.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
    await page.locator('#pending-files .chip.file').getByText('guests.txt').waitFor();
    await page.locator('#reply').fill('The guest list is attached.');
    await page.locator('#send').click();
    // The event carries the files beside its message: attachments [{type, filename, fileId, downloadUrl}].
    const ev = await pollEvent('message.user with a file', (e) => e.type === 'message.user' && (e.attachments || []).length === 1);
    const att = ev.attachments[0];
    if (att.filename !== 'guests.txt' || att.type !== 'file' || !att.downloadUrl) throw new Error(JSON.stringify(att));
    // The signed link needs no key: the agent (or whatever it hands the link to) just fetches it.
    const r = await fetch(new URL(att.downloadUrl, BASE));
    const got = await r.text();
    if (r.status !== 200 || got !== text) throw new Error('download ' + r.status + ' ' + JSON.stringify(got));
    await page.locator('#pending-files .chip.file').waitFor({ state: 'detached' });
    const mine = feed.locator('.msg.src-user').last();
    await mine.locator('.att-file').getByText('guests.txt').waitFor();
    // The agent keeps the file and hands back its permanent link: the page shows that link live.
    const permanent = 'https://files.example.com/guests.txt';
    const res = await api('POST', '/files/' + att.fileId + '/resolve', { url: permanent });
    if (res.replayed !== false) throw new Error(JSON.stringify(res));
    await mine.locator(`a.att-file[href="${permanent}"]`).waitFor();
    return { fileId: att.fileId, bytes: got.length };
  });

  await check('new-vessel-with-type', async () => {
    await page.locator('#new-vessel').click();
    await page.locator('#new-type').fill('support');
    await page.locator('#new-title').fill('Printer on fire');
    await page.locator('#new-message').fill('The printer in room 4 is smoking.');
    await page.locator('#new-submit').click();
    await page.locator('#vessel-title').getByText('Printer on fire').waitFor();
    await feed.getByText('The printer in room 4 is smoking.').waitFor();
    const ev = await pollEvent('vessel.created', (e) => e.type === 'vessel.created');
    return { type: ev.vessel && ev.vessel.type, externalId: ev.vessel && ev.vessel.externalId };
  });

  await check('list-filters-unread-details', async () => {
    await page.locator('#label-filter').getByRole('button', { name: 'billing' }).click();
    const filtered = await page.locator('#vessel-list .vessel-item').evaluateAll((n) => n.map((x) => x.dataset.externalId));
    if (JSON.stringify(filtered) !== '["approve-1"]') throw new Error('label filter: ' + filtered);
    await page.locator('#label-filter').getByRole('button', { name: 'billing' }).click();
    await page.locator('#search').fill('quote');
    const searched = await page.locator('#vessel-list .vessel-item').evaluateAll((n) => n.map((x) => x.dataset.externalId));
    if (JSON.stringify(searched) !== '["quote-88"]') throw new Error('search: ' + searched);
    await page.locator('#search').fill('');
    await api('POST', '/push', { vessel: 'approve-1', message: 'Deposit received, thanks!' });
    await api('POST', '/push', { vessel: 'approve-1', message: 'Receipt sent.' });
    await page.locator('#vessel-list [data-external-id="approve-1"] .unread').getByText('2').waitFor();
    await api('PATCH', '/vessels/by-external/approve-1', { pinned: true });
    await page.locator('#vessel-list .vessel-item').first().locator('.pin').waitFor();
    const first = await page.locator('#vessel-list .vessel-item').first().getAttribute('data-external-id');
    if (first !== 'approve-1') throw new Error('pinned first: ' + first);
    await api('PATCH', '/vessels/by-external/form-1', { archived: true });
    await page.locator('#vessel-list [data-external-id="form-1"]').waitFor({ state: 'detached' });
    await page.locator('#show-archived').check();
    await page.locator('#vessel-list [data-external-id="form-1"].archived').waitFor();
    await page.locator('#show-archived').uncheck();
    await page.locator('#vessel-list [data-external-id="approve-1"]').click();
    await page.locator('#vessel-list [data-external-id="approve-1"] .unread').waitFor({ state: 'detached' });
    await api('PATCH', '/vessels/by-external/approve-1', { details: { fields: [{ label: 'Client', value: 'Priya N.' }] } });
    await page.locator('#vessel-title').click();
    await page.locator('#details').getByText('Priya N.').waitFor();
    await page.locator('#vessel-title').click();
    return { filtered, searched };
  });

  await check('load-earlier-messages', async () => {
    for (let i = 1; i <= 105; i++) await api('POST', '/push', { vessel: 'history-1', vesselTitle: 'Long history', message: 'm' + i });
    await page.locator('#vessel-list [data-external-id="history-1"]').click();
    await feed.getByText('m105', { exact: true }).waitFor();
    const before = await feed.locator('.msg').count();
    await feed.getByRole('button', { name: 'Load earlier messages' }).click();
    await feed.getByText('m1', { exact: true }).waitFor();
    const after = await feed.locator('.msg').count();
    const more = await feed.getByRole('button', { name: 'Load earlier messages' }).count();
    if (before !== 100 || after !== 105 || more !== 0) throw new Error(JSON.stringify({ before, after, more }));
    return { before, after };
  });

  await check('markdown-rules', async () => {
    const bubble = await api('POST', '/push', { vessel: 'md-1', vesselTitle: 'Markdown', message:
      '***both*** **bold** *it* `code` snake_case_name\n- not a list\n| a | b |\n| --- | --- |\n[link](https://example.com)' });
    const surface = await api('POST', '/surface', { vessel: 'md-1', title: 'Report', body: [
      '## Section', 'Intro with [a link](https://example.com/x) and [bad](javascript:alert(1)).', '',
      '- one', '- two', '', '1. first', '2. second', '', '> quoted *text*', '', '---', '',
      '| Item | Amount |', '| --- | ---: |', '| Hire | $900 |'].join('\n') });
    const event = await api('POST', '/event', { vessel: 'md-1', title: 'Stock alert', tone: 'alert', body: 'Threshold crossed.',
      sections: [{ heading: 'Folded', body: '- hidden detail', collapsed: true }, { heading: 'Open', body: 'shown' }],
      buttons: [{ label: 'Dashboard', url: 'https://app.example.com/acme', tone: 'primary' }] });
    await page.locator('#vessel-list [data-external-id="md-1"]').click();
    const b = page.locator(`[data-message-id="${bubble.messageId}"] .bubble`);
    await b.waitFor();
    const bub = await b.evaluate((n) => ({ strongEm: n.querySelectorAll('strong > em').length, strong: n.querySelectorAll('strong').length,
      em: n.querySelectorAll('em').length, code: n.querySelectorAll('code').length, blocks: n.querySelectorAll('ul, ol, table, a, h1, h2, blockquote').length,
      text: n.innerText }));
    if (bub.strongEm !== 1 || bub.strong !== 2 || bub.em !== 2 || bub.code !== 1 || bub.blocks !== 0
        || !bub.text.includes('snake_case_name') || !bub.text.includes('| a | b |') || !bub.text.includes('- not a list')) {
      throw new Error('bubble ' + JSON.stringify(bub));
    }
    const sf = page.locator(`[data-message-id="${surface.messageId}"] .surface`);
    await sf.waitFor();
    const sur = await sf.evaluate((n) => ({ headings: n.querySelectorAll('.md-h').length, ul: n.querySelectorAll('ul > li').length,
      ol: n.querySelectorAll('ol > li').length, quote: n.querySelectorAll('blockquote em').length, hr: n.querySelectorAll('hr').length,
      rows: n.querySelectorAll('tbody tr').length, right: n.querySelectorAll('td.al-right').length,
      links: Array.from(n.querySelectorAll('a')).map((a) => [a.href, a.rel, a.target]) }));
    const wantLinks = JSON.stringify([['https://example.com/x', 'noopener noreferrer', '_blank']]);
    if (sur.headings !== 1 || sur.ul !== 2 || sur.ol !== 2 || sur.quote !== 1 || sur.hr !== 1 || sur.rows !== 1 || sur.right !== 1
        || JSON.stringify(sur.links) !== wantLinks) throw new Error('surface ' + JSON.stringify(sur));
    const ev = page.locator(`[data-message-id="${event.messageId}"] .event.tone-alert`);
    await ev.waitFor();
    const evs = await ev.evaluate((n) => ({ open: Array.from(n.querySelectorAll('details.section')).map((d) => d.open),
      button: Array.from(n.querySelectorAll('a.btn.primary')).map((a) => a.href) }));
    if (JSON.stringify(evs) !== JSON.stringify({ open: [false, true], button: ['https://app.example.com/acme'] })) throw new Error('event ' + JSON.stringify(evs));
    return { bubble: bub.strong, surface: sur, event: evs };
  });

  await check('token-stream-and-receipts', async () => {
    const work = await api('POST', '/push', { vessel: 'md-1', agentActivity: { type: 'thinking' }, tokenStream: 'Hel' });
    const msg = page.locator(`[data-message-id="${work.messageId}"]`);
    await msg.locator('.streaming').getByText('Hel', { exact: true }).waitFor();
    await api('PATCH', '/messages/' + work.messageId, { tokenStream: 'Hello, operator' });
    await msg.locator('.streaming').getByText('Hello, operator').waitFor();
    await api('PATCH', '/messages/' + work.messageId, { agentActivity: null, tokenStream: null, content: 'Hello, operator.' });
    await msg.locator('.worked').waitFor();
    await page.locator('#reply').fill('Ping');
    await page.locator('#send').click();
    const mine = feed.locator('.msg.src-user').last();
    await mine.getByText('Ping').waitFor();
    const id = await mine.getAttribute('data-message-id');
    await mine.locator('.ticks.sent').waitFor();
    await api('POST', '/messages/' + id + '/ack', { stage: 'processing' });
    await mine.locator('.ticks.processing').waitFor();
    await api('POST', '/messages/' + id + '/ack', { stage: 'dropped', reason: 'duplicate' });
    await mine.locator('.ticks.dropped[title="Dropped: duplicate"]').waitFor();
    return id;
  });

  await check('script-renders-as-text', async () => {
    const evil = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> **still bold**';
    const a = await api('POST', '/push', { vessel: 'xss-1', vesselTitle: '<b>not bold</b>', message: evil });
    const b = await api('POST', '/surface', { vessel: 'xss-1', title: 'Surface <script>', body: evil + '\n\n[click](javascript:alert(1))\n\n<iframe src="https://example.com"></iframe>' });
    await page.locator('#vessel-list [data-external-id="xss-1"]').click();
    const bubble = page.locator(`[data-message-id="${a.messageId}"] .bubble`);
    await bubble.waitFor();
    const text = await bubble.innerText();
    if (!text.includes('<script>window.__xss = 1</script>')) throw new Error('bubble text: ' + text);
    if ((await bubble.locator('strong').innerText()) !== 'still bold') throw new Error('inline markdown missing');
    const surface = page.locator(`[data-message-id="${b.messageId}"] .surface`);
    await surface.waitFor();
    const found = await page.evaluate(() => ({
      xss: window.__xss ?? null,
      scripts: document.querySelectorAll('#feed script, #feed img[src="x"], #feed iframe, #vessel-list script').length,
      jsLinks: Array.from(document.querySelectorAll('#feed a')).filter((x) => !/^https?:/.test(x.href)).length,
    }));
    if (found.xss !== null || found.scripts !== 0 || found.jsLinks !== 0) throw new Error(JSON.stringify(found));
    const listTitle = await page.locator('#vessel-list [data-external-id="xss-1"] .vi-title').innerText();
    if (listTitle !== '<b>not bold</b>') throw new Error('title: ' + listTitle);
    return found;
  });

  await check('vessel-view-screenshot', async () => {
    await api('POST', '/event', { vessel: 'booking-123', title: 'Booking received: Sarah Martinez', tone: 'success',
      card: { fields: [{ label: 'Party', value: '12 guests' }, { label: 'Date', value: 'Sat 20 June' }, { label: 'Deposit', value: 'unpaid', tone: 'warning' }] },
      sections: [{ heading: 'Original enquiry', body: '> Hi! We would love the garden room for a birthday lunch.', collapsed: true }],
      buttons: [{ label: 'Open in CRM', url: 'https://crm.example.com/bookings/123', tone: 'primary' }] });
    await api('POST', '/push', { vessel: 'booking-123', vesselTitle: 'Sarah Martinez: birthday lunch', labels: ['vip', 'saturday'],
      details: { fields: [{ label: 'Client', value: 'Sarah Martinez' }, { label: 'Phone', value: '+61 412 345 678', copyable: true }] },
      message: 'New booking for **Saturday**. I checked the calendar: the garden room is free.' });
    const work = await api('POST', '/push', { vessel: 'booking-123', agentActivity: { type: 'searching', label: 'Checking the venue calendar' } });
    await api('PATCH', '/messages/' + work.messageId, { agentActivity: { type: 'tool_use', label: 'Drafting the quote' } });
    await api('PATCH', '/messages/' + work.messageId, { agentActivity: null, content: 'Quote drafted.' });
    await api('POST', '/vessels/by-external/booking-123/messages', { content: 'Great, send me the numbers.' });
    await api('POST', '/surface', { vessel: 'booking-123', title: 'Quote: garden room, Saturday',
      card: { fields: [{ label: 'Total', value: '$1,500', editableId: 'total' }, { label: 'Deposit', value: '50%' }] },
      body: '| Item | Amount |\n| --- | ---: |\n| Garden room, 4 h | $900 |\n| Lunch menu x 12 | {{total}} |\n\n- Cake allowed\n- Decorations until 11:00\n\n[Menu](https://example.com/menu)',
      interaction: { type: 'approval', prompt: 'Send this quote to Sarah?', approveLabel: 'Send quote', editables: [{ id: 'total', type: 'currency', value: 1500 }] } });
    await api('POST', '/push', { vessel: 'booking-123', agentActivity: { type: 'thinking', label: 'Waiting for the venue to confirm', todos: [
      { label: 'Check availability', status: 'done' }, { label: 'Send the quote', status: 'in_progress' }, { label: 'Book the cake', status: 'pending' }] },
      tokenStream: 'Drafting a follow-up for Sarah about the cake', suggestions: ['Looks good', 'Hold off until Monday'] });
    await page.locator('#vessel-list [data-external-id="booking-123"]').click();
    await feed.getByText('Send this quote to Sarah?').waitFor();
    await feed.locator('.activity.working').waitFor();
    await feed.locator('.worked').getByText(/Agent worked for \d+ s/).waitFor();
    await page.locator('#suggestions .suggestion').first().waitFor();
    await page.setViewportSize({ width: 1440, height: 1240 });
    await page.evaluate(() => { document.getElementById('toast').hidden = true; });
    await feed.evaluate((f) => { f.scrollTop = f.scrollHeight; });
    await page.waitForTimeout(300);
    mkdirSync(dirname(SHOT), { recursive: true });
    await page.screenshot({ path: SHOT, fullPage: false });
    return SHOT;
  });

  await check('phone-layout', async () => {
    // One pane at a time on a phone: the open vessel fills the screen, "Vessels" goes back to the list.
    await page.setViewportSize({ width: 390, height: 844 });
    const sidebar = page.locator('.sidebar');
    await page.locator('#back').waitFor({ state: 'visible' });
    if (await sidebar.isVisible()) throw new Error('the list shows beside an open vessel');
    await feed.getByText('Send this quote to Sarah?').waitFor({ state: 'visible' });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) throw new Error('the vessel view is wider than the screen by ' + overflow + ' px');
    mkdirSync(dirname(SHOT), { recursive: true });
    await page.screenshot({ path: SHOT.replace(/\.png$/, '') + '-phone.png' });
    await page.locator('#back').click();
    await page.locator('#vessel-list [data-external-id="booking-123"]').waitFor({ state: 'visible' });
    if (await page.locator('#feed').isVisible()) throw new Error('the vessel stays visible behind the list');
    await page.locator('#vessel-list [data-external-id="booking-123"]').click();
    const approve = feed.getByRole('button', { name: 'Send quote' });
    await approve.waitFor({ state: 'visible' });
    const box = await approve.boundingBox();
    if (!box || box.x < 0 || box.x + box.width > 390) throw new Error('the approve button is off screen: ' + JSON.stringify(box));
    await page.setViewportSize({ width: 1360, height: 900 });
    await page.locator('#back').waitFor({ state: 'hidden' });
    if (!(await sidebar.isVisible())) throw new Error('the list is hidden on a wide screen');
    return { overflow, approve: box };
  });

  await check('sign-out-then-another-workspace', async () => {
    // Another operator of another workspace signs in on the same tab: nothing of the first carries over.
    const r = await fetch(new URL('api/v1/push', BASE), { method: 'POST',
      headers: { Authorization: 'Bearer ' + KEY2, 'Content-Type': 'application/json' },
      body: JSON.stringify({ vessel: 'other-1', vesselTitle: 'Other team', message: 'Hello from the other workspace' }) });
    if (!r.ok) throw new Error('push with the second key: ' + r.status + ' ' + await r.text());
    await page.locator('#signout').click();
    await page.locator('#signin-form').waitFor({ state: 'visible' });
    if (await page.evaluate(() => sessionStorage.length) !== 0) throw new Error('the token outlived the sign-out');
    await page.locator('#token').fill(KEY2);
    await page.locator('#signin-form button[type=submit]').click();
    await page.locator('#vessel-list [data-external-id="other-1"]').waitFor();
    const ids = await page.locator('#vessel-list .vessel-item').evaluateAll((n) => n.map((x) => x.dataset.externalId));
    if (JSON.stringify(ids) !== '["other-1"]') throw new Error('vessels after switching: ' + ids);
    if (!(await page.locator('#empty').isVisible()) || await page.locator('#vessel').isVisible()) {
      throw new Error('a vessel of the first workspace stayed open');
    }
    await page.locator('#vessel-list [data-external-id="other-1"]').click();
    await feed.getByText('Hello from the other workspace').waitFor();
    return ids;
  });

  await check('no-page-errors', async () => {
    // CSP violations, script errors and failed requests the page logged all show up here.
    const real = pageErrors.filter((e) => !e.includes('Failed to load resource') || !e.includes('404'));
    if (real.length) throw new Error(real.join('\n'));
    return pageErrors.length;
  });
} catch (e) {
  console.error(e && e.stack || e);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
}
