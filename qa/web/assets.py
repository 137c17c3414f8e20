"""The page's CSS and JavaScript (passed to ``launch`` or ``gr.mount_gradio_app``).

Colours are variables set for the light theme and for Gradio's ``.dark`` (which follows the system
setting); the highlight is dark text on yellow in both, well above 4.5:1 contrast.
"""

# Gradio's own "Source Sans Pro" at weight 600 is a file holding 55 Cyrillic glyphs (and "A", "B"): every
# semi-bold heading drew its "A" in that font and the rest in a fallback. The page uses the regular and bold
# files Gradio ships, under a family name of its own.
CSS = """
@font-face { font-family: "QA Sans"; font-weight: 400; font-style: normal;
  src: url("static/fonts/SourceSansPro/SourceSansPro-Regular.woff2") format("woff2"); }
@font-face { font-family: "QA Sans"; font-weight: 600 800; font-style: normal;
  src: url("static/fonts/SourceSansPro/SourceSansPro-Bold.woff2") format("woff2"); }
:root, .gradio-container { --font: "QA Sans", ui-sans-serif, system-ui, sans-serif; }
:root { --qa-mark-bg: #ffe066; --qa-mark-fg: #1a1a1a; --qa-flash: #b45309; --qa-flash-bg: #fff7e0;
  --qa-link: #0a58ca; --qa-muted: #4b5563; --qa-chip-bg: #f3f4f6; --qa-chip-border: #c9d1d9;
  --qa-bar: #2f855a; --qa-bar-bg: #d9dee4; --qa-current-bg: #eef2f7; --qa-error: #b42318; }
.dark { --qa-mark-bg: #fde68a; --qa-mark-fg: #111111; --qa-flash: #fbbf24; --qa-flash-bg: #3a2e0a;
  --qa-link: #93c5fd; --qa-muted: #c0c7d1; --qa-chip-bg: #1f2937; --qa-chip-border: #4b5563;
  --qa-bar: #68d391; --qa-bar-bg: #374151; --qa-current-bg: #1f2937; --qa-error: #fda29b; }
.gradio-container { font-size: 15px; }
.gradio-container, .gradio-container * { font-family: var(--font); }
.qa-hidden { display: none !important; }
#qa-head, #qa-head .html-container { padding: 0 !important; }
#qa-head .qa-h1 { font-size: 24px; font-weight: 700; margin: 0 0 4px 0; color: var(--body-text-color); }

/* the chat: full-strength text in both themes (Gradio dims a bot message to 80% in dark mode) */
#qa-chat .message .prose, #qa-chat .message .md { opacity: 1 !important; }
#qa-chat .placeholder { color: var(--body-text-color); max-width: 600px; margin: 0 auto; padding: 0 24px;
  text-align: center; }
#qa-chat .placeholder p { margin: 0 0 8px 0; }
.qa-turn .qa-text { line-height: 1.5; }
.qa-q { white-space: pre-wrap; }
a.qa-cite, .qa-panel a, .qa-srcs a, .qa-near a { color: var(--qa-link) !important; font-weight: 600;
  text-decoration: none; }
a.qa-cite:hover, a.qa-srcs-link:hover { text-decoration: underline; }
.qa-read-as, .qa-looked { color: var(--qa-muted); font-size: 13px; margin-top: 4px; }
.qa-pending { color: var(--qa-muted); font-style: italic; }
.qa-pending::before { content: ""; display: inline-block; width: 8px; height: 8px; margin-right: 6px;
  border-radius: 50%; background: var(--qa-flash); animation: qa-pulse .8s ease-in-out infinite alternate; }
@keyframes qa-pulse { from { opacity: .25; } to { opacity: 1; } }
.qa-draft { color: var(--qa-muted); }
.qa-error { font-weight: 600; }
.qa-failed .qa-text::before { content: "⚠ "; color: var(--qa-error); }
.qa-stopped .qa-text { color: var(--qa-muted); }

/* sources: chips that open in place (narrow screens), or one line that puts them in the side panel */
a.qa-srcs-link { display: inline-block; margin-top: 6px; font-size: 13px; color: var(--qa-muted) !important;
  text-decoration: none; }
a.qa-srcs-link::before { content: "▸ "; }
.qa-current a.qa-srcs-link { color: var(--qa-link) !important; }
.qa-current a.qa-srcs-link::after { content: " · shown at the right"; color: var(--qa-muted); }
.qa-srcs { margin-top: 8px; }
.qa-srcs-h { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--qa-muted);
  margin-bottom: 4px; }
.qa-turn .qa-for { display: none; }
.qa-panel .qa-for { text-transform: none; letter-spacing: 0; }
.qa-src { margin: 0 0 6px 0; }
.qa-src > summary.qa-chip { display: inline-block; cursor: pointer; list-style: none; padding: 2px 10px;
  border: 1px solid var(--qa-chip-border); border-radius: 999px; background: var(--qa-chip-bg);
  font-size: 13px; color: var(--body-text-color); max-width: 100%; overflow-wrap: anywhere; }
.qa-src > summary::-webkit-details-marker { display: none; }
.qa-src[open] > summary.qa-chip { border-color: var(--qa-flash); }
.qa-n { font-weight: 700; }
.qa-card { border: 1px solid var(--qa-chip-border); border-radius: 8px; padding: 8px 10px; margin-top: 4px;
  background: var(--background-fill-primary); color: var(--body-text-color); }
.qa-title { font-weight: 600; overflow-wrap: anywhere; }
.qa-passage { font-size: 14px; line-height: 1.5; margin: 4px 0 !important; overflow-wrap: anywhere; }
mark.qa-hl { background: var(--qa-mark-bg) !important; color: var(--qa-mark-fg) !important; padding: 0 2px;
  border-radius: 2px; }
.qa-meta, .qa-muted { color: var(--qa-muted); font-size: 13px; }
.qa-rel { white-space: nowrap; }
.qa-bar { display: inline-block; width: 48px; height: 6px; border-radius: 3px; background: var(--qa-bar-bg);
  vertical-align: middle; overflow: hidden; }
.qa-bar > span { display: block; height: 100%; background: var(--qa-bar); }
.qa-flash, .qa-panel .qa-flash .qa-card { outline: 3px solid var(--qa-flash); outline-offset: 2px;
  background: var(--qa-flash-bg); }
.qa-current { border-left: 3px solid var(--qa-flash); padding-left: 8px; }

/* a refusal: what was looked for, and the closest passages folded, one line each */
.qa-closest { margin-top: 6px; font-size: 13px; }
.qa-closest > summary { cursor: pointer; color: var(--qa-muted); }
.qa-near { margin: 4px 0 0 14px; }
.qa-near > summary.qa-line { cursor: pointer; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  list-style: none; }
.qa-near > summary::-webkit-details-marker { display: none; }
.qa-near > summary.qa-line::before { content: "▸ "; color: var(--qa-muted); }
.qa-near[open] > summary.qa-line::before { content: "▾ "; }
.qa-near .qa-title { font-weight: 600; }
.qa-snip { color: var(--qa-muted); }

.qa-panel { max-height: 640px; overflow-y: auto; }
.qa-panel .qa-src > summary.qa-chip { pointer-events: none; }
.qa-empty { color: var(--qa-muted); }
#qa-status { min-height: 1.2em; color: var(--qa-muted); font-size: 13px; }
#qa-under { align-items: center; }

/* past chats */
.qa-chats > summary { list-style: none; font-size: 12px; text-transform: uppercase; letter-spacing: .04em;
  color: var(--qa-muted); margin: 8px 0 4px 0; }
.qa-chats > summary::-webkit-details-marker { display: none; }
.qa-chats-list { display: flex; flex-direction: column; gap: 2px; max-height: 60vh; overflow-y: auto; }
.qa-chat-item { display: flex; align-items: center; gap: 4px; border-radius: 6px; padding: 2px 2px 2px 6px; }
.qa-chat-item:hover, .qa-chat-item.qa-here { background: var(--qa-current-bg); }
.qa-chat-open { flex: 1 1 auto; min-width: 0; text-align: left; background: none; border: 0; padding: 4px 0;
  cursor: pointer; color: var(--body-text-color); font-size: 14px; font-weight: 400; }
.qa-chat-open .qa-chat-title { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.qa-chat-open .qa-chat-when { display: block; font-size: 12px; color: var(--qa-muted); }
.qa-chat-del { flex: 0 0 auto; background: none; border: 0; cursor: pointer; color: var(--qa-muted);
  font-size: 16px; line-height: 1; padding: 4px 6px; border-radius: 4px; }
.qa-chat-del:hover { color: var(--qa-error); }
.qa-chats-none { color: var(--qa-muted); font-size: 13px; }

/* the article manager */
#qa-articles, #qa-articles * { font-family: var(--font) !important; }
.qa-report { border-collapse: collapse; font-size: 14px; }
.qa-report td, .qa-report th { padding: 3px 10px; text-align: left; border-bottom: 1px solid var(--qa-chip-border); }
.qa-report th { font-weight: 600; color: var(--qa-muted); }
#qa-delete-bar, #qa-manager-note, #qa-confirm { align-items: center; }

/* a desktop shows sources in the side panel; the chips under an answer are for narrow screens */
@media (min-width: 701px) {
  #qa-chat .qa-turn .qa-srcs { display: none; }
}
@media (max-width: 700px) {
  #qa-side { display: none !important; }
  a.qa-srcs-link { display: none; }
  #qa-chats-col { min-width: 100% !important; }
  .qa-chats > summary { text-transform: none; letter-spacing: 0; font-size: 14px; }
  .qa-chats > summary::before { content: "▸ "; }
  .qa-chats[open] > summary::before { content: "▾ "; }
  .qa-chats-list { max-height: 30vh; }
  #qa-head .qa-h1 { font-size: 20px; margin: 0; }
  #qa-chat { height: calc(100dvh - 330px) !important; min-height: 300px; }
  #qa-composer { position: sticky; bottom: 0; z-index: 20; background: var(--background-fill-primary);
    padding: 6px 0 8px 0; flex-wrap: nowrap !important; }
  #qa-composer > * { min-width: 0 !important; flex: 0 0 auto !important; }
  #qa-composer > #qa-question { flex: 1 1 auto !important; }
  #qa-composer button { padding: 0 12px !important; min-height: 42px; align-self: stretch; }
}
"""

