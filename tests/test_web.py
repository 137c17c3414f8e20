"""The chat page end to end: the real app (embedded model, real Chroma) in a subprocess, driven by
headless Chromium (Playwright) and by gradio_client. One server for the module, started by
``tests/web_app.py``: app.py as it is, plus two faults a question can set off."""

import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, SEED, free_port

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "docs" / "screenshots"
BOT = "#qa-chat .qa-turn"
DONE = "#qa-chat .qa-turn:not(.qa-busy)"
PURL = "How much has PURL delivered so far?"
ANSWER_MS = 300_000  # an answer takes seconds; a CI machine under load may take minutes
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
LOG = "#qa-chat [role=log]"
OPACITY = """(el) => { let o = 1; for (let e = el; e && e.id !== 'qa-chat'; e = e.parentElement)
  o *= Number(getComputedStyle(e).opacity); return o; }"""
IN_VIEW = """(el) => { const log = document.querySelector('#qa-chat [role=log]').getBoundingClientRect();
  const r = el.getBoundingClientRect();
  return r.height > 0 && r.top >= log.top - 1 && r.bottom <= log.bottom + 1; }"""
CONTRAST = """(el) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92
    : Math.pow((v + 0.055) / 1.055, 2.4); }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  let node = el, bg = [255, 255, 255];
  for (; node; node = node.parentElement) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { bg = c; break; }
  }
  const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("web")
    (root / "corpus").mkdir()
    shutil.copy(SEED, root / "corpus" / SEED.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    port = free_port()
    env |= {"QA_DATA_DIR": str(root / "data"), "QA_WEB_PORT": str(port)}
    qa = Path(sys.executable).with_name("qa")
    subprocess.run([str(qa), "ingest", str(root / "corpus")], env=env, check=True, capture_output=True)
    log = (root / "app.log").open("w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "web_app.py")], env=env, stdout=log,
                            stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail("the app did not start:\n" + (root / "app.log").read_text()[-3000:])
            time.sleep(1)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, capture_output=True)
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed for the browser test (scripts/test installs it)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def _open(browser, url, **context):
    page = browser.new_context(**({"viewport": {"width": 1400, "height": 1000}} | context)).new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_selector("#qa-question textarea")
    return page


def _send(page, question):
    box = page.locator("#qa-question textarea")
    box.fill(question)
    box.press("Enter")


def _ask(page, question):
    """Ask in the page and return the finished answer's message."""
    done = page.locator(DONE).count()
    _send(page, question)
    page.wait_for_function(f"document.querySelectorAll({DONE!r}).length > {done} && "
                           f"!document.querySelector({BOT!r} + '.qa-busy')", timeout=ANSWER_MS)
    return page.locator(BOT).nth(page.locator(BOT).count() - 1)  # .last would follow later answers


