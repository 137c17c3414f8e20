"""The page's CSS and JavaScript (passed to ``launch`` or ``gr.mount_gradio_app``).

Colours are variables set for the light theme and for Gradio's ``.dark`` (which follows the system
setting); the highlight is dark text on yellow in both, well above 4.5:1 contrast.
"""

CSS = """
:root { --qa-mark-bg: #ffe066; --qa-mark-fg: #1a1a1a; --qa-flash: #b45309; --qa-flash-bg: #fff7e0;
  --qa-link: #0a58ca; --qa-muted: #4b5563; --qa-chip-bg: #f3f4f6; --qa-chip-border: #c9d1d9;
  --qa-bar: #2f855a; --qa-bar-bg: #d9dee4; }
.dark { --qa-mark-bg: #fde68a; --qa-mark-fg: #111111; --qa-flash: #fbbf24; --qa-flash-bg: #3a2e0a;
  --qa-link: #93c5fd; --qa-muted: #c0c7d1; --qa-chip-bg: #1f2937; --qa-chip-border: #4b5563;
  --qa-bar: #68d391; --qa-bar-bg: #374151; }
.gradio-container { font-size: 15px; }
#qa-head h2 { margin: 0 0 2px 0; }
#qa-head p { margin: 0; color: var(--qa-muted); }
.qa-turn .qa-text { line-height: 1.5; }
.qa-q { white-space: pre-wrap; }
a.qa-cite, .qa-panel a, .qa-srcs a { color: var(--qa-link) !important; font-weight: 600; text-decoration: none; }
a.qa-cite:hover { text-decoration: underline; }
.qa-read-as { color: var(--qa-muted); font-size: 13px; margin-top: 4px; }
.qa-pending { color: var(--qa-muted); font-style: italic; }
.qa-pending::before { content: ""; display: inline-block; width: 8px; height: 8px; margin-right: 6px;
  border-radius: 50%; background: var(--qa-flash); animation: qa-pulse .8s ease-in-out infinite alternate; }
@keyframes qa-pulse { from { opacity: .25; } to { opacity: 1; } }
.qa-draft { opacity: .75; }
.qa-error { font-weight: 600; }
.qa-srcs { margin-top: 8px; }
.qa-srcs-h { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--qa-muted);
  margin-bottom: 4px; }
.qa-turn .qa-for { display: none; }
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
.qa-meta { color: var(--qa-muted); font-size: 13px; }
.qa-rel { white-space: nowrap; }
.qa-bar { display: inline-block; width: 48px; height: 6px; border-radius: 3px; background: var(--qa-bar-bg);
  vertical-align: middle; overflow: hidden; }
.qa-bar > span { display: block; height: 100%; background: var(--qa-bar); }
.qa-flash, .qa-panel .qa-flash .qa-card { outline: 3px solid var(--qa-flash); outline-offset: 2px;
  background: var(--qa-flash-bg); }
.qa-current { border-left: 3px solid var(--qa-flash); padding-left: 8px; }
.qa-panel { max-height: 620px; overflow-y: auto; }
.qa-panel .qa-src > summary.qa-chip { pointer-events: none; }
.qa-empty { color: var(--qa-muted); }
#qa-status { min-height: 1.2em; color: var(--qa-muted); font-size: 13px; }
.qa-report td, .qa-report th { padding: 2px 8px; text-align: left; }
#qa-articles table { font-family: var(--font) !important; }
@media (max-width: 700px) {
  #qa-side { display: none !important; }
  #qa-head p { display: none; }
  #qa-chat { height: calc(100dvh - 230px) !important; }
  #qa-composer { position: sticky; bottom: 0; z-index: 20; background: var(--background-fill-primary);
    padding: 6px 0 8px 0; flex-wrap: nowrap !important; }
  #qa-composer > * { min-width: 0 !important; flex: 0 0 auto !important; }
  #qa-composer > #qa-question { flex: 1 1 auto !important; }
  #qa-composer button { padding: 0 12px !important; min-height: 42px; align-self: stretch; }
}
"""

# Clicking [n], or anywhere in an answer, puts that answer's sources in the side panel; where the
# panel is hidden (a phone), source n opens in place under the answer, so there is nothing to jump back from.
JS = """
() => {
  const flash = (el) => {
    el.classList.add('qa-flash');
    setTimeout(() => el.classList.remove('qa-flash'), 2500);
  };
  const show = (turn, n) => {
    const srcs = turn.querySelector('.qa-srcs');
    const side = document.getElementById('qa-side');
    const panel = document.querySelector('#qa-sources .qa-panel');
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
      }
    } else if (srcs && n) {
      const item = srcs.querySelector('.qa-s-' + n);
      if (item) { item.open = true; item.scrollIntoView({block: 'nearest'}); flash(item); }
    }
  };
  document.addEventListener('click', (ev) => {
    const turn = ev.target.closest('.qa-turn');
    if (!turn || turn.closest('#qa-sources')) return;
    const cite = ev.target.closest('a.qa-cite');
    if (cite) ev.preventDefault();
    if (ev.target.closest('summary')) { show(turn, null); return; }
    show(turn, cite ? cite.getAttribute('href').split('-s').pop() : null);
  }, true);
}
"""