# Clicking [n], a "sources" line, or anywhere in an answer, puts that answer's sources in the side panel;
# where the panel is hidden (a phone), source n opens in place under the answer, so there is nothing to jump
# back from. The view follows a new question and its answer until the reader scrolls. Each conversation is
# kept in the browser's localStorage under its own key (so two tabs never overwrite each other's), and the
# conversation a tab shows is remembered in its sessionStorage, so a reload brings it back.
JS = """
() => {
  const NO_SOURCES = 'Nothing in the articles answers this question, so there is nothing to cite. '
    + 'The closest passages are folded under the answer.';
  const flash = (el) => {
    el.classList.add('qa-flash');
    setTimeout(() => el.classList.remove('qa-flash'), 2500);
  };
  const show = (turn, n) => {
    const srcs = turn.querySelector('.qa-srcs');
    const side = document.getElementById('qa-side');
    const panel = document.querySelector('#qa-sources .qa-panel');
    if (!srcs && !turn.classList.contains('qa-refused')) return;
    document.querySelectorAll('.qa-turn.qa-current').forEach((t) => t.classList.remove('qa-current'));
    turn.classList.add('qa-current');
    if (panel && side && side.offsetParent !== null) {
      if (srcs) {
        const copy = srcs.cloneNode(true);
        copy.querySelectorAll('[id]').forEach((e) => e.removeAttribute('id'));
        copy.querySelectorAll('details').forEach((d) => { d.open = true; });
        panel.replaceChildren(copy);
        const card = n ? panel.querySelector('.qa-s-' + n) : null;
        if (card) { card.scrollIntoView({block: 'nearest'}); flash(card); }
      } else {
        const head = document.createElement('div');
        head.className = 'qa-srcs-h';
        head.textContent = 'No sources';
        const note = document.createElement('p');
        note.className = 'qa-empty';
        note.textContent = NO_SOURCES;
        panel.replaceChildren(head, note);
      }
    } else if (srcs && n) {
      const item = srcs.querySelector('.qa-s-' + n);
      if (item) { item.open = true; item.scrollIntoView({block: 'nearest'}); flash(item); }
    }
  };
  document.addEventListener('click', (ev) => {
    const turn = ev.target.closest('.qa-turn');
    if (!turn || turn.closest('#qa-sources')) return;
    const cite = ev.target.closest('a.qa-cite, a.qa-srcs-link');
    if (cite) ev.preventDefault();
    if (ev.target.closest('summary')) { show(turn, null); return; }
    const n = cite && cite.classList.contains('qa-cite') ? cite.getAttribute('href').split('-s').pop() : null;
    show(turn, n);
  }, true);

  // ---- the view follows a new question and its answer, until the reader scrolls or clicks in the chat
  let follow = false;
  const log = () => document.querySelector('#qa-chat [role=log]') || document.querySelector('#qa-chat .bubble-wrap');
  const pin = () => {
    const el = log();
    if (!el || !follow) return;
    const max = el.scrollHeight - el.clientHeight;
    const asked = el.querySelectorAll('.qa-q');
    const q = asked.length ? asked[asked.length - 1] : null;
    const row = q ? (q.closest('.message-row') || q) : null;
    const top = row ? row.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop - 8 : max;
    el.scrollTop = Math.max(0, Math.min(max, top));
  };
  const start = () => {
    follow = true;
    const chat = document.getElementById('qa-chat');
    if (chat) chat.scrollIntoView({block: 'nearest'});
    requestAnimationFrame(pin);
  };
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && ev.target.closest('#qa-question')) start();
  }, true);
  document.addEventListener('click', (ev) => {
    if (ev.target.closest('#qa-ask, #qa-regen, #qa-stop, #qa-chat .examples button, #qa-chat button.example')) start();
  }, true);
  const leave = (ev) => { if (ev.target.closest && ev.target.closest('#qa-chat')) follow = false; };
  ['wheel', 'touchmove', 'pointerdown'].forEach(
    (t) => document.addEventListener(t, leave, {passive: true, capture: true}));
  let answered = 0;
  new MutationObserver(() => {
    if (follow) requestAnimationFrame(pin);
    const done = document.querySelectorAll('#qa-chat .qa-turn:not(.qa-busy)');
    if (done.length > answered && done[done.length - 1].querySelector('.qa-srcs-link')) {  // a new answer:
      document.querySelectorAll('.qa-turn.qa-current').forEach((t) => t.classList.remove('qa-current'));
      done[done.length - 1].classList.add('qa-current');  // its sources are the panel's
    }
    answered = done.length;
  }).observe(document.body, {subtree: true, childList: true, characterData: true});

  // ---- conversations kept by the browser
  const PREFIX = 'qa-chat:', KEEP = 30;
  let wanted = null, expected = 0;
  const left = new Set();  // conversations New chat left: a save that arrives late keeps them, not as the current one
  const read = (key) => { try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; } };
  const when = (iso) => {
    const d = new Date(iso), now = new Date();
    if (isNaN(d)) return '';
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    if (d.toDateString() === now.toDateString())
      return 'today, ' + String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
    return d.getDate() + ' ' + months[d.getMonth()] + ' ' + d.getFullYear();
  };
  const chats = {
    all() {
      const out = [];
      for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i);
        if (!key || !key.startsWith(PREFIX)) continue;
        const r = read(key);
        if (r && r.id) out.push({id: r.id, title: r.title || 'Untitled', updated: r.updated || '',
                                 questions: r.questions || 0});
      }
      return out.sort((a, b) => (b.updated > a.updated ? 1 : b.updated < a.updated ? -1 : 0));
    },
    save(json) {
      if (!json) return;
      let r;
      try { r = JSON.parse(json); } catch (e) { return; }
      for (let tries = 0; tries < KEEP; tries++) {
        try { localStorage.setItem(PREFIX + r.id, json); break; }
        catch (e) {  // storage full: the oldest other conversation makes room
          const old = chats.all().filter((c) => c.id !== r.id).pop();
          if (!old) break;
          localStorage.removeItem(PREFIX + old.id);
        }
      }
      chats.all().slice(KEEP).forEach((c) => localStorage.removeItem(PREFIX + c.id));
      if (!left.has(r.id)) sessionStorage.setItem('qa-current', r.id);
      chats.render();
    },
    current() {
      const id = sessionStorage.getItem('qa-current');
      return chats.expect((id && localStorage.getItem(PREFIX + id)) || '');
    },
    expect(s) {  // how many answers the conversation on its way to the chat holds
      let r = null;
      try { r = s ? JSON.parse(s) : null; } catch (e) { r = null; }
      expected = r ? (r.messages || []).filter((m) => m.role === 'assistant').length : 0;
      return s;
    },
    start() {
      const id = sessionStorage.getItem('qa-current');
      if (id) left.add(id);
      sessionStorage.removeItem('qa-current');
      chats.render();
    },
    open(id) { wanted = id; const b = document.getElementById('qa-reopen'); if (b) b.click(); },
    take() {
      const id = wanted; wanted = null;
      const s = id ? localStorage.getItem(PREFIX + id) : null;
      if (s) { left.delete(id); sessionStorage.setItem('qa-current', id); }
      return chats.expect(s || '');
    },
    remove(id) {
      localStorage.removeItem(PREFIX + id);
      if (sessionStorage.getItem('qa-current') === id) {
        sessionStorage.removeItem('qa-current');
        const b = document.getElementById('qa-new'); if (b) b.click();
      }
      chats.render();
    },
    shown() {  // a conversation came back: the list marks it, the panel shows its last answer's sources
      chats.render();
      follow = true;
      let tries = 0;
      const last = () => {  // once the chat shows it: the newest answer that has sources (or is a refusal)
        const all = document.querySelectorAll('#qa-chat .qa-turn');
        if (all.length !== expected) { if (tries++ < 100) setTimeout(last, 100); return; }
        const turns = [...all].filter((t) => t.querySelector('.qa-srcs') || t.classList.contains('qa-refused'));
        if (turns.length) show(turns[turns.length - 1], null);
        pin();
      };
      setTimeout(last, 50);
    },
    render() {
      const list = document.querySelector('#qa-chats .qa-chats-list');
      if (!list) return;
      const all = chats.all(), here = sessionStorage.getItem('qa-current');
      const box = list.closest('details');
      if (box) {
        box.querySelector('summary').textContent = all.length ? 'Chats (' + all.length + ')' : 'Chats';
        if (!box.dataset.set) { box.open = window.innerWidth > 700; box.dataset.set = '1'; }
      }
      if (!all.length) {
        const none = document.createElement('div');
        none.className = 'qa-chats-none';
        none.textContent = 'Your conversations will be listed here.';
        list.replaceChildren(none);
        return;
      }
      list.replaceChildren(...all.map((c) => {
        const item = document.createElement('div');
        item.className = 'qa-chat-item' + (c.id === here ? ' qa-here' : '');
        item.dataset.id = c.id;
        const open = document.createElement('button');
        open.className = 'qa-chat-open';
        open.title = c.title;
        const title = document.createElement('span');
        title.className = 'qa-chat-title';
        title.textContent = c.title;
        const time = document.createElement('span');
        time.className = 'qa-chat-when';
        time.textContent = (c.questions === 1 ? '1 question' : c.questions + ' questions') + ' · ' + when(c.updated);
        open.append(title, time);
        open.addEventListener('click', () => chats.open(c.id));
        const del = document.createElement('button');
        del.className = 'qa-chat-del';
        del.textContent = '×';
        del.title = 'Delete this chat';
        del.setAttribute('aria-label', 'Delete the chat “' + c.title + '”');
        del.addEventListener('click', () => chats.remove(c.id));
        item.append(open, del);
        return item;
      }));
    },
  };
  window.qaChats = chats;
  let tries = 0;
  const first = () => { if (document.querySelector('#qa-chats .qa-chats-list')) chats.render();
                        else if (tries++ < 50) setTimeout(first, 100); };
  first();
}
"""
