/*
 * eve4j operator console: a single page over the operator channel's /api/v1 routes and the live
 * change stream at /console/events. Plain JavaScript, no build step, nothing fetched from elsewhere.
 *
 * Safety rule: every piece of message data reaches the DOM through createElement + textContent (or
 * attributes checked here, such as http(s)-only hrefs). innerHTML is never used, so nothing a
 * message carries can become markup or script.
 */
(function () {
  'use strict';

  var API = '../api/v1';
  var EVENTS = 'events';
  var TOKEN_KEY = 'eve4j.console.token';
  var SEEN_KEY = 'eve4j.console.seen.';

  var state = {
    token: null,
    vessels: [],
    archived: [],
    current: null,        // vessel id
    messages: [],
    older: [],            // pages loaded with "Load earlier messages", oldest first
    hasMore: false,
    labels: {},           // label filter: label -> true
    search: '',
    showArchived: false,
    unread: {},           // vessel id -> {updated, count}
    drafts: {},           // message id -> interaction draft state (edits, reject reason, mode)
    pendingFiles: [],     // [{fileId, filename}]
    detailsOpen: false,
    stream: null,
    lastEventId: null
  };

  // ------------------------------------------------------------------------------ DOM helpers

  function $(id) { return document.getElementById(id); }

  /** el('div.a.b', {attr: v, onclick: f}, child...) with text children as text nodes. */
  function el(spec, attrs) {
    var parts = spec.split('.');
    var node = document.createElement(parts[0] || 'div');
    for (var i = 1; i < parts.length; i++) { if (parts[i]) node.classList.add(parts[i]); }
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === undefined || v === null || v === false) return;
        if (k.indexOf('on') === 0 && typeof v === 'function') node.addEventListener(k.substring(2), v);
        else if (k === 'text') node.textContent = String(v);
        else if (k === 'dataset') Object.keys(v).forEach(function (d) { node.dataset[d] = v[d]; });
        else if (v === true) node.setAttribute(k, '');
        else node.setAttribute(k, String(v));
      });
    }
    for (var j = 2; j < arguments.length; j++) append(node, arguments[j]);
    return node;
  }

  function append(node, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  /** Only absolute http(s) URLs become links or images; anything else stays text. */
  function safeUrl(u) {
    if (typeof u !== 'string') return null;
    try {
      var url = new URL(u, window.location.href);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
    } catch (e) { return null; }
  }

  /** A link opening in a new tab when href is http(s), else the label as text; cls is dot-separated ('btn.small'). */
  function link(href, label, cls) {
    var url = safeUrl(href);
    if (!url) return el('span' + (cls ? '.' + cls : ''), { text: label });
    return el('a' + (cls ? '.' + cls : ''), { href: url, target: '_blank', rel: 'noopener noreferrer', text: label });
  }

  var toastTimer = null;
  function toast(text, bad) {
    var t = $('toast');
    t.textContent = text;
    t.classList.toggle('bad', !!bad);
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.hidden = true; }, 4000);
  }

  function time(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    var now = new Date();
    var sameDay = d.toDateString() === now.toDateString();
    return sameDay ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      : d.toLocaleDateString([], { month: 'short', day: 'numeric' });
  }

  // ------------------------------------------------------------------------------ markdown

  /**
   * Inline markdown: ***bold italic***, **bold**, *italic*, `code`; with opts.links also
   * [text](http(s) url); with opts.tokens also {{id}} editable tokens. Underscores are literal.
   */
  function inline(text, opts, out) {
    out = out || document.createDocumentFragment();
    var buf = '';
    function flush() { if (buf) { out.appendChild(document.createTextNode(buf)); buf = ''; } }
    var i = 0;
    while (i < text.length) {
      var rest = text.substring(i);
      var m;
      if (rest.charAt(0) === '\n') { flush(); out.appendChild(el('br')); i++; continue; }
      if ((m = /^`([^`\n]+)`/.exec(rest))) { flush(); out.appendChild(el('code', { text: m[1] })); i += m[0].length; continue; }
      if ((m = /^\*\*\*(?!\s)([^\n]+?)\*\*\*/.exec(rest))) {
        flush(); out.appendChild(el('strong', null, el('em', null, inline(m[1], opts)))); i += m[0].length; continue;
      }
      if ((m = /^\*\*(?!\s)([^\n]+?)\*\*/.exec(rest))) {
        flush(); out.appendChild(el('strong', null, inline(m[1], opts))); i += m[0].length; continue;
      }
      if ((m = /^\*(?![\s*])([^\n*]+?)\*/.exec(rest))) {
        flush(); out.appendChild(el('em', null, inline(m[1], opts))); i += m[0].length; continue;
      }
      if (opts && opts.links && (m = /^\[([^\]\n]+)\]\(([^)\s]+)\)/.exec(rest))) {
        var url = safeUrl(m[2]);
        if (url && /^https?:\/\//i.test(m[2])) {
          flush();
          out.appendChild(el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, inline(m[1], { tokens: opts.tokens })));
          i += m[0].length; continue;
        }
      }
      if (opts && opts.tokens && (m = /^\{\{([A-Za-z0-9_.-]+)\}\}/.exec(rest)) && opts.tokens.has(m[1])) {
        flush(); out.appendChild(opts.tokens.render(m[1])); i += m[0].length; continue;
      }
      buf += rest.charAt(0);
      i++;
    }
    flush();
    return out;
  }

  /** A bubble: inline markdown only; a stray table or list stays literal. */
  function bubbleMarkdown(text) {
    return el('div.md', null, inline(text || '', {}));
  }

  /** A surface, event or section body: the inline set plus headings, lists, quotes, tables, rules. */
  function blockMarkdown(text, tokens) {
    var root = el('div.md.block');
    var lines = String(text || '').replace(/\r\n?/g, '\n').split('\n');
    renderBlocks(lines, root, { links: true, tokens: tokens });
    return root;
  }

  function isTableSep(line) { return /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line) && line.indexOf('-') >= 0; }

  function cells(line) {
    var s = line.trim();
    if (s.charAt(0) === '|') s = s.substring(1);
    if (s.charAt(s.length - 1) === '|') s = s.substring(0, s.length - 1);
    return s.split('|').map(function (c) { return c.trim(); });
  }

  function renderBlocks(lines, root, opts) {
    var i = 0;
    while (i < lines.length) {
      var line = lines[i];
      var m;
      if (!line.trim()) { i++; continue; }
      if ((m = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line))) {
        root.appendChild(el('div.md-h', { role: 'heading' }, inline(m[1].replace(/\s+#+\s*$/, ''), opts)));
        i++; continue;
      }
      if (/^\s{0,3}(-{3,}|\*{3,}|_{3,})\s*$/.test(line)) { root.appendChild(el('hr')); i++; continue; }
      if (/^\s{0,3}>/.test(line)) {
        var quoted = [];
        while (i < lines.length && /^\s{0,3}>/.test(lines[i])) { quoted.push(lines[i].replace(/^\s{0,3}>\s?/, '')); i++; }
        var q = el('blockquote');
        renderBlocks(quoted, q, opts);
        root.appendChild(q);
        continue;
      }
      if (/^\s*- /.test(line)) {
        var ul = el('ul');
        while (i < lines.length && /^\s*- /.test(lines[i])) { ul.appendChild(el('li', null, inline(lines[i].replace(/^\s*- /, ''), opts))); i++; }
        root.appendChild(ul);
        continue;
      }
      if ((m = /^\s*(\d+)[.)] /.exec(line))) {
        var ol = el('ol', m[1] !== '1' ? { start: m[1] } : null);
        while (i < lines.length && /^\s*\d+[.)] /.test(lines[i])) { ol.appendChild(el('li', null, inline(lines[i].replace(/^\s*\d+[.)] /, ''), opts))); i++; }
        root.appendChild(ol);
        continue;
      }
      if (line.indexOf('|') >= 0 && i + 1 < lines.length && isTableSep(lines[i + 1])) {
        var head = cells(line);
        var aligns = cells(lines[i + 1]).map(function (c) {
          return /^:-+:$/.test(c) ? 'center' : /-:$/.test(c) ? 'right' : 'left';
        });
        var table = el('table');
        var thr = el('tr');
        head.forEach(function (c, k) { thr.appendChild(el('th.' + 'al-' + (aligns[k] || 'left'), null, inline(c, opts))); });
        table.appendChild(el('thead', null, thr));
        var tbody = el('tbody');
        i += 2;
        while (i < lines.length && lines[i].trim() && lines[i].indexOf('|') >= 0) {
          var tr = el('tr');
          cells(lines[i]).forEach(function (c, k) { if (k < head.length) tr.appendChild(el('td.' + 'al-' + (aligns[k] || 'left'), null, inline(c, opts))); });
          tbody.appendChild(tr);
          i++;
        }
        table.appendChild(tbody);
        root.appendChild(el('div.table-wrap', null, table));
        continue;
      }
      var para = [];
      while (i < lines.length && lines[i].trim() && !/^\s{0,3}(#{1,6}\s|>|(-{3,}|\*{3,}|_{3,})\s*$)/.test(lines[i])
          && !/^\s*- /.test(lines[i]) && !/^\s*\d+[.)] /.test(lines[i])
          && !(lines[i].indexOf('|') >= 0 && i + 1 < lines.length && isTableSep(lines[i + 1]))) {
        para.push(lines[i]); i++;
      }
      if (!para.length) { para.push(lines[i]); i++; }
      root.appendChild(el('p', null, inline(para.join('\n'), opts)));
    }
  }

  // ------------------------------------------------------------------------------ API

  function api(method, path, body, extraHeaders) {
    var headers = { Authorization: 'Bearer ' + state.token };
    var init = { method: method, headers: headers, cache: 'no-store' };
    if (body !== undefined) {
      if (body instanceof Blob) { init.body = body; headers['Content-Type'] = body.type || 'application/octet-stream'; }
      else { init.body = JSON.stringify(body); headers['Content-Type'] = 'application/json'; }
    }
    if (extraHeaders) Object.keys(extraHeaders).forEach(function (k) { headers[k] = extraHeaders[k]; });
    return fetch(API + path, init).then(function (r) {
      return r.text().then(function (t) {
        var json = null;
        try { json = t ? JSON.parse(t) : null; } catch (e) { json = null; }
        if (r.status === 401) { signOut('Your token is not valid (any more). Sign in again.'); }
        if (!r.ok) {
          var err = new Error((json && (json.error || json.message)) || ('HTTP ' + r.status));
          err.status = r.status;
          err.body = json;
          throw err;
        }
        return json;
      });
    });
  }

  function errorText(e) {
    var b = e.body;
    if (b && b.errors && b.errors.length) return b.error + ': ' + b.errors.join('; ');
    return e.message || String(e);
  }

  function idem() {
    var a = new Uint8Array(12);
    crypto.getRandomValues(a);
    return 'console-' + Array.prototype.map.call(a, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
  }

  // ------------------------------------------------------------------------------ sign-in

  function showSignIn(message) {
    $('app').hidden = true;
    $('signin').hidden = false;
    var err = $('signin-error');
    err.hidden = !message;
    err.textContent = message || '';
    $('token').focus();
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    stopStream();
    // The next token may belong to another operator or workspace: nothing of this one carries over.
    closeVessel();
    state.vessels = [];
    state.archived = [];
    state.unread = {};
    state.drafts = {};
    state.lastEventId = null;
    renderList();
    showSignIn(message);
  }

  function signIn(token) {
    state.token = token;
    return api('GET', '/vessels').then(function () {
      sessionStorage.setItem(TOKEN_KEY, token);
      $('signin').hidden = true;
      $('app').hidden = false;
      startStream();
      return refreshVessels();
    });
  }

  // ------------------------------------------------------------------------------ live stream

  var refreshTimers = {};
  function soon(key, fn, delay) {
    if (refreshTimers[key]) return;
    refreshTimers[key] = setTimeout(function () { refreshTimers[key] = null; fn(); }, delay || 60);
  }

  function setLive(on) {
    var l = $('live');
    l.textContent = on ? 'live' : 'offline';
    l.classList.toggle('on', on);
  }

  function stopStream() {
    if (state.stream) { state.stream.abort(); state.stream = null; }
    setLive(false);
  }

  /** fetch() streaming, so the token travels in the Authorization header, never in a URL. */
  function startStream() {
    stopStream();
    var ctrl = new AbortController();
    state.stream = ctrl;
    var headers = { Authorization: 'Bearer ' + state.token, Accept: 'text/event-stream' };
    if (state.lastEventId) headers['Last-Event-ID'] = state.lastEventId;
    var retry = 2000;
    fetch(EVENTS, { headers: headers, signal: ctrl.signal, cache: 'no-store' }).then(function (r) {
      if (r.status === 401) { signOut('Your token is not valid (any more). Sign in again.'); return; }
      if (!r.ok || !r.body) throw new Error('stream ' + r.status);
      var reader = r.body.getReader();
      var decoder = new TextDecoder();
      var buf = '';
      function pump() {
        return reader.read().then(function (res) {
          if (res.done) throw new Error('stream ended');
          buf += decoder.decode(res.value, { stream: true });
          var idx;
          while ((idx = buf.search(/\r?\n\r?\n/)) >= 0) {
            var frame = buf.substring(0, idx);
            buf = buf.substring(idx).replace(/^\r?\n\r?\n/, '');
            onFrame(frame);
          }
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      if (state.stream !== ctrl || ctrl.signal.aborted) return;
      setLive(false);
      setTimeout(function () { if (state.stream === ctrl && state.token) startStream(); }, retry);
    });
  }

  function onFrame(frame) {
    var event = 'message', data = '', id = null;
    frame.split(/\r?\n/).forEach(function (line) {
      if (!line || line.charAt(0) === ':') return;
      var c = line.indexOf(':');
      var field = c < 0 ? line : line.substring(0, c);
      var value = c < 0 ? '' : line.substring(c + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data += (data ? '\n' : '') + value;
      else if (field === 'id') id = value;
    });
    if (id) state.lastEventId = id;
    if (event === 'ready') { setLive(true); soon('list', refreshVessels); if (state.current) soon('feed', refreshFeed); return; }
    if (event === 'reset') { soon('list', refreshVessels); if (state.current) soon('feed', refreshFeed); return; }
    if (event !== 'change' || !data) return;
    var change;
    try { change = JSON.parse(data); } catch (e) { return; }
    if (change.kind === 'ack') return; // poll acknowledgements change nothing on screen
    soon('list', refreshVessels, 120);
    if (change.vesselId === state.current) {
      if (change.kind === 'vessel_deleted') { closeVessel(); return; }
      soon('feed', refreshFeed);
    }
  }

  // ------------------------------------------------------------------------------ vessel list

  function refreshVessels() {
    if (!state.token) return Promise.resolve();
    var live = api('GET', '/vessels?archived=false');
    var arch = api('GET', '/vessels?archived=true'); // also when hidden: an open vessel may be archived
    return Promise.all([live, arch]).then(function (res) {
      state.vessels = res[0].vessels || [];
      state.archived = res[1].vessels || [];
      renderLabelFilter();
      renderList();
      countUnread();
      if (state.current) renderVesselHead();
    }).catch(function (e) { if (e.status !== 401) toast('Could not load vessels: ' + errorText(e), true); });
  }

  function allVessels() { return state.vessels.concat(state.showArchived ? state.archived : []); }

  function findVessel(id) {
    var all = state.vessels.concat(state.archived);
    for (var i = 0; i < all.length; i++) if (all[i].id === id) return all[i];
    return null;
  }

  function vesselName(v) { return v.title || v.external_id; }

  function seen(id) { return localStorage.getItem(SEEN_KEY + id) || ''; }

  function markSeen(id, iso) { if (iso && iso > seen(id)) localStorage.setItem(SEEN_KEY + id, iso); }

  /** Unread = agent and event messages newer than what this browser last showed; re-counted only for changed vessels. */
  function countUnread() {
    allVessels().forEach(function (v) {
      var u = state.unread[v.id];
      if (v.id === state.current) { state.unread[v.id] = { updated: v.updated_at, count: 0 }; return; }
      if (u && u.updated === v.updated_at) return;
      if (v.updated_at <= seen(v.id)) { state.unread[v.id] = { updated: v.updated_at, count: 0 }; return; }
      state.unread[v.id] = { updated: v.updated_at, count: u ? u.count : 0 };
      api('GET', '/vessels/' + encodeURIComponent(v.id) + '/messages?limit=50').then(function (page) {
        var since = seen(v.id);
        var n = (page.messages || []).filter(function (m) { return m.source !== 'user' && m.created_at > since; }).length;
        state.unread[v.id] = { updated: v.updated_at, count: n };
        renderList();
      }).catch(function () {});
    });
  }

  function renderLabelFilter() {
    var box = $('label-filter');
    clear(box);
    var labels = {};
    allVessels().forEach(function (v) { (v.labels || []).forEach(function (l) { labels[l] = true; }); });
    Object.keys(state.labels).forEach(function (l) { labels[l] = true; });
    Object.keys(labels).sort().forEach(function (l) {
      box.appendChild(el('button.chip.label' + (state.labels[l] ? '.selected' : ''), {
        type: 'button', text: l, 'aria-pressed': state.labels[l] ? 'true' : 'false',
        onclick: function () { if (state.labels[l]) delete state.labels[l]; else state.labels[l] = true; renderLabelFilter(); renderList(); }
      }));
    });
    var types = $('vessel-types');
    clear(types);
    var seenTypes = {};
    allVessels().forEach(function (v) { if (v.type && !seenTypes[v.type]) { seenTypes[v.type] = true; types.appendChild(el('option', { value: v.type })); } });
  }

  function statusBadge(status) {
    var label = status === 'waiting' ? 'Waiting' : status === 'resolved' ? 'Resolved' : 'Active';
    return el('span.badge.' + (status || 'active'), { text: label });
  }

  function renderList() {
    var list = $('vessel-list');
    clear(list);
    var q = state.search.trim().toLowerCase();
    var wanted = Object.keys(state.labels);
    var rows = allVessels().filter(function (v) {
      if (wanted.length && !wanted.every(function (l) { return (v.labels || []).indexOf(l) >= 0; })) return false;
      if (!q) return true;
      var hay = [v.title || '', v.external_id || '', v.type || ''].concat(v.labels || []).join(' ').toLowerCase();
      return hay.indexOf(q) >= 0;
    });
    rows.sort(function (a, b) {
      if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
      if (a.archived !== b.archived) return a.archived ? 1 : -1;
      return a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0;
    });
    if (!rows.length) {
      list.appendChild(el('li.none', { text: allVessels().length ? 'No vessel matches.' : 'No vessels yet. Agents create them by pushing.' }));
      return;
    }
    rows.forEach(function (v) {
      var unread = state.unread[v.id] && state.unread[v.id].count;
      var item = el('li.vessel-item' + (v.id === state.current ? '.active' : '') + (v.archived ? '.archived' : ''), {
        dataset: { vesselId: v.id, externalId: v.external_id }, tabindex: '0', role: 'button',
        onclick: function () { openVessel(v.id); },
        onkeydown: function (e) { if (e.key === 'Enter') openVessel(v.id); }
      },
      el('div.vi-top', null,
        v.pinned ? el('span.pin', { title: 'Pinned', 'aria-label': 'Pinned' }) : null,
        el('span.vi-title', { text: vesselName(v) }),
        el('span.vi-time', { text: time(v.updated_at) })),
      el('div.vi-bottom', null,
        statusBadge(v.status),
        v.archived ? el('span.badge.archived', { text: 'Archived' }) : null,
        (v.labels || []).slice(0, 4).map(function (l) { return el('span.chip.label.tiny', { text: l }); }),
        el('span.spacer'),
        unread ? el('span.unread', { text: String(unread), title: unread + ' unread' }) : null));
      list.appendChild(item);
    });
  }

  // ------------------------------------------------------------------------------ vessel view

  function openVessel(id) {
    if (state.current !== id) {
      state.current = id;
      state.messages = [];
      state.older = [];
      state.hasMore = false;
      state.detailsOpen = false;
      state.pendingFiles = [];
      renderPendingFiles();
      clear($('feed'));
    }
    $('empty').hidden = true;
    $('vessel').hidden = false;
    $('app').classList.add('viewing');
    renderVesselHead();
    renderList();
    return refreshFeed();
  }

  function closeVessel() {
    state.current = null;
    $('vessel').hidden = true;
    $('empty').hidden = false;
    $('app').classList.remove('viewing');
    renderList();
  }

  function renderVesselHead() {
    var v = findVessel(state.current);
    if (!v) return;
    var title = $('vessel-title');
    clear(title);
    append(title, [el('span', { text: vesselName(v) }), el('span.caret', { text: state.detailsOpen ? '▾' : '▸' })]);
    title.setAttribute('aria-expanded', state.detailsOpen ? 'true' : 'false');
    var labels = $('vessel-labels');
    clear(labels);
    (v.labels || []).forEach(function (l) { labels.appendChild(el('span.chip.label', { text: l })); });
    var st = $('vessel-status');
    st.className = 'badge ' + v.status;
    st.textContent = v.status === 'waiting' ? 'Waiting' : v.status === 'resolved' ? 'Resolved' : 'Active';
    $('pin').textContent = v.pinned ? 'Unpin' : 'Pin';
    $('archive').textContent = v.archived ? 'Unarchive' : 'Archive';
    var d = $('details');
    clear(d);
    d.hidden = !state.detailsOpen;
    if (state.detailsOpen) {
      var meta = el('div.fields');
      meta.appendChild(field({ label: 'Vessel', value: v.external_id, copyable: true }));
      if (v.type) meta.appendChild(field({ label: 'Type', value: v.type }));
      meta.appendChild(field({ label: 'Created', value: new Date(v.created_at).toLocaleString() }));
      var fields = v.details && v.details.fields ? v.details.fields : [];
      fields.forEach(function (f) { meta.appendChild(field(f)); });
      d.appendChild(meta);
    }
  }

  function field(f, tokens) {
    var value;
    if (tokens && f.editableId && tokens.has(f.editableId) && tokens.live(f.editableId)) value = tokens.render(f.editableId);
    else if (f.url) value = link(f.url, String(f.value));
    else value = el('span', { text: String(f.value) });
    return el('div.field' + (f.tone ? '.tone-' + f.tone : ''), null,
      el('div.f-label', { text: f.label }),
      el('div.f-value', null, value, f.copyable ? el('button.copy', {
        type: 'button', title: 'Copy', text: 'Copy',
        onclick: function () { navigator.clipboard && navigator.clipboard.writeText(String(f.value)).then(function () { toast('Copied'); }); }
      }) : null));
  }

  function refreshFeed() {
    var id = state.current;
    if (!id) return Promise.resolve();
    return api('GET', '/vessels/' + encodeURIComponent(id) + '/messages?limit=100').then(function (page) {
      if (state.current !== id) return;
      var latest = page.messages || [];
      var ids = {};
      latest.forEach(function (m) { ids[m.id] = true; });
      state.older = state.older.filter(function (m) { return !ids[m.id]; });
      if (!state.older.length) state.hasMore = !!page.has_more;
      state.messages = state.older.concat(latest);
      renderFeed();
      var last = state.messages.length ? state.messages[state.messages.length - 1].created_at : null;
      markSeen(id, last);
      state.unread[id] = { updated: (findVessel(id) || {}).updated_at, count: 0 };
      renderList();
    }).catch(function (e) {
      if (e.status === 404) { closeVessel(); toast('That vessel is gone.'); }
      else if (e.status !== 401) toast('Could not load messages: ' + errorText(e), true);
    });
  }

  function renderFeed() {
    var feed = $('feed');
    var atBottom = feed.scrollHeight - feed.scrollTop - feed.clientHeight < 80;
    var focused = document.activeElement && feed.contains(document.activeElement) ? document.activeElement : null;
    var focusKey = focused && focused.dataset ? focused.dataset.key : null;
    var caret = null;
    try { caret = focused && typeof focused.selectionStart === 'number' ? [focused.selectionStart, focused.selectionEnd] : null; } catch (e) { caret = null; }
    clear(feed);
    if (state.hasMore) {
      feed.appendChild(el('button.btn.small.ghost.more', { type: 'button', text: 'Load earlier messages', onclick: loadEarlier }));
    }
    state.messages.forEach(function (m) { feed.appendChild(renderMessage(m)); });
    renderSuggestions();
    if (focusKey) {
      var again = feed.querySelector('[data-key="' + CSS.escape(focusKey) + '"]');
      if (again) {
        again.focus();
        if (caret) { try { again.setSelectionRange(caret[0], caret[1]); } catch (e) { /* not a text input */ } }
      }
    }
    if (atBottom || !feed.dataset.scrolled) { feed.scrollTop = feed.scrollHeight; feed.dataset.scrolled = '1'; }
  }

  /** One more page of history before the oldest message shown (the API pages 100 at a time). */
  function loadEarlier() {
    var id = state.current;
    var first = state.messages[0];
    if (!id || !first) return;
    api('GET', '/vessels/' + encodeURIComponent(id) + '/messages?limit=100&before=' + encodeURIComponent(first.id)).then(function (page) {
      if (state.current !== id) return;
      state.older = (page.messages || []).concat(state.older);
      state.hasMore = !!page.has_more;
      state.messages = (page.messages || []).concat(state.messages);
      var feed = $('feed');
      var fromBottom = feed.scrollHeight - feed.scrollTop;
      renderFeed();
      feed.scrollTop = feed.scrollHeight - fromBottom;
    }).catch(function (e) { toast('Could not load earlier messages: ' + errorText(e), true); });
  }

  function renderSuggestions() {
    var box = $('suggestions');
    clear(box);
    var last = state.messages[state.messages.length - 1];
    if (!last || last.source === 'user' || !last.suggestions || !last.suggestions.length) return;
    last.suggestions.slice(0, 5).forEach(function (s) {
      box.appendChild(el('button.chip.suggestion', { type: 'button', text: s, onclick: function () {
        var r = $('reply'); r.value = s; r.focus(); autosize();
      } }));
    });
  }

  function renderMessage(m) {
    var wrap = el('article.msg.src-' + m.source + '.kind-' + (m.kind || 'bubble'), { dataset: { messageId: m.id } });
    if (m.source === 'event') { wrap.appendChild(renderEvent(m)); return wrap; }
    if (m.source === 'system') { wrap.appendChild(el('div.system', null, inline(m.content || '', {}))); return wrap; }
    if (m.agent_activity) wrap.appendChild(renderActivity(m));
    if (m.token_stream) wrap.appendChild(el('div.bubble.streaming', null, el('span', { text: m.token_stream }), el('span.cursor', { 'aria-hidden': 'true' })));
    var tokens = tokenRenderer(m);
    if (m.kind === 'surface') wrap.appendChild(renderSurface(m, tokens));
    else if (m.content || m.title) {
      var b = el('div.bubble');
      if (m.title) b.appendChild(el('div.bubble-title', { text: m.title }));
      if (m.content) b.appendChild(bubbleMarkdown(m.content));
      wrap.appendChild(b);
      if (m.card) wrap.appendChild(renderCard(m.card, tokens));
      if (m.interaction) wrap.appendChild(renderInteraction(m, tokens));
    }
    if (m.preview_url) {
      var url = safeUrl(m.preview_url);
      if (url) wrap.appendChild(el('a.preview', { href: url, target: '_blank', rel: 'noopener noreferrer' },
        el('span.preview-icon', { 'aria-hidden': 'true', text: '↗' }),
        el('span.preview-text', null, el('span.preview-host', { text: new URL(url).host }), el('span.preview-url', { text: url }))));
    }
    if (m.attachments && m.attachments.length) wrap.appendChild(renderAttachments(m.attachments));
    var meta = el('div.meta', null, el('time', { datetime: m.created_at, text: time(m.created_at) }));
    if (m.source === 'user') meta.appendChild(receipt(m));
    wrap.appendChild(meta);
    return wrap;
  }

  function receipt(m) {
    var stage = m.receipt_stage;
    var marks = { received: '✓', processing: '✓✓', completed: '✓✓', dropped: '✕' };
    var labels = { received: 'Received by the agent', processing: 'The agent is working on it', completed: 'Done', dropped: 'Dropped' };
    if (!stage) return el('span.ticks.sent', { title: 'Sent', text: '✓' });
    return el('span.ticks.' + stage, { title: labels[stage] + (m.receipt_reason ? ': ' + m.receipt_reason : ''), text: marks[stage] || '' });
  }

  function renderAttachments(list) {
    return el('div.attachments', null, list.map(function (a) {
      var url = safeUrl(a.url || a.downloadUrl || a.download_url);
      var name = a.filename || (url ? url.split('/').pop() : 'file');
      if (a.type === 'image' && url) {
        return el('a.att-image', { href: url, target: '_blank', rel: 'noopener noreferrer', title: name },
          el('img', { src: url, alt: name, loading: 'lazy' }));
      }
      return url ? el('a.att-file', { href: url, target: '_blank', rel: 'noopener noreferrer' }, el('span.att-icon', { 'aria-hidden': 'true' }), el('span', { text: name }))
        : el('span.att-file', null, el('span.att-icon', { 'aria-hidden': 'true' }), el('span', { text: name }));
    }));
  }

  function renderCard(card, tokens) {
    var fields = card && card.fields ? card.fields : [];
    return el('div.card', null, card.title ? el('div.card-title', { text: card.title }) : null,
      el('div.fields', null, fields.map(function (f) { return field(f, tokens); })));
  }

  function renderSurface(m, tokens) {
    var s = el('div.surface');
    if (m.title) s.appendChild(el('div.surface-title', { text: m.title }));
    if (m.card) s.appendChild(renderCard(m.card, tokens));
    if (m.content) s.appendChild(blockMarkdown(m.content, tokens));
    if (m.interaction) s.appendChild(renderInteraction(m, tokens));
    return s;
  }

  function renderEvent(m) {
    var tone = m.tone || 'info';
    var b = el('div.event.tone-' + tone);
    b.appendChild(el('div.event-title', null, el('span.event-dot', { 'aria-hidden': 'true' }), el('span', { text: m.title || 'Event' }),
      el('time', { datetime: m.created_at, text: time(m.created_at) })));
    if (m.card) b.appendChild(renderCard(m.card));
    if (m.content) b.appendChild(blockMarkdown(m.content));
    (m.sections || []).forEach(function (sec, k) {
      var key = 'sec-' + m.id + '-' + k;
      var open = Object.prototype.hasOwnProperty.call(state.drafts, key) ? state.drafts[key] : !sec.collapsed;
      var d = el('details.section', open ? { open: true } : null, el('summary', { text: sec.heading }), blockMarkdown(sec.body));
      d.addEventListener('toggle', function () { state.drafts[key] = d.open; });
      b.appendChild(d);
    });
    if (m.buttons && m.buttons.length) {
      b.appendChild(el('div.row', null, m.buttons.map(function (btn) {
        return link(btn.url, btn.label, 'btn.small.' + (btn.tone === 'primary' ? 'primary' : 'ghost'));
      })));
    }
    if (m.attachments && m.attachments.length) b.appendChild(renderAttachments(m.attachments));
    return b;
  }

  // ------------------------------------------------------------------------------ working cards

  /** Step-type icons are CSS-drawn dots (no emoji font needed); the type name is the tooltip. */
  function stepIcon(type) {
    return el('span.step-icon.t-' + String(type || 'other').replace(/[^a-z_]/g, ''), { title: String(type || '').replace('_', ' '), 'aria-hidden': 'true' });
  }

  function renderActivity(m) {
    var a = m.agent_activity;
    var steps = a.steps || [];
    var sealed = !!a.resolved_at || a.status === 'resolved';
    if (sealed) {
      var secs = Math.max(0, Math.round((Date.parse(a.resolved_at) - Date.parse(a.started_at)) / 1000));
      var open = state.drafts['tl-' + m.id];
      var chip = el('button.worked', { type: 'button', 'aria-expanded': open ? 'true' : 'false', onclick: function () {
        state.drafts['tl-' + m.id] = !open; renderFeed();
      } }, el('span', { text: 'Agent worked for ' + secs + ' s' }),
      el('span.step-icons', { 'aria-hidden': 'true' }, steps.map(function (s) { return stepIcon(s.type); })));
      var box = el('div.activity.done', null, chip);
      if (open) box.appendChild(timeline(a));
      return box;
    }
    var current = steps.length ? steps[steps.length - 1] : null;
    var paused = a.status === 'awaiting_input';
    var label = paused ? 'Waiting for you' : current ? (current.label || current.type.replace('_', ' ')) : 'Working';
    var card = el('div.activity.working' + (paused ? '.paused' : ''), { dataset: { type: current ? current.type : 'thinking' } },
      el('div.act-head', null,
        el('span.blob', { 'aria-hidden': 'true' }, el('span'), el('span'), el('span')),
        el('span.act-label', { text: label }),
        el('span.elapsed', { dataset: { since: a.started_at }, text: elapsed(a.started_at) }),
        m.cancel_requested_at ? el('span.muted.small', { text: 'Stop requested' })
          : el('button.btn.small.stop', { type: 'button', text: 'Stop', onclick: function (e) { stop(m, e.target); } })));
    if (a.todos && a.todos.length) {
      card.appendChild(el('ul.todos', null, a.todos.map(function (t) {
        return el('li.todo.' + t.status, null, el('span.todo-mark', { 'aria-hidden': 'true', text: t.status === 'done' ? '✓' : t.status === 'in_progress' ? '●' : '○' }), el('span', { text: t.label }));
      })));
    }
    if (steps.length > 1) card.appendChild(timeline(a));
    return card;
  }

  function timeline(a) {
    return el('ol.timeline', null, (a.steps || []).map(function (s) {
      var d = s.duration_ms != null ? (s.duration_ms / 1000).toFixed(1) + ' s' : '…';
      return el('li', null, stepIcon(s.type), el('span.step-label', { text: s.label || s.type }),
        s.todo ? el('span.muted.small', { text: s.todo }) : null, el('span.step-time', { text: d }));
    }));
  }

  function elapsed(since) {
    var s = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 1000));
    return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }

  setInterval(function () {
    var nodes = document.querySelectorAll('.elapsed[data-since]');
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = elapsed(nodes[i].dataset.since);
  }, 1000);

  function stop(m, button) {
    button.disabled = true;
    api('POST', '/messages/' + encodeURIComponent(m.id) + '/cancel', undefined, { 'Idempotency-Key': idem() }).then(function (r) {
      toast(r && r.delivered ? 'Stop sent to the agent.' : 'Stop recorded. The agent isn\'t set up to cancel yet.');
      refreshFeed();
    }).catch(function (e) { button.disabled = false; toast('Stop failed: ' + errorText(e), true); });
  }

  // ------------------------------------------------------------------------------ interactions

  function draft(m) {
    var d = state.drafts[m.id];
    if (!d) {
      d = state.drafts[m.id] = { editing: false, edits: {}, rejecting: false, reason: '', selected: null, custom: '', checked: null, text: '', answers: {} };
    }
    return d;
  }

  /** {{id}} tokens and editable card fields: the value in read mode, an input in "Edit & approve" mode. */
  function tokenRenderer(m) {
    var i = m.interaction;
    if (!i || i.type !== 'approval' || !i.editables || !i.editables.length) return null;
    var byId = {};
    i.editables.forEach(function (e) { byId[e.id] = e; });
    var live = m.interaction_status === 'live';
    var d = draft(m);
    var answered = m.response && m.response.edits ? m.response.edits : {};
    return {
      has: function (id) { return Object.prototype.hasOwnProperty.call(byId, id); },
      /** A card field shows its own text until it is being edited or was changed by the answer. */
      live: function (id) { return (live && d.editing) || Object.prototype.hasOwnProperty.call(answered, id); },
      render: function (id) {
        var e = byId[id];
        var value = Object.prototype.hasOwnProperty.call(d.edits, id) ? d.edits[id]
          : Object.prototype.hasOwnProperty.call(answered, id) ? answered[id] : e.value;
        if (!(live && d.editing)) {
          var shown = value;
          if (e.type === 'choice') (e.options || []).forEach(function (o) { if (o.id === value) shown = o.label; });
          return el('span.token' + (Object.prototype.hasOwnProperty.call(answered, id) ? '.edited' : ''), { text: String(shown) });
        }
        var key = m.id + ':' + id;
        if (e.type === 'choice') {
          return el('select.token-input', { dataset: { editable: id, key: key }, 'aria-label': id, onchange: function (ev) { d.edits[id] = ev.target.value; } },
            (e.options || []).map(function (o) { return el('option', { value: o.id, selected: o.id === value, text: o.label }); }));
        }
        var type = e.type === 'date' ? 'date' : e.type === 'number' || e.type === 'currency' ? 'number' : 'text';
        return el('input.token-input', { type: type, value: String(value), step: type === 'number' ? 'any' : null,
          dataset: { editable: id, key: key }, 'aria-label': id,
          oninput: function (ev) {
            var v = ev.target.value;
            d.edits[id] = type === 'number' ? (v === '' ? v : Number(v)) : v;
          } });
      }
    };
  }

  function respond(m, response, button) {
    if (button) button.disabled = true;
    return api('POST', '/messages/' + encodeURIComponent(m.id) + '/respond', { response: response }, { 'Idempotency-Key': idem() })
      .then(function () { delete state.drafts[m.id]; toast('Sent.'); return refreshFeed(); })
      .catch(function (e) {
        if (button) button.disabled = false;
        toast(e.status === 409 ? 'Too late: ' + errorText(e) : 'Could not answer: ' + errorText(e), true);
        refreshFeed();
      });
  }

  function renderInteraction(m, tokens) {
    var i = m.interaction;
    var status = m.interaction_status || 'live';
    var box = el('div.interaction.is-' + status + '.type-' + i.type, { dataset: { interaction: i.type, status: status } });
    if (i.prompt) box.appendChild(el('div.prompt', { text: i.prompt }));
    if (status === 'answered') { box.appendChild(answeredChip(m)); return box; }
    if (status === 'resolved') {
      var r = m.resolution || {};
      box.appendChild(el('div.answer.resolved', { text: '✓ ' + (r.label || r.outcome || 'Resolved by the agent') + (r.reason ? ' — ' + r.reason : '') }));
      return box;
    }
    if (status === 'expired') {
      box.appendChild(el('div.expired-note', { text: 'Expired: the conversation moved past this.' }));
    }
    var disabled = status !== 'live';
    var form = ({ approval: approvalForm, choice: choiceForm, checklist: checklistForm, text_input: textForm, questions: questionsForm }[i.type] || function () {
      return el('div.muted', { text: 'Unsupported interaction ' + i.type });
    })(m, i, draft(m), disabled, tokens);
    if (disabled) form.querySelectorAll('button, input, select, textarea').forEach(function (n) { n.disabled = true; });
    box.appendChild(form);
    return box;
  }

  function answeredChip(m) {
    var r = m.response || {};
    var i = m.interaction;
    var text;
    if (i.type === 'approval') {
      text = r.action === 'approved' ? '✓ ' + (i.approveLabel || 'Approved') + (r.edits && Object.keys(r.edits).length ? ' with edits' : '')
        : '✕ ' + (i.rejectLabel || 'Rejected') + (r.reason ? ' — ' + r.reason : '');
    } else if (i.type === 'choice') {
      var lab = r.customValue || r.selected;
      (i.options || []).forEach(function (o) { if (o.id === r.selected) lab = o.label; });
      text = '✓ ' + lab;
    } else if (i.type === 'checklist') {
      text = '✓ ' + (r.selected || []).map(function (id) {
        var l = id; (i.options || []).forEach(function (o) { if (o.id === id) l = o.label; }); return l;
      }).join(', ');
    } else if (i.type === 'text_input') {
      text = '✓ ' + (r.text || '');
    } else {
      text = '✓ ' + (r.answers || []).map(function (a) {
        var q = null; (i.questions || []).forEach(function (x) { if (x.id === a.questionId) q = x; });
        var labels = (a.selected || []).map(function (id) { var l = id; ((q && q.options) || []).forEach(function (o) { if (o.id === id) l = o.label; }); return l; });
        if (a.other) labels.push(a.other);
        return (q ? (q.header || q.question) + ': ' : '') + labels.join(', ');
      }).join(' · ');
    }
    return el('div.answer' + (i.type === 'approval' && r.action === 'rejected' ? '.rejected' : ''), { text: text });
  }

  function approvalForm(m, i, d, disabled, tokens) {
    var f = el('div.actions');
    if (d.rejecting) {
      var reason = el('textarea.reason', { rows: 2, placeholder: i.reasonRequired ? 'Why? (required)' : 'Why? (optional)', 'aria-label': 'Reject reason',
        dataset: { key: m.id + ':reason' }, oninput: function (e) { d.reason = e.target.value; } });
      reason.value = d.reason;
      f.appendChild(reason);
      f.appendChild(el('div.row', null,
        el('button.btn.ghost', { type: 'button', text: 'Back', onclick: function () { d.rejecting = false; renderFeed(); } }),
        el('button.btn.danger', { type: 'button', text: 'Send ' + (i.rejectLabel || 'Reject').toLowerCase(), onclick: function (e) {
          if (i.reasonRequired && !d.reason.trim()) { toast('A reason is required.', true); return; }
          var r = { action: 'rejected' };
          if (d.reason.trim()) r.reason = d.reason.trim();
          respond(m, r, e.target);
        } })));
      return f;
    }
    var row = el('div.row');
    if (d.editing) {
      row.appendChild(el('button.btn.ghost', { type: 'button', text: 'Cancel edits', onclick: function () { d.editing = false; d.edits = {}; renderFeed(); } }));
      row.appendChild(el('button.btn.primary', { type: 'button', text: 'Approve with edits', onclick: function (e) {
        var edits = {};
        (i.editables || []).forEach(function (ed) {
          if (Object.prototype.hasOwnProperty.call(d.edits, ed.id) && d.edits[ed.id] !== '' && d.edits[ed.id] !== ed.value) edits[ed.id] = d.edits[ed.id];
        });
        var r = { action: 'approved' };
        if (Object.keys(edits).length) r.edits = edits;
        respond(m, r, e.target);
      } }));
      f.appendChild(el('div.muted.small', { text: 'Change the highlighted values, then approve.' }));
      f.appendChild(row);
      return f;
    }
    if (i.rejectable !== false) {
      row.appendChild(el('button.btn.ghost', { type: 'button', text: i.rejectLabel || 'Reject', onclick: function () { d.rejecting = true; renderFeed(); } }));
    }
    if (tokens) {
      row.appendChild(el('button.btn', { type: 'button', text: 'Edit & approve', onclick: function () { d.editing = true; renderFeed(); } }));
    }
    row.appendChild(el('button.btn.primary' + (i.rejectable === false ? '.wide' : ''), { type: 'button', text: i.approveLabel || 'Approve',
      onclick: function (e) { respond(m, { action: 'approved' }, e.target); } }));
    f.appendChild(row);
    return f;
  }

  function choiceForm(m, i, d, disabled) {
    var f = el('div.actions');
    var opts = el('div.options');
    (i.options || []).forEach(function (o) {
      opts.appendChild(el('button.option' + (d.selected === o.id ? '.selected' : ''), { type: 'button', text: o.label, 'aria-pressed': d.selected === o.id ? 'true' : 'false',
        onclick: function () { d.selected = o.id; d.custom = ''; renderFeed(); } }));
    });
    f.appendChild(opts);
    if (i.allowCustom) {
      var custom = el('input.custom', { placeholder: 'Something else…', 'aria-label': 'Custom answer', dataset: { key: m.id + ':custom' },
        oninput: function (e) { d.custom = e.target.value; if (d.custom) { d.selected = null; opts.querySelectorAll('.option').forEach(function (n) { n.classList.remove('selected'); }); } } });
      custom.value = d.custom;
      f.appendChild(custom);
    }
    f.appendChild(el('div.row', null, el('button.btn.primary', { type: 'button', text: i.submitLabel || 'Send', onclick: function (e) {
      if (d.custom && d.custom.trim()) respond(m, { customValue: d.custom.trim() }, e.target);
      else if (d.selected) respond(m, { selected: d.selected }, e.target);
      else toast('Pick an option first.', true);
    } })));
    return f;
  }

  function checklistForm(m, i, d) {
    if (!d.checked) {
      d.checked = {};
      (i.options || []).forEach(function (o) { if (o.checked) d.checked[o.id] = true; });
    }
    var f = el('div.actions');
    var list = el('div.checks');
    (i.options || []).forEach(function (o) {
      var box = el('input', { type: 'checkbox', checked: !!d.checked[o.id], dataset: { key: m.id + ':' + o.id }, onchange: function (e) { d.checked[o.id] = e.target.checked; } });
      list.appendChild(el('label.check', null, box, el('span', { text: o.label })));
    });
    f.appendChild(list);
    f.appendChild(el('div.row', null, el('button.btn.primary', { type: 'button', text: i.submitLabel || 'Send', onclick: function (e) {
      respond(m, { selected: (i.options || []).filter(function (o) { return d.checked[o.id]; }).map(function (o) { return o.id; }) }, e.target);
    } })));
    return f;
  }

  function textForm(m, i, d) {
    var f = el('div.actions');
    var input = i.multiline ? el('textarea.text-answer', { rows: 3 }) : el('input.text-answer');
    input.placeholder = i.placeholder || 'Type your answer…';
    input.value = d.text;
    input.dataset.key = m.id + ':text';
    input.setAttribute('aria-label', i.prompt || 'Answer');
    input.addEventListener('input', function (e) { d.text = e.target.value; });
    f.appendChild(input);
    f.appendChild(el('div.row', null, el('button.btn.primary', { type: 'button', text: i.submitLabel || 'Send', onclick: function (e) {
      if (!d.text.trim()) { toast('Type an answer first.', true); return; }
      respond(m, { text: d.text }, e.target);
    } })));
    return f;
  }

  function questionsForm(m, i, d) {
    var f = el('div.actions.questions');
    (i.questions || []).forEach(function (q) {
      var a = d.answers[q.id] || (d.answers[q.id] = { selected: [], other: '' });
      var fs = el('fieldset.question', { dataset: { questionId: q.id } }, el('legend', null,
        q.header ? el('span.q-header', { text: q.header }) : null, el('span', { text: q.question })));
      (q.options || []).forEach(function (o) {
        var input = el('input', { type: q.multiSelect ? 'checkbox' : 'radio', name: m.id + ':' + q.id, value: o.id,
          checked: a.selected.indexOf(o.id) >= 0, dataset: { key: m.id + ':' + q.id + ':' + o.id },
          onchange: function (e) {
            if (q.multiSelect) {
              a.selected = a.selected.filter(function (x) { return x !== o.id; });
              if (e.target.checked) a.selected.push(o.id);
            } else { a.selected = [o.id]; }
          } });
        fs.appendChild(el('label.check', null, input, el('span', null, el('span', { text: o.label }),
          o.description ? el('span.muted.small.desc', { text: o.description }) : null)));
      });
      if (q.allowOther !== false) {
        var other = el('input.other', { placeholder: 'Other…', 'aria-label': (q.header || q.question) + ' other', dataset: { key: m.id + ':' + q.id + ':other' },
          oninput: function (e) { a.other = e.target.value; } });
        other.value = a.other;
        fs.appendChild(other);
      }
      f.appendChild(fs);
    });
    f.appendChild(el('div.row', null, el('button.btn.primary', { type: 'button', text: i.submitLabel || 'Submit', onclick: function (e) {
      var answers = [];
      var missing = false;
      (i.questions || []).forEach(function (q) {
        var a = d.answers[q.id] || { selected: [], other: '' };
        var ans = { questionId: q.id, selected: a.selected.slice() };
        if (a.other && a.other.trim()) ans.other = a.other.trim();
        if (!ans.selected.length && !ans.other) missing = true;
        answers.push(ans);
      });
      if (missing) { toast('Answer every question first.', true); return; }
      respond(m, { answers: answers }, e.target);
    } })));
    return f;
  }

  // ------------------------------------------------------------------------------ composer

  function autosize() {
    var r = $('reply');
    r.style.height = 'auto';
    r.style.height = Math.min(r.scrollHeight, 180) + 'px';
  }

  function renderPendingFiles() {
    var box = $('pending-files');
    clear(box);
    state.pendingFiles.forEach(function (f, k) {
      box.appendChild(el('span.chip.file', null, el('span.att-icon', { 'aria-hidden': 'true' }), el('span', { text: f.filename }),
        el('button.x', { type: 'button', title: 'Remove', text: '×', onclick: function () { state.pendingFiles.splice(k, 1); renderPendingFiles(); } })));
    });
  }

  /** Inbound files: POST /api/v1/files?filename= (raw body) → {fileId}; the ids ride on the reply as attachments. */
  function upload(files) {
    Array.prototype.forEach.call(files, function (file) {
      api('POST', '/files?filename=' + encodeURIComponent(file.name), file).then(function (r) {
        state.pendingFiles.push({ fileId: r.fileId, filename: r.filename || file.name });
        renderPendingFiles();
      }).catch(function (e) {
        toast(e.status === 404 ? 'This server does not accept file uploads.' : 'Upload failed: ' + errorText(e), true);
      });
    });
  }

  function send(ev) {
    ev.preventDefault();
    var text = $('reply').value.trim();
    if (!text && !state.pendingFiles.length) return;
    var body = { content: text };
    if (state.pendingFiles.length) body.attachments = state.pendingFiles.map(function (f) { return f.fileId; });
    var button = $('send');
    button.disabled = true;
    api('POST', '/vessels/' + encodeURIComponent(state.current) + '/messages', body).then(function () {
      $('reply').value = '';
      autosize();
      state.pendingFiles = [];
      renderPendingFiles();
      return refreshFeed();
    }).catch(function (e) { toast('Could not send: ' + errorText(e), true); })
      .then(function () { button.disabled = false; });
  }

  function openNewVessel() {
    $('new-error').hidden = true;
    $('new-form').reset();
    var dlg = $('new-dialog');
    if (dlg.showModal) dlg.showModal(); else dlg.setAttribute('open', '');
    $('new-message').focus();
  }

  function submitNewVessel(ev) {
    ev.preventDefault();
    var body = { message: $('new-message').value.trim() };
    if (!body.message) return;
    if ($('new-type').value.trim()) body.type = $('new-type').value.trim();
    if ($('new-title').value.trim()) body.title = $('new-title').value.trim();
    api('POST', '/vessels', body).then(function (r) {
      $('new-dialog').close();
      return refreshVessels().then(function () { openVessel(r.vesselId); });
    }).catch(function (e) {
      var err = $('new-error');
      err.hidden = false;
      err.textContent = e.status === 403 ? 'This workspace does not let people open vessels (an admin can enable user vessels).' : errorText(e);
    });
  }

  function patchVessel(patch) {
    api('PATCH', '/vessels/' + encodeURIComponent(state.current), patch).then(refreshVessels)
      .catch(function (e) { toast('Could not update: ' + errorText(e), true); });
  }

  // ------------------------------------------------------------------------------ wiring

  function init() {
    $('signin-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var token = $('token').value.trim();
      if (!token) return;
      signIn(token).catch(function (e) {
        state.token = null;
        showSignIn(e.status === 401 ? 'That token was not accepted.' : e.status === 403 ? 'That token lacks the read scope.' : 'Sign-in failed: ' + errorText(e));
      });
    });
    $('signout').addEventListener('click', function () { signOut(); });
    $('search').addEventListener('input', function (e) { state.search = e.target.value; renderList(); });
    $('show-archived').addEventListener('change', function (e) { state.showArchived = e.target.checked; refreshVessels(); });
    $('vessel-title').addEventListener('click', function () { state.detailsOpen = !state.detailsOpen; renderVesselHead(); });
    $('pin').addEventListener('click', function () { var v = findVessel(state.current); if (v) patchVessel({ pinned: !v.pinned }); });
    $('archive').addEventListener('click', function () { var v = findVessel(state.current); if (v) patchVessel({ archived: !v.archived }); });
    $('composer').addEventListener('submit', send);
    $('reply').addEventListener('input', autosize);
    $('reply').addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); $('composer').requestSubmit(); }
    });
    $('back').addEventListener('click', closeVessel);
    $('attach').addEventListener('change', function (e) { upload(e.target.files); e.target.value = ''; });
    $('new-vessel').addEventListener('click', openNewVessel);
    $('new-form').addEventListener('submit', submitNewVessel);
    $('new-cancel').addEventListener('click', function () { $('new-dialog').close(); });

    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) signIn(token).catch(function () { showSignIn('Sign in again.'); });
    else showSignIn();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