def _record_notes(page):
    """Collect every note a pending message shows, however briefly, into ``window.notes``."""
    page.evaluate("""() => { window.notes = [];
      new MutationObserver(() => document.querySelectorAll('#qa-chat .qa-pending').forEach(
        (p) => window.notes.push(p.innerText))).observe(document.body, {subtree: true, childList: true,
        characterData: true}); }""")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_every_answer_has_its_own_sources_and_the_panel_follows_the_clicked_answer(app_url, browser):
    page = _open(browser, app_url)
    # An empty chat welcomes the reader with what is in the store and questions drawn from it.
    assert page.locator("#qa-chat [data-testid='block-label']").count() == 0  # no "Chat" label over the text
    # Headings in one font: Gradio's semi-bold file holds only 55 glyphs ("A" among them), so it is never used.
    assert page.evaluate("document.fonts.ready.then(() => [...document.fonts].filter((f) => "
                         "f.family.includes('Source Sans Pro') && f.weight === '600' && f.status === 'loaded')"
                         ".length)") == 0
    assert page.locator("#qa-head h1").evaluate("h => getComputedStyle(h).fontFamily").startswith('"QA Sans"')
    welcome = page.locator("#qa-chat .placeholder")
    assert "1 article from Interfax-Ukraine, published 23 Aug 2025" in welcome.inner_text()
    examples = page.locator("#qa-chat button.example")
    assert examples.count() >= 1 and "Dragone" in examples.first.inner_text()
    first = _ask(page, PURL)
    assert "billion" in first.locator(".qa-text").inner_text()
    second = _ask(page, "Who financed the third PURL package?")
    for turn in (first, second):
        chip = turn.locator(".qa-srcs summary").first
        assert "Interfax-Ukraine" in chip.text_content() and "23 Aug 2025" in chip.text_content()
        # On a desktop the sources are in the side panel, not twice: the answer names them in one line.
        assert turn.locator(".qa-srcs").is_hidden() and turn.locator("a.qa-srcs-link").is_visible()
    # One date style, and relevance in words only (no score, not even in a tooltip).
    panel = page.locator("#qa-sources")
    shown = page.locator("#qa-chat").text_content() + panel.text_content()
    assert not ISO_DATE.search(shown), ISO_DATE.findall(shown)
    assert "match" in panel.inner_text() and "relevance" not in panel.inner_text()
    titles = page.eval_on_selector_all("#qa-chat [title], #qa-sources [title]", "els => els.map(e => e.title)")
    assert not any(re.search(r"\d\.\d|relevance", t) for t in titles), titles
    _shot(page, "desktop.png")

    def marked(locator):
        return locator.locator("mark").first.evaluate("m => m.textContent")

    first.locator("a.qa-cite").first.click()
    page.wait_for_function("document.querySelector('#qa-sources .qa-s-1').classList.contains('qa-flash')")
    assert "one and a half billion dollars" in marked(panel)
    assert marked(panel) == marked(first.locator(".qa-srcs"))
    assert "shown at the right" in first.locator("a.qa-srcs-link").evaluate(
        "a => a.textContent + getComputedStyle(a, '::after').content")
    second.locator("a.qa-srcs-link").click()  # the one-line "sources" puts that answer's in the panel
    page.wait_for_function(f"document.querySelector('#qa-sources mark').textContent === "
                           f"{marked(second.locator('.qa-srcs'))!r}")
    # Light theme: the highlight is readable.
    assert panel.locator("mark").first.evaluate(CONTRAST) >= 4.5
    page.close()


def test_input_is_kept_while_an_answer_streams_and_the_page_says_what_it_is_doing(app_url, browser):
    page = _open(browser, app_url)
    _record_notes(page)
    _send(page, PURL)
    page.wait_for_selector(f"{BOT}.qa-busy .qa-pending")
    assert page.locator("#qa-ask").is_disabled() and page.locator("#qa-stop").is_enabled()
    box = page.locator("#qa-question textarea")
    box.fill("And who financed the first one?")
    box.press("Enter")  # while busy: not dropped silently, not sent, not erased
    page.wait_for_function("document.querySelector('#qa-status').innerText.includes('Still answering')")
    page.wait_for_function("!document.querySelector('#qa-ask').disabled", timeout=ANSWER_MS)
    notes = page.evaluate("window.notes")
    assert any(n.startswith(("searching", "reading", "writing")) for n in notes), notes
    assert box.input_value() == "And who financed the first one?"
    assert page.locator(BOT).count() == 1
    page.close()


def test_a_pasted_page_is_not_sent_and_stays_in_the_box(app_url, browser):
    page = _open(browser, app_url)
    pasted = ("How much has PURL delivered so far? " + "The programme keeps going. " * 100).strip()
    box = page.locator("#qa-question textarea")
    box.fill(pasted)  # not cut at a length the browser enforces: the reader is told instead
    box.press("Enter")
    page.wait_for_function("document.querySelector('#qa-status').innerText.includes('too long')")
    assert "2,735 characters; at most 2,000" in page.locator("#qa-status").inner_text()
    assert box.input_value() == pasted
    assert page.locator(BOT).count() == 0
    page.close()


def test_stop_then_regenerate(app_url, browser):
    page = _open(browser, app_url)
    _send(page, PURL)
    page.locator("#qa-stop:not([disabled])").click()
    page.wait_for_selector(f"{BOT}.qa-stopped")
    page.wait_for_function("!document.querySelector('#qa-ask').disabled")
    assert page.locator(f"{BOT} .qa-srcs").count() == 0
    page.locator("#qa-regen").click()
    page.wait_for_selector(f"{BOT} .qa-srcs", timeout=ANSWER_MS, state="attached")
    assert page.locator(BOT).count() == 1 and page.locator(f"{BOT}.qa-stopped").count() == 0
    assert "billion" in page.locator(f"{BOT} .qa-text").inner_text()
    page.locator("#qa-regen").click()  # regenerating an answer replaces it
    page.wait_for_selector(f"{BOT}.qa-busy")
    page.wait_for_selector(f"{BOT} .qa-srcs", timeout=ANSWER_MS, state="attached")
    assert page.locator(BOT).count() == 1
    page.close()


