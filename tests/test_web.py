"""The chat page end to end: the real app in a subprocess, driven by headless Chromium (Playwright)
and by gradio_client."""

import os
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
SCREENSHOT = ROOT / "docs" / "screenshot.png"


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
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, stdout=log, stderr=subprocess.STDOUT,
                            cwd=root)
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


BOT = "#qa-chat .message-row.bot-row"
PLACEHOLDER = "Sources of the answer appear here."


def _ask(page, question):
    """Ask in the page and return the final answer's chat row. Each question first resets the
    sources panel to its placeholder; the final answer replaces it."""
    rows = page.locator(BOT).count()
    box = page.locator("#qa-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(f"document.querySelector('#qa-sources').innerText.includes({PLACEHOLDER!r})",
                           timeout=30_000)
    page.wait_for_function(f"!document.querySelector('#qa-sources').innerText.includes({PLACEHOLDER!r})",
                           timeout=120_000)
    page.wait_for_function(f"document.querySelectorAll({BOT!r}).length > {rows}", timeout=10_000)
    return page.locator(BOT).last


def test_chat_page_end_to_end(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(app_url)
    page.wait_for_selector("#qa-question textarea")
    assert page.get_by_text("How much has PURL delivered so far?").count() >= 1  # an example

    answer = _ask(page, "How much has PURL delivered so far?")
    assert "billion" in answer.inner_text()
    card = page.locator("#qa-sources .qa-card").first
    assert "Interfax-Ukraine" in card.inner_text() and "2025-08-23" in card.inner_text()
    assert "one and a half billion dollars" in card.locator("mark").inner_text()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    answer.locator("a.qa-cite").first.click()
    page.wait_for_function("document.getElementById('qa-src-1').classList.contains('qa-flash')", timeout=5000)

    # Upload a new article, then ask about it.
    article = tmp_path / "harbour.md"
    article.write_text("---\ntitle: Exampleton harbour reopens\nsource: Coast Gazette\ndate: 2025-09-01\n---\n"
                       "The harbour of Exampleton reopened on Monday after repairs that cost 12 million euros.\n")
    page.get_by_text("Articles", exact=True).click()  # open the accordion
    page.locator("#qa-upload input[type=file]").set_input_files(str(article))
    page.wait_for_function("document.querySelector('#qa-upload-status').innerText.includes('added')",
                           timeout=90_000)
    answer = _ask(page, "How much did the repairs of the Exampleton harbour cost?")
    assert "12 million" in answer.inner_text()
    assert "Coast Gazette" in page.locator("#qa-sources").inner_text()

    # Hostile markup in an article is shown as text, never run.
    hostile = tmp_path / "hostile.html"
    hostile.write_text("<html><head><title>Zoo news <script>alert(1)</script></title></head><body><p>The zoo of "
                       "Exampleton welcomed a zebra named Zuri <script>alert(1)</script> "
                       "<img src=x onerror=alert(2)> on Tuesday.</p></body></html>")
    page.locator("#qa-upload input[type=file]").set_input_files(str(hostile))
    page.wait_for_function("document.querySelector('#qa-upload-status').innerText.includes('hostile.html')",
                           timeout=90_000)
    answer = _ask(page, "What was the zebra at the Exampleton zoo named?")
    page.wait_for_timeout(1000)
    assert dialogs == []
    assert "Zuri" in answer.inner_text()

    # A new chat forgets the old one.
    page.locator("#qa-new").click()
    page.wait_for_function(f"document.querySelectorAll({BOT!r}).length === 0", timeout=10_000)
    page.close()


def test_two_concurrent_conversations_keep_their_histories_apart(app_url):
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
            chat, _sources, _box = client.predict(q, chat, None, "", "", api_name="/ask")
        results[name] = chat

    threads = [threading.Thread(target=talk, args=(n,)) for n in dialogues]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    def last_text(chat):
        content = chat[-1]["content"]
        return content if isinstance(content, str) else " ".join(p.get("text", "") for p in content)

    assert "Denmark" in last_text(results["a"]) and "Netherlands" not in last_text(results["a"])
    assert "Netherlands" in last_text(results["b"]) and "Denmark" not in last_text(results["b"])
    assert len(results["a"]) == len(results["b"]) == 4
