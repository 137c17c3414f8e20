"""The chat page: a tab for the conversation (past chats, composer, answers with their sources, side
panel, filters) and a tab for the article manager. Each browser session keeps its follow-up history in
``gr.State``; the browser keeps each conversation in its own storage (``assets.JS``), so a reload or a
reopened past chat brings it back."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import gradio as gr

from ..answer.answerer import MAX_QUESTION_CHARS
from ..pipeline import Pipeline
from . import render, welcome
from .chat import Conversation, Step, filters, message_text
from .manager import ArticleManager

log = logging.getLogger(__name__)

BUSY_NOTE = ("Still answering the last question: yours stays in the box. Press Enter again when the answer "
             "is done, or Stop.")
SKIP = gr.skip
MAX_SAVED_MESSAGES = 400  # a restored conversation longer than this keeps its newest messages
# The page's script (``assets.JS``) may start after the first load event: that event waits for it.
WAIT_FOR_CHATS = ("async () => { for (let i = 0; i < 50 && !window.qaChats; i++) "
                  "await new Promise((r) => setTimeout(r, 100)); ")
CHATS_HTML = ("<details class='qa-chats' open><summary class='qa-chats-h'>Chats</summary>"
              "<div class='qa-chats-list'></div></details>")


def _session(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or ""


def _controls(busy: bool) -> tuple[bool, Any, Any, Any]:
    """The busy flag and the Ask, Stop and Regenerate buttons for that state."""
    return (busy, gr.update(interactive=not busy), gr.update(interactive=busy), gr.update(interactive=not busy))


def _last_user(chat: list[dict[str, Any]]) -> int | None:
    return next((i for i in range(len(chat) - 1, -1, -1) if chat[i].get("role") == "user"), None)


class WebApp:
    """``WebApp(pipeline).build()`` returns the page as ``gr.Blocks`` (launch it with CSS and JS)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.conversation = Conversation(pipeline)
        self.manager = ArticleManager(pipeline)

    # ------------------------------------------------------------------ chat handlers
    def send(self, message: str, chat: list[dict[str, Any]], busy: bool, chat_id: str) -> tuple[Any, ...]:
        """Post the question at once (the box is emptied, the buttons say busy); the answer follows. A new
        conversation gets its id here, so every record of it is kept under that one id."""
        message = (message or "").strip()
        if busy:
            return SKIP(), SKIP(), "", SKIP(), *(SKIP(),) * 4, BUSY_NOTE, SKIP()
        if not message:
            return SKIP(), SKIP(), "", SKIP(), *(SKIP(),) * 4, "Type a question first.", SKIP()
        if len(message) > MAX_QUESTION_CHARS:  # pasted text: told, and left in the box to shorten
            return SKIP(), SKIP(), "", SKIP(), *(SKIP(),) * 4, (
                f"The question is too long ({len(message):,} characters; at most {MAX_QUESTION_CHARS:,}): "
                "it stays in the box. Please ask it in fewer words."), SKIP()
        chat = [*(chat or []), {"role": "user", "content": render.user(message)},
                {"role": "assistant", "content": render.pending("sending…")}]
        return "", chat, message, message, *_controls(True), "", chat_id or uuid.uuid4().hex[:16]

    def example(self, chat: list[dict[str, Any]], busy: bool, chat_id: str, evt: gr.SelectData) -> tuple[Any, ...]:
        """An example question of the welcome, asked as if typed (the box keeps whatever was typed there)."""
        value = evt.value.get("text", "") if isinstance(evt.value, dict) else str(evt.value or "")
        out = self.send(value, chat, busy, chat_id)
        return (SKIP(), *out[1:])

    def regenerate(self, chat: list[dict[str, Any]], history: list[list[str]], last: str,
                   busy: bool) -> tuple[Any, ...]:
        """Ask the last question again in place of its answer (which leaves the follow-up history)."""
        if busy or not last:
            return SKIP(), SKIP(), "", *(SKIP(),) * 4, BUSY_NOTE if busy else "Nothing to regenerate yet."
        chat = list(chat or [])
        users = [i for i, m in enumerate(chat) if m.get("role") == "user"]
        answered = bool(users) and not any(
            any(mark in message_text(m) for mark in ("qa-stopped", "qa-busy", "qa-failed")) for m in chat[users[-1]:])
        chat = chat[:users[-1]] if users else chat
        history = list(history or [])
        if answered and history and history[-1][0] == last:
            history = history[:-1]
        chat += [{"role": "user", "content": render.user(last)},
                 {"role": "assistant", "content": render.pending("sending…")}]
        return chat, history, last, *_controls(True), ""

    def answer(self, question: str, chat: list[dict[str, Any]], history: list[list[str]],
               outlets: list[str] | None, after: str, before: str, chat_id: str,
               request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """Stream the answer to the question ``send`` posted; a no-op when ``send`` refused it. The last
        step also hands the conversation to the browser's storage (its id and record)."""
        if not question:
            yield (SKIP(),) * 10
            return
        for step in self._steps(question, chat, history, outlets, after, before, _session(request)):
            if step.done:
                history = step.history or history
                yield (step.chat, step.panel or SKIP(), history, *_controls(False), "",
                       *self.record(step.chat, history, question, chat_id))
            else:
                yield step.chat, *(SKIP(),) * 9

    def _steps(self, question: str, chat: list[dict[str, Any]], history: list[list[str]],
               outlets: list[str] | None, after: str, before: str, session: str) -> Iterator[Step]:
        """The answer's steps; whatever goes wrong ends in a message in the chat and a done step, so the
        controls come back."""
        chat = list(chat or [])
        try:
            flt = filters(outlets, after, before)
            yield from self.conversation.answer(question, chat, list(history or []), flt, session)
        except ValueError as err:  # a filter a reader mistyped
            chat[-1] = {"role": "assistant", "content": f"<div class='qa-turn'>{render.esc(str(err))}</div>"}
            yield Step(chat, None, None, done=True)
        except Exception as err:  # keep the page usable; the log has the traceback
            log.exception("answer failed")
            chat[-1] = {"role": "assistant", "content": render.failed(str(err) or type(err).__name__)}
            yield Step(chat, None, None, done=True)

    def recover(self, chat: list[dict[str, Any]], history: list[list[str]], last: str, chat_id: str,
                request: gr.Request) -> tuple[Any, ...]:
        """After an answer event failed outside the answer itself (in Gradio, say): an answer it left
        unfinished becomes a failure message, the session's answer is dropped, and the controls come back.
        A chat whose last answer is complete (or stopped, or a chat just emptied by New chat, whose
        cancelling of the answer ends here too) is left as it is, and not saved again: New chat has
        begun another conversation by then."""
        self.conversation.cancel(_session(request))
        chat = list(chat or [])
        message = {"role": "assistant", "content": render.failed("the answer was interrupted")}
        if chat and chat[-1].get("role") == "assistant" and "qa-busy" in message_text(chat[-1]):
            chat[-1] = message
        elif chat and chat[-1].get("role") == "user":
            chat.append(message)
        else:
            return SKIP(), SKIP(), *_controls(False), "", SKIP(), ""
        # The panel too is an output of the failed event: set again, it loses Gradio's error badge.
        return chat, render.panel(None, "", 0, 0), *_controls(False), "", *self.record(chat, history, last, chat_id)

    def ask_api(self, message: str, chat: list[dict[str, Any]], history: list[list[str]],
                outlets: list[str] | None, after: str, before: str, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """The ``/ask`` endpoint for gradio_client: the chat, the sources panel (and the session's history)."""
        message = (message or "").strip()
        if not message:
            yield chat or [], SKIP(), history
            return
        chat = [*(chat or []), {"role": "user", "content": render.user(message)},
                {"role": "assistant", "content": render.pending("sending…")}]
        for step in self._steps(message, chat, history, outlets, after, before, _session(request)):
            yield step.chat, step.panel or SKIP(), step.history or history

    def stop(self, chat: list[dict[str, Any]], request: gr.Request) -> tuple[Any, ...]:
        self.conversation.cancel(_session(request), stopped=True)
        chat = list(chat or [])
        if chat and chat[-1].get("role") == "assistant" and "qa-busy" in message_text(chat[-1]):
            chat[-1] = {"role": "assistant", "content": render.STOPPED}
        return chat, "", *_controls(False), ""

    def new_chat(self, request: gr.Request) -> tuple[Any, ...]:
        """Forget everything: messages, follow-up history, the last question and the sources panel (the
        browser keeps the conversation among its past chats)."""
        self.conversation.cancel(_session(request))
        return [], render.panel(None, "", 0, 0), [], "", "", "", *_controls(False), "", ""

    # ------------------------------------------------------------------ saved conversations
    def record(self, chat: list[dict[str, Any]], history: list[list[str]], last: str, chat_id: str
               ) -> tuple[str, str]:
        """The conversation as the browser stores it (JSON), and its id (new for a new conversation)."""
        chat = [m for m in chat or [] if m.get("role") in ("user", "assistant")]
        if not chat:
            return chat_id, ""
        chat_id = chat_id or uuid.uuid4().hex[:16]
        history = [[str(q), str(a)] for q, a in history or []]
        first = next((render.user_text(message_text(m)) for m in chat if m["role"] == "user"), "")
        title = first or last
        record = {"v": 1, "id": chat_id, "title": re.sub(r"\s+", " ", title or "Untitled").strip()[:200],
                  "questions": sum(1 for m in chat if m["role"] == "user"),
                  "updated": datetime.now(UTC).isoformat(timespec="seconds"),
                  "messages": [{"role": m["role"], "content": message_text(m)} for m in chat][-MAX_SAVED_MESSAGES:],
                  "history": history, "last": last or ""}
        return chat_id, json.dumps(record, ensure_ascii=False)

    def restore(self, saved: str, request: gr.Request) -> tuple[Any, ...]:
        """A conversation the browser kept (``record``'s JSON): its messages, history, last question and
        id; anything else leaves an empty chat."""
        self.conversation.cancel(_session(request))
        empty: tuple[Any, ...] = ([], render.panel(None, "", 0, 0), [], "", "", "", *_controls(False), "")
        try:
            record = json.loads(saved) if saved else None
        except ValueError:
            return empty
        if not isinstance(record, dict) or not re.fullmatch(r"[0-9a-f]{1,32}", str(record.get("id", ""))):
            return empty
        chat = [{"role": m["role"], "content": m["content"]} for m in record.get("messages") or []
                if isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str)]
        if chat and "qa-busy" in chat[-1]["content"]:  # saved mid-answer (the tab closed): shown as stopped
            chat[-1] = {"role": "assistant", "content": render.STOPPED}
        history = [[q[:MAX_QUESTION_CHARS], a[:MAX_QUESTION_CHARS]] for q, a in
                   (h for h in record.get("history") or [] if isinstance(h, list) and len(h) == 2
                    and all(isinstance(x, str) for x in h))][-self.pipeline.settings.history_turns:]
        last = record.get("last")
        last = last[:MAX_QUESTION_CHARS] if isinstance(last, str) else ""
        return (chat[-MAX_SAVED_MESSAGES:], render.panel(None, "", 0, 0), history, last,
                "", record["id"], *_controls(False), "")

    # ------------------------------------------------------------------ welcome
    def welcome(self) -> Any:
        """The empty chat's welcome line and example questions, from the articles in the store now."""
        articles = self.pipeline.store.catalog.articles()
        examples = welcome.example_questions(self.pipeline.store, articles)
        return gr.update(placeholder=welcome.placeholder(articles), examples=[{"text": q} for q in examples])

    # ------------------------------------------------------------------ page
    def build(self) -> gr.Blocks:
        demo: gr.Blocks  # Blocks.__enter__ is unannotated; it returns the Blocks itself
        articles = self.pipeline.store.catalog.articles()
        with gr.Blocks(title="Ask the articles") as demo:
            gr.HTML("<h1 class='qa-h1'>Ask the articles</h1>", elem_id="qa-head")
            history, busy, pending, last = gr.State([]), gr.State(False), gr.State(""), gr.State("")
            chat_id = gr.State("")
            saved = gr.Textbox(visible=False)  # a conversation on its way to or from the browser's storage
            with gr.Tabs(elem_id="qa-tabs"):
                with gr.Tab("Chat", id="chat", elem_id="qa-tab-chat"):
                    with gr.Row(equal_height=False):
                        with gr.Column(scale=1, min_width=190, elem_id="qa-chats-col"):
                            new = gr.Button("New chat", size="sm", elem_id="qa-new")
                            gr.HTML(CHATS_HTML, elem_id="qa-chats")
                            reopen = gr.Button("Open", elem_id="qa-reopen", elem_classes=["qa-hidden"])
                        with gr.Column(scale=4, min_width=300, elem_id="qa-main"):
                            chatbot = gr.Chatbot(height="min(64vh, 640px)", show_label=False, elem_id="qa-chat",
                                                 sanitize_html=True, render_markdown=True, latex_delimiters=[],
                                                 feedback_options=None, buttons=["copy"], autoscroll=False,
                                                 placeholder=welcome.placeholder(articles),
                                                 examples=[{"text": q} for q in
                                                           welcome.example_questions(self.pipeline.store, articles)])
                            with gr.Row(elem_id="qa-composer"):
                                box = gr.Textbox(placeholder="Ask about the articles…", show_label=False, scale=5,
                                                 elem_id="qa-question", lines=1, max_lines=4, container=False)
                                ask = gr.Button("Ask", variant="primary", scale=1, min_width=60, elem_id="qa-ask")
                                stop = gr.Button("Stop", variant="stop", scale=1, min_width=60, interactive=False,
                                                 elem_id="qa-stop")
                            with gr.Row(elem_id="qa-under"):
                                status = gr.Markdown(elem_id="qa-status")
                                regen = gr.Button("Regenerate", size="sm", interactive=False, elem_id="qa-regen",
                                                  scale=0, min_width=110)
                            with gr.Accordion("Filter the question", open=False, elem_id="qa-filters"):
                                outlets = gr.Dropdown(self.pipeline.store.sources(), multiselect=True,
                                                      label="Outlets", elem_id="qa-outlets")
                                with gr.Row():
                                    after = gr.Textbox(label="From", placeholder="e.g. 1 Aug 2025",
                                                       elem_id="qa-after")
                                    before = gr.Textbox(label="As of", placeholder="e.g. 23 Aug 2025",
                                                        elem_id="qa-before",
                                                        info="Answer as if today were this date: later articles "
                                                             "are left out")
                        with gr.Column(scale=3, min_width=300, elem_id="qa-side"):
                            sources = gr.HTML(render.panel(None, "", 0, 0), elem_id="qa-sources")
                with gr.Tab("Articles", id="articles", elem_id="qa-tab-articles"):
                    changes = self.manager.build(demo, outlets)

            private: dict[str, Any] = {"api_visibility": "private"}
            # The pending message says what is happening; Gradio's own overlay would only repeat it.
            streamed: dict[str, Any] = {"concurrency_limit": None, "show_progress": "hidden", **private}
            quick: dict[str, Any] = {"queue": False, "show_progress": "hidden", **private}
            buttons = [busy, ask, stop, regen]
            answer_in = [pending, chatbot, history, outlets, after, before, chat_id]
            answer_out = [chatbot, sources, history, *buttons, status, chat_id, saved]
            send_out = [box, chatbot, pending, last, *buttons, status, chat_id]

            save = "(s) => window.qaChats && window.qaChats.save(s)"

            def keep(event: Any, recorded: bool = True) -> None:
                """After an answer: a failure becomes a message (``recover``); either way the conversation
                goes to the browser's storage (an answer's last step made its record already)."""
                event.failure(self.recover, [chatbot, history, last, chat_id],
                              [chatbot, sources, *buttons, status, chat_id, saved], **quick).then(
                    None, [saved], None, js=save, **private)
                if recorded:
                    event.success(None, [saved], None, js=save, **private)
                else:
                    event.success(self.record, [chatbot, history, last, chat_id], [chat_id, saved], **quick).then(
                        None, [saved], None, js=save, **private)

            answers = []
            for trigger in (box.submit, ask.click):
                answers.append(trigger(self.send, [box, chatbot, busy, chat_id], send_out, queue=False,
                                       trigger_mode="multiple", **private)
                               .then(self.answer, answer_in, answer_out, **streamed))
            answers.append(chatbot.example_select(self.example, [chatbot, busy, chat_id], send_out, queue=False,
                                                  **private)
                           .then(self.answer, answer_in, answer_out, **streamed))
            answers.append(regen.click(self.regenerate, [chatbot, history, last, busy],
                                       [chatbot, history, pending, *buttons, status], queue=False, **private)
                           .then(self.answer, answer_in, answer_out, **streamed))
            for event in answers:
                keep(event)
            # Stop also empties the pending question, so an answer that has not started yet does nothing.
            # Stop cancels the session's job; its answer stream then ends by itself. (Gradio's own
            # `cancels=` here also cancelled the Regenerate that followed, which then never showed.)
            keep(stop.click(self.stop, [chatbot], [chatbot, pending, *buttons, status], queue=False, **private),
                 recorded=False)
            reset_out = [chatbot, sources, history, last, pending, chat_id, *buttons, status, saved]
            new.click(self.new_chat, None, reset_out, cancels=answers, queue=False, api_name="new_chat").then(
                None, None, None, js="() => window.qaChats && window.qaChats.start()", **private)
            chatbot.clear(self.new_chat, None, reset_out, cancels=answers, queue=False, **private).then(
                None, None, None, js="() => window.qaChats && window.qaChats.start()", **private)
            # A past chat (or, on loading the page, this tab's conversation) comes back from the browser.
            restored = [chatbot, sources, history, last, pending, chat_id, *buttons, status]
            reopen.click(None, None, [saved], js="() => window.qaChats ? window.qaChats.take() : ''",
                         cancels=answers, **private).then(
                self.restore, [saved], restored, **quick).then(
                None, None, None, js="() => window.qaChats && window.qaChats.shown()", **private)
            current = WAIT_FOR_CHATS + "return window.qaChats ? window.qaChats.current() : ''; }"
            demo.load(None, None, [saved], js=current, **private).then(
                self.restore, [saved], restored, **quick).then(
                None, None, None, js="() => window.qaChats && window.qaChats.shown()", **private)
            # Examples from the articles in the store now, not when the page was built (nor before an upload).
            demo.load(self.welcome, None, [chatbot], **quick)
            for change in changes:
                change.then(self.welcome, None, [chatbot], **quick)
            # gradio_client's endpoint: ask(message, chat, outlets, after, before) -> (chat, sources)
            api = gr.Button(visible=False)
            api.click(self.ask_api, [box, chatbot, history, outlets, after, before], [chatbot, sources, history],
                      api_name="ask", concurrency_limit=None)
        return demo