def test_new_chat_and_the_trash_icon_really_clear_the_conversation(app_url, browser):
    page = _open(browser, app_url)
    _ask(page, "Who financed the second PURL package?")
    follow = _ask(page, "And the third one?")
    assert follow.locator(".qa-read-as").count() == 1  # read with the history
    page.locator("#qa-new").click()
    page.wait_for_function(f"document.querySelectorAll({BOT!r}).length === 0")
    assert "Sources of the answer appear here." in page.locator("#qa-sources").inner_text()
    alone = _ask(page, "And the third one?")
    assert alone.locator(".qa-read-as").count() == 0  # no history left to read it with
    page.locator("#qa-chat button[aria-label='Clear']").click()
    page.wait_for_function(f"document.querySelectorAll({BOT!r}).length === 0")
    page.wait_for_function("document.querySelector('#qa-sources').innerText.includes('appear here')")
    assert _ask(page, "And the third one?").locator(".qa-read-as").count() == 0
    page.close()


def _tab(page, name):
    page.get_by_role("tab", name=name).click()
    page.wait_for_selector("#qa-upload" if name == "Articles" else "#qa-question textarea")


def test_article_manager_upload_report_search_sort_delete_and_undo(app_url, browser, tmp_path):
    page = _open(browser, app_url)
    _tab(page, "Articles")
    upload = page.locator("#qa-upload")
    assert upload.is_visible() and upload.bounding_box()["y"] < 1000  # in view, not in a folded section
    label = upload.inner_text() + page.locator("#qa-types").inner_text()
    assert all(t in label for t in (".md", ".html", ".txt", ".json", ".jsonl"))
    assert page.locator("#qa-art-count").inner_text().startswith("1 article ·")  # not "1 articles"
    harbour = tmp_path / "harbour.md"
    harbour.write_text("---\ntitle: Exampleton harbour reopens\nsource: Coast Gazette\ndate: 2025-09-01\n---\n"
                       "# Exampleton harbour reopens\n\n"
                       "The harbour of Exampleton reopened on Monday after repairs that cost 12 million euros.\n")
    page.locator("#qa-upload input[type=file]").set_input_files(str(harbour))
    report = page.locator("#qa-upload-status")
    page.wait_for_function("document.querySelector('#qa-upload-status').innerText.includes('harbour.md')",
                           timeout=90_000)
    assert "added: 1 article, 1 passage (new)" in report.inner_text()
    table = page.locator("#qa-articles")
    assert "1 Sep 2025" in table.inner_text() and not ISO_DATE.search(table.inner_text())
    assert "mono" not in table.locator("td").first.evaluate("td => getComputedStyle(td).fontFamily").lower()
    _tab(page, "Chat")
    answer = _ask(page, "How much did the repairs of the Exampleton harbour cost?")
    assert "12 million" in answer.inner_text()
    # The card shows the headline once, above the passage, not again inside it.
    assert "Exampleton harbour reopens" not in answer.locator(".qa-passage").first.text_content()

    # Hostile markup in an article is shown as text, never run; the earlier file is not sent again.
    _tab(page, "Articles")
    hostile = tmp_path / "hostile.html"
    hostile.write_text("<html><head><title>Zoo news <script>alert(1)</script></title></head><body><p>The zoo of "
                       "Exampleton welcomed a zebra named Zuri <script>alert(1)</script> "
                       "<img src=x onerror=alert(2)> on Tuesday.</p></body></html>")
    page.locator("#qa-upload input[type=file]").set_input_files(str(hostile))
    page.wait_for_function("document.querySelector('#qa-upload-status').innerText.includes('hostile.html')",
                           timeout=90_000)
    assert "harbour.md" not in report.inner_text()
    _tab(page, "Chat")
    answer = _ask(page, "What was the zebra at the Exampleton zoo named?")
    assert "Zuri" in answer.inner_text()
    _tab(page, "Articles")
    page.wait_for_function("document.querySelector('#qa-articles').innerText.includes('Zoo news')")
    page.wait_for_timeout(500)
    assert page.dialogs == []
    _shot(page, "articles.png")

    # Sort by date and by outlet, then find the harbour article.
    def sort(by):
        page.locator("#qa-art-sort input").click()
        page.get_by_role("option", name=by).click()

    sort("oldest first")
    page.wait_for_function("(t => t.indexOf('Dragone') < t.indexOf('Exampleton harbour'))"
                           "(document.querySelector('#qa-articles').innerText)")  # 23 Aug 2025 before 1 Sep 2025
    sort("outlet A–Z")
    page.wait_for_function("(t => t.indexOf('Exampleton harbour') < t.indexOf('Dragone'))"
                           "(document.querySelector('#qa-articles').innerText)")  # Coast Gazette, Interfax-Ukraine
    page.locator("#qa-art-search textarea, #qa-art-search input").first.fill("harbour")
    page.wait_for_function("document.querySelector('#qa-art-count').innerText.startsWith('1 of 3 articles')")

    # Delete asks first; Cancel keeps the article.
    table.get_by_test_id("cell-0-0").click()  # the only row left
    page.locator("#qa-delete").click()
    confirm = page.locator("#qa-confirm")
    confirm.wait_for()
    assert "Exampleton harbour reopens" in page.locator("#qa-chosen").inner_text()
    assert "1 passage?" in page.locator("#qa-chosen").inner_text()
    page.locator("#qa-keep").click()
    confirm.wait_for(state="hidden")
    assert "harbour" in table.inner_text()
    page.locator("#qa-delete").click()
    page.locator("#qa-really").click()
    page.wait_for_function("document.querySelector('#qa-manager-status').innerText.includes('Deleted')")
    assert "harbour" not in table.inner_text()
    assert report.inner_text().strip() == ""  # the upload report of a deleted article is gone with it
    _tab(page, "Chat")
    after = _ask(page, "How much did the repairs of the Exampleton harbour cost?")
    assert "qa-refused" in after.get_attribute("class")
    assert "12 million" not in after.locator(".qa-text").inner_text()

    # Undo brings it back, for the table and for questions.
    _tab(page, "Articles")
    page.locator("#qa-undo").click()
    page.wait_for_function("document.querySelector('#qa-manager-status').innerText.includes('Restored')")
    page.wait_for_function("document.querySelector('#qa-articles').innerText.includes('Exampleton harbour')")
    assert page.locator("#qa-undo").is_hidden()
    _tab(page, "Chat")
    again = _ask(page, "How much did the repairs of the Exampleton harbour cost?")
    assert "12 million" in again.locator(".qa-text").inner_text()
    page.close()


