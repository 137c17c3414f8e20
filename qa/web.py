"""The chat web page (Gradio): streamed answers, clickable citations, source cards with the
supporting sentence highlighted, uploads, the article list and filters.

Built from a pipeline that is created once at start-up; each browser session keeps its own history
in ``gr.State``, and Gradio's queue serves several users at once.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from .articles import SUFFIXES
from .pipeline import Pipeline
from .records import Answer, Citation, Hit
from .retrieve import Filters

EXAMPLES = ["How much has PURL delivered so far?", "Who financed the second PURL package?",
            "What does Dragone say about sending peacekeepers to Ukraine?"]
UPLOAD_TYPES = sorted(SUFFIXES)

CSS = """
.qa-sources { max-height: 640px; overflow-y: auto; }
.qa-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 12px; margin-bottom: 10px; }
.qa-card:target, .qa-card.qa-flash { outline: 3px solid #f0b400; }
.qa-card h4 { margin: 0 0 4px 0; font-size: 15px; }
.qa-meta { color: #57606a; font-size: 13px; margin-bottom: 6px; }
.qa-passage { font-size: 14px; line-height: 1.45; white-space: pre-wrap; }
.qa-passage mark { background: #fff3b0; padding: 0 2px; }
.qa-cite { text-decoration: none; font-weight: 600; }
"""

# Clicking [n] in an answer brings its card into view (the chat is not a page anchor target).
JS = """
() => {
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest('a[href^="#qa-src-"]');
    if (!a) return;
    ev.preventDefault();
    const card = document.getElementById(a.getAttribute('href').slice(1));
    if (card) {
      card.scrollIntoView({behavior: 'smooth', block: 'center'});
      card.classList.add('qa-flash');
      setTimeout(() => card.classList.remove('qa-flash'), 2000);
    }
  }, true);
}
"""


def _date(published: str | None) -> str:
    return published[:10] if published else "undated"


def answer_markdown(answer: Answer) -> str:
    """The answer as chat Markdown: article text escaped, each [n] a link to its source card."""
    text = html.escape(answer.text, quote=False)
    text = re.sub(r"([\\`*_{}\[\]()#+!|~>-])", r"\\\1", text)  # article text is never markup
    text = re.sub(r"\\\[(\d+)\\\]", lambda m: f'<a class="qa-cite" href="#qa-src-{m.group(1)}">[{m.group(1)}]</a>',
                  text)
    if answer.error:
        text = f"⚠️ {html.escape(answer.error, quote=False)}\n\n{text}"
    return text


def _highlighted(c: Citation) -> str:
    """The cited passage with the supporting sentence marked."""
    text = c.passage_text or c.quote
    a, b = c.start - c.passage_start, c.end - c.passage_start
    if not (0 <= a <= b <= len(text)) or text[a:b] != c.quote:
        return f"<mark>{html.escape(c.quote)}</mark>"
    return f"{html.escape(text[:a])}<mark>{html.escape(text[a:b])}</mark>{html.escape(text[b:])}"


def _link(url: str | None) -> str:
    if not url or not re.match(r"https?://", url):
        return ""  # no javascript: or data: links from article metadata
    return f' · <a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">original</a>'


def sources_html(answer: Answer | None) -> str:
    if answer is None:
        return "<div class='qa-sources'><p>Sources of the answer appear here.</p></div>"
    cards = []
    for c in answer.citations:
        cards.append(
            f"<div class='qa-card' id='qa-src-{c.n}'><h4>[{c.n}] {html.escape(c.title)}</h4>"
            f"<div class='qa-meta'>{html.escape(c.source or 'unknown outlet')} · {_date(c.published)}"
            f" · relevance {c.score:.2f}{_link(c.url)}</div>"
            f"<div class='qa-passage'>{_highlighted(c)}</div></div>")
    if answer.refused or not answer.citations:
        for i, h in enumerate(answer.hits[:3], 1):
            cards.append(_hit_card(h, i))
        if cards:
            cards.insert(0, "<p><b>Closest passages</b> (they do not answer the question):</p>")
    return "<div class='qa-sources'>" + ("".join(cards) or "<p>No sources.</p>") + "</div>"


def _hit_card(h: Hit, i: int) -> str:
    rel = f" · relevance {h.dense:.2f}" if h.dense is not None else ""
    return (f"<div class='qa-card' id='qa-near-{i}'><h4>{html.escape(h.article.title)}</h4>"
            f"<div class='qa-meta'>{html.escape(h.article.source or 'unknown outlet')} · "
            f"{_date(h.article.published)}{rel}{_link(h.article.url)}</div>"
            f"<div class='qa-passage'>{html.escape(h.passage.text)}</div></div>")


def safe_upload_name(name: str) -> str:
    """A file name that cannot leave the uploads folder or hide itself."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" .") or "upload"
    return base[:120]


class WebApp:
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.uploads = pipeline.settings.data_dir / "uploads"

    # ------------------------------------------------------------------ handlers
    def respond(self, message: str, chat: list[dict[str, Any]], history: list[list[str]], outlets: list[str] | None,
                after: str, before: str) -> Iterator[tuple]:
        message = (message or "").strip()
        chat = list(chat or [])
        history = list(history or [])
        if not message:
            yield chat, gr.update(), history, ""
            return
        try:
            filters = self._filters(outlets, after, before)
        except ValueError as err:
            chat += [{"role": "user", "content": html.escape(message)},
                     {"role": "assistant", "content": f"⚠️ {html.escape(str(err))}"}]
            yield chat, gr.update(), history, ""
            return
        chat += [{"role": "user", "content": html.escape(message)}, {"role": "assistant", "content": "…"}]
        yield chat, sources_html(None), history, ""
        streamed = ""
        for item in self.pipeline.answerer.stream(message, [tuple(t) for t in history], filters):
            if isinstance(item, str):
                streamed += item
                chat[-1] = {"role": "assistant", "content": html.escape(streamed) + " …"}
                yield chat, gr.update(), history, ""
            elif isinstance(item, Answer):
                chat[-1] = {"role": "assistant", "content": answer_markdown(item)}
                history.append([message, item.text])
                yield chat, sources_html(item), history[-self.pipeline.settings.history_turns:], ""

    @staticmethod
    def _filters(outlets: list[str] | None, after: str, before: str) -> Filters:
        from datetime import date

        for label, value in (("From", after), ("To", before)):
            if value and value.strip():
                try:
                    date.fromisoformat(value.strip())
                except ValueError:
                    raise ValueError(f"{label} date must look like 2025-08-23, not {value.strip()!r}") from None
        return Filters(sources=tuple(outlets or ()), after=(after or "").strip() or None,
                       before=(before or "").strip() or None)

    def upload(self, files: list[Any] | None, progress: gr.Progress = gr.Progress()) -> tuple:
        if not files:
            return "No files.", self.article_rows(), gr.update()
        self.uploads.mkdir(parents=True, exist_ok=True)
        rows = []
        saved = []
        limit = self.pipeline.settings.max_file_mb * 1024 * 1024
        for f in progress.tqdm(files, desc="Reading"):
            src = Path(f if isinstance(f, str) else f.name)
            name = safe_upload_name(getattr(f, "orig_name", None) or src.name)
            if Path(name).suffix.lower() not in SUFFIXES:
                rows.append(f"| {html.escape(name)} | failed: unsupported file type |")
                continue
            if src.stat().st_size > limit:
                rows.append(f"| {html.escape(name)} | failed: file too large |")
                continue
            dest = self.uploads / name
            shutil.copyfile(src, dest)
            saved.append(dest)
        if saved:
            progress(0.5, desc="Embedding")
            report = self.pipeline.ingestor.ingest(saved)
            failed = {r["path"]: r["error"] for r in report.failed}
            for dest in saved:
                status = report.files.get(str(dest), "unchanged")
                if str(dest) in failed:
                    status = f"failed: {failed[str(dest)]}"
                rows.append(f"| {html.escape(dest.name)} | {html.escape(status)} |")
                if str(dest) in failed:
                    dest.unlink(missing_ok=True)
        table = "| file | result |\n|---|---|\n" + "\n".join(rows)
        return table, self.article_rows(), gr.update(choices=self.pipeline.store.sources())

    def article_rows(self) -> list[list[Any]]:
        return [[a["title"], a["source"] or "", _date(a["published"]), a["passages"]]
                for a in self.pipeline.store.catalog.articles()]

    # ------------------------------------------------------------------ page
    def build(self) -> gr.Blocks:
        with gr.Blocks(title="Article QA") as demo:
            gr.Markdown("## Ask the articles\nEvery fact in an answer links to the sentence it comes from. "
                        "When the articles don't say, the answer says so.")
            history = gr.State([])
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(height=480, label="Chat", elem_id="qa-chat", sanitize_html=True,
                                         render_markdown=True)
                    with gr.Row():
                        box = gr.Textbox(placeholder="Ask about the articles…", show_label=False, scale=5,
                                         elem_id="qa-question", max_length=1000)
                        ask = gr.Button("Ask", variant="primary", scale=1, elem_id="qa-ask")
                    new = gr.Button("New chat", elem_id="qa-new", size="sm")
                    gr.Examples(EXAMPLES, inputs=box)
                with gr.Column(scale=2):
                    sources = gr.HTML(sources_html(None), elem_id="qa-sources")
            with gr.Accordion("Filter the question", open=False):
                with gr.Row():
                    outlets = gr.Dropdown(self.pipeline.store.sources(), multiselect=True, label="Outlets",
                                          elem_id="qa-outlets")
                    after = gr.Textbox(label="From (YYYY-MM-DD)", elem_id="qa-after")
                    before = gr.Textbox(label="To (YYYY-MM-DD)", elem_id="qa-before")
            with gr.Accordion("Articles", open=False):
                files = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, label="Add articles",
                                elem_id="qa-upload")
                upload_status = gr.Markdown(elem_id="qa-upload-status")
                table = gr.Dataframe(self.article_rows(), headers=["title", "outlet", "date", "passages"],
                                     interactive=False, elem_id="qa-articles")
            inputs = [box, chatbot, history, outlets, after, before]
            outputs = [chatbot, sources, history, box]
            box.submit(self.respond, inputs, outputs, api_name="ask")
            ask.click(self.respond, inputs, outputs, api_name=False)
            new.click(lambda: ([], sources_html(None), [], ""), None, outputs, api_name="new_chat")
            files.upload(self.upload, [files], [upload_status, table, outlets], api_name="upload")
            demo.load(lambda: self.article_rows(), None, table, api_name=False)
        return demo


def auth_from_env() -> tuple[str, str] | None:
    """``QA_AUTH=user:password``, or ``QA_AUTH_FILE`` naming a file holding that line."""
    raw = os.environ.get("QA_AUTH")
    if not raw and os.environ.get("QA_AUTH_FILE"):
        raw = Path(os.environ["QA_AUTH_FILE"]).read_text().strip()
    if not raw:
        return None
    user, sep, password = raw.partition(":")
    if not sep or not user or not password:
        raise SystemExit("QA_AUTH must look like user:password")
    return user, password


def launch(pipeline: Pipeline, host: str | None = None, port: int | None = None, **kwargs: Any) -> Any:
    demo = WebApp(pipeline).build()
    demo.queue(default_concurrency_limit=1)
    return demo.launch(server_name=host or pipeline.settings.web_host, server_port=port or pipeline.settings.web_port,
                       auth=auth_from_env(), max_file_size=f"{int(pipeline.settings.max_file_mb)}mb",
                       css=CSS, js=JS, **kwargs)