def test_a_refusal_says_what_it_looked_for_and_folds_the_closest_passages(app_url, browser):
    page = _open(browser, app_url)
    refusal = _ask(page, "Who won the 2024 Tour de France?")
    assert "qa-refused" in refusal.get_attribute("class")
    looked = refusal.locator(".qa-looked").inner_text()
    assert looked.startswith("Looked for “Who won the 2024 Tour de France?” in ") and " article" in looked
    folded = refusal.locator("details.qa-closest")
    assert folded.count() == 1 and not folded.evaluate("d => d.open")
    assert refusal.locator(".qa-near").first.is_hidden()  # folded away until asked for
    folded.locator("summary").first.click()
    lines = refusal.locator(".qa-near > summary")
    assert 1 <= lines.count() <= 3
    height = float(lines.first.evaluate("s => parseFloat(getComputedStyle(s).lineHeight)"))
    for i in range(lines.count()):  # one line each
        assert lines.nth(i).bounding_box()["height"] < 1.6 * height
    assert "weak match" not in refusal.inner_text()
    # The side panel says there is nothing to cite, instead of filling up with passages that do not answer.
    panel = page.locator("#qa-sources")
    assert "No sources" in panel.text_content() and "weak match" not in panel.text_content()
    assert panel.locator(".qa-passage").count() == 0
    lines.first.click()  # a line opens to its passage
    assert refusal.locator(".qa-near .qa-passage").first.is_visible()
    page.close()


def test_phone_width(app_url, browser):
    page = _open(browser, app_url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    assert not page.locator("#qa-sources").is_visible()  # sources open in place instead
    assert not page.locator("#qa-chats details").evaluate("d => d.open")  # past chats folded above the chat
    answer = _ask(page, PURL)
    assert answer.locator("a.qa-srcs-link").is_hidden() and answer.locator(".qa-srcs").is_visible()
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "phone-top.png")
    composer = page.locator("#qa-composer").bounding_box()
    assert composer["y"] + composer["height"] <= 844 and composer["y"] > 844 / 2  # at the bottom, in view
    answer.locator("a.qa-cite").first.click()
    source = answer.locator(".qa-src.qa-s-1")
    page.wait_for_function("document.querySelector('#qa-a1-s1').open")
    assert source.locator("mark").is_visible() and "one and a half billion" in source.locator("mark").inner_text()
    box = source.locator("mark").bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= 844  # in place, on screen: nothing to jump back from
    _shot(page, "phone.png")
    page.close()


def test_dark_mode_is_readable(app_url, browser):
    page = _open(browser, app_url, color_scheme="dark")
    assert "dark" in page.evaluate("document.body.className")
    answer = _ask(page, PURL)
    # Answers at full strength (Gradio dims a bot message to 80% in dark mode).
    assert answer.locator(".qa-text").evaluate(OPACITY) == 1
    assert page.locator("#qa-sources mark").first.evaluate(CONTRAST) >= 4.5
    assert answer.locator("a.qa-cite").first.evaluate(CONTRAST) >= 4.5
    assert answer.locator(".qa-text").evaluate(CONTRAST) >= 7
    assert page.locator("#qa-sources .qa-card").first.evaluate(CONTRAST) >= 4.5
    answer.locator("a.qa-cite").first.click()
    flashed = page.locator("#qa-sources .qa-flash").first
    outline = flashed.evaluate("e => getComputedStyle(e).outlineColor")
    assert outline not in ("rgba(0, 0, 0, 0)", "rgb(0, 0, 0)")  # the flash is visible on a dark page
    _shot(page, "dark.png")
    # Narrow, the sources open in place under the answer: readable there too.
    page.set_viewport_size({"width": 390, "height": 844})
    answer.locator(".qa-src summary").first.click()
    assert answer.locator("mark").first.is_visible() and answer.locator("mark").first.evaluate(CONTRAST) >= 4.5
    page.close()


def test_two_readers_at_once_see_the_queue_and_get_their_own_answers(app_url, browser):
    a, b = _open(browser, app_url), _open(browser, app_url)
    _record_notes(b)
    _send(a, PURL)
    a.wait_for_function(f"/searching|reading|writing/.test(document.querySelector({BOT!r} + ' .qa-pending')"
                        "?.innerText || '')", polling=50)
    _send(b, "Who financed the third PURL package?")
    for page in (a, b):
        page.wait_for_selector(f"{BOT} .qa-srcs", timeout=ANSWER_MS, state="attached")
        assert page.locator(BOT).count() == 1
    notes = b.evaluate("window.notes")
    assert any("1 question from another reader ahead of yours" in n for n in notes), notes
    assert "billion" in a.locator(f"{BOT} .qa-text").inner_text()
    assert "Germany" in b.locator(f"{BOT} .qa-text").inner_text()
    a.close()
    b.close()


def _last_bot(page):
    return page.locator(BOT).nth(page.locator(BOT).count() - 1)


def test_a_failure_in_answering_becomes_a_message_and_the_page_recovers(app_url, browser):
    """Two injected faults (tests/web_app.py): one in the page's answer callable, inside Gradio's event (where
    Gradio's matplotlib error struck), one in the answer stream, in the worker thread. Each ends as a message
    in the chat with the controls back; then a real question is answered."""
    page = _open(browser, app_url)
    box = page.locator("#qa-question textarea")
    for i, fault in enumerate(("FAIL IN PAGE: how much has PURL delivered?",
                               "FAIL IN STREAM: how much has PURL delivered?"), 1):
        _send(page, fault)
        page.wait_for_function(f"document.querySelectorAll({BOT!r} + '.qa-failed').length === {i}",
                               timeout=ANSWER_MS)
        page.wait_for_function("!document.querySelector('#qa-ask').disabled")
        failed = _last_bot(page).inner_text()
        assert failed.startswith("Something went wrong: ") and failed.strip().endswith("Ask again."), failed
        assert page.locator("#qa-stop").is_disabled() and page.locator("#qa-regen").is_enabled()
        assert page.locator("#qa-chat .qa-q").last.inner_text() == fault  # the conversation is still there
        assert not page.get_by_text("Error", exact=True).first.is_visible()  # no red badge over the chat
    assert "the answer stream broke" in _last_bot(page).inner_text()
    assert page.locator(f"{BOT}.qa-failed").count() == 2
    box.fill("")
    answer = _ask(page, PURL)
    assert "billion" in answer.locator(".qa-text").inner_text()
    page.close()


def test_a_reload_keeps_the_conversation_and_the_view_follows_a_new_question(app_url, browser):
    page = _open(browser, app_url, viewport={"width": 1400, "height": 560})
    _ask(page, PURL)
    _ask(page, "Who financed the second PURL package?")
    chats = page.locator("#qa-chats .qa-chat-item")
    page.wait_for_function("document.querySelector('#qa-chats').innerText.includes('2 questions')")

    # A reload brings the conversation back, follow-ups included, and lists it among past chats.
    page.reload()
    page.wait_for_function(f"document.querySelectorAll({DONE!r}).length === 2")
    assert chats.count() == 1 and PURL in chats.first.inner_text()
    assert "qa-here" in chats.first.get_attribute("class")
    assert "Denmark" in page.locator(BOT).nth(1).inner_text()

    # The reader scrolls up to an older answer's citation; the next question, its progress and its answer
    # are brought into view all the same.
    log = page.locator(LOG)
    assert log.evaluate("l => l.scrollHeight > l.clientHeight + 40"), "the conversation should overflow its box"
    log.evaluate("l => { l.scrollTop = 0; }")
    page.locator(BOT).first.locator("a.qa-cite").first.click()
    page.wait_for_function("document.querySelector('#qa-sources mark') !== null")
    _send(page, "And the third one?")
    page.wait_for_function("document.querySelectorAll('#qa-chat .qa-q').length === 3")
    question = page.locator("#qa-chat .qa-q").nth(2)
    page.wait_for_function(f"({IN_VIEW})(document.querySelectorAll('#qa-chat .qa-q')[2])")
    page.wait_for_selector(f"{BOT}.qa-busy .qa-pending")
    page.wait_for_function(f"({IN_VIEW})(document.querySelector('#qa-chat .qa-pending'))")
    page.wait_for_function(f"document.querySelectorAll({DONE!r}).length === 3", timeout=ANSWER_MS)
    third = page.locator(BOT).nth(2)
    assert "Germany" in third.locator(".qa-text").inner_text()
    assert "third" in third.locator(".qa-read-as").inner_text()  # read with the restored history
    assert question.evaluate(IN_VIEW) and third.locator(".qa-text").evaluate(IN_VIEW)

    # Scrolled up again, a question that is stopped shows "Stopped" in view.
    log.evaluate("l => { l.scrollTop = 0; }")
    page.locator(BOT).first.locator("a.qa-cite").first.click()
    _send(page, PURL)
    page.locator("#qa-stop:not([disabled])").click()
    page.wait_for_selector(f"{BOT}.qa-stopped")
    page.wait_for_function(f"({IN_VIEW})(document.querySelector('#qa-chat .qa-stopped .qa-text'))")
    page.wait_for_function("!document.querySelector('#qa-ask').disabled")

    # A new chat leaves the old one in the list; it reopens with its four answers, and can be deleted.
    page.locator("#qa-new").click()
    page.wait_for_function(f"document.querySelectorAll({BOT!r}).length === 0")
    page.wait_for_function("document.querySelectorAll('#qa-chats .qa-chat-item.qa-here').length === 0")
    assert chats.count() == 1
    chats.first.locator(".qa-chat-open").click()
    page.wait_for_function(f"document.querySelectorAll({BOT!r}).length === 4")
    assert page.locator(f"{BOT}.qa-stopped").count() == 1, page.locator(BOT).evaluate_all(
        "ts => ts.map(t => t.className + ': ' + t.innerText.slice(0, 80))")
    page.wait_for_function("document.querySelector('#qa-sources').innerText.includes('Interfax-Ukraine')")
    chats.first.locator(".qa-chat-del").click()
    page.wait_for_function("document.querySelectorAll('#qa-chats .qa-chat-item').length === 0")
    page.wait_for_function(f"document.querySelectorAll({BOT!r}).length === 0")  # it was the one on screen
    page.reload()
    page.wait_for_selector("#qa-question textarea")
    page.wait_for_timeout(1500)
    assert page.locator(BOT).count() == 0 and chats.count() == 0
    page.close()


def _answer_text(chat):
    content = chat[-1]["content"]
    content = content if isinstance(content, str) else " ".join(p.get("text", "") for p in content)
    return content.split("<div class='qa-srcs'>")[0]  # the answer, not its sources


def test_two_concurrent_api_conversations_keep_their_histories_apart(app_url):
    from gradio_client import Client

    dialogues = {
        "a": ["How many PURL packages are there?", "Who financed the second one?"],
        "b": ["Who financed the third PURL package?", "And the first one?"],
    }
    results: dict[str, list] = {}

    def talk(name):
        client = Client(app_url, verbose=False)
        chat = []
        for q in dialogues[name]:
            chat, _sources = client.predict(q, chat, None, "", "", api_name="/ask")
        results[name] = chat

    threads = [threading.Thread(target=talk, args=(n,)) for n in dialogues]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    # Each follow-up was read with its own conversation, and answered from it.
    a_read, b_read = (_answer_text(results[n]).partition("Read as:")[2] for n in "ab")
    assert "second" in a_read and "third" not in a_read and "first" not in a_read
    assert "first" in b_read and "second" not in b_read and "How many" not in b_read
    assert "Denmark" in _answer_text(results["a"]) and "Netherlands" in _answer_text(results["b"])
    assert len(results["a"]) == len(results["b"]) == 4


def test_upload_of_an_archive_reports_each_file_and_answers_from_page_2_of_the_pdf(app_url, browser, tmp_path):
    from . import archive_files as files

    folder = files.archive(tmp_path / "archive")
    page = _open(browser, app_url)
    _tab(page, "Articles")
    label = page.locator("#qa-upload").inner_text() + page.locator("#qa-types").inner_text()
    assert all(t in label for t in (".pdf", ".docx", ".rss", ".atom", "PDF", "Word"))
    page.locator("#qa-upload input[type=file]").set_input_files(sorted(str(p) for p in folder.iterdir()))
    page.wait_for_function("(t => ['bridge.pdf', 'sensors.docx', 'gazette.rss', 'post.atom', 'notes.jsonl', "
                           "'photo.png'].every(n => t.includes(n)))(document.querySelector('#qa-upload-status')"
                           ".innerText)", timeout=180_000)
    rows = {r.locator("td").first.inner_text(): r.locator("td").nth(1).inner_text()
            for r in page.locator("#qa-upload-status tr").all() if r.locator("td").count()}
    assert rows["bridge.pdf"].startswith("added: 1 article")
    assert rows["sensors.docx"].startswith("added: 1 article")
    assert rows["post.atom"].startswith("added: 1 article")
    assert rows["notes.jsonl"].startswith("added: 4 articles")
    assert f"line {files.JSONL_BAD_LINE}: JSON record has no 'text' or 'body'" in rows["notes.jsonl"]
    assert rows["gazette.rss"].startswith("added: 3 articles") and "entry 2: summary only" in rows["gazette.rss"]
    assert "entry 4: the entry has no content or summary" in rows["gazette.rss"]
    # A type it does not read is answered with the formats it does.
    assert rows["photo.png"].startswith("failed: .png is not an accepted type (accepted: ")
    assert "PDF" in rows["photo.png"] and ".docx" in rows["photo.png"]

    _tab(page, "Chat")
    answer = _ask(page, files.QUESTION)
    assert "212" in answer.locator(".qa-text").inner_text()
    chips = [c.inner_text() for c in answer.locator(".qa-srcs summary").all()]
    assert any(files.PDF_OUTLET in c and "p. 2" in c for c in chips), chips
    page.close()
