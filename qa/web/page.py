"""The chat page: composer, conversation with sources under every answer, side panel, filters and
the article manager. Each browser session keeps its own history in ``gr.State``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import gradio as gr

from ..answer.answerer import MAX_QUESTION_CHARS
from ..pipeline import Pipeline
from . import render
from .chat import Conversation, Step, filters, message_text
from .manager import ArticleManager

log = logging.getLogger(__name__)

EXAMPLES = ["How much has PURL delivered so far?", "Who financed the second PURL package?",
            "What does Dragone say about sending peacekeepers to Ukraine?"]
BUSY_NOTE = ("Still answering the last question: yours stays in the box. Press Enter again when the answer "
             "is done, or Stop.")
SKIP = gr.skip


def _session(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or ""


def _controls(busy: bool) -> tuple[bool, Any, Any, Any]:
    """The busy flag and the Ask, Stop and Regenerate buttons for that state."""
    return (busy, gr.update(interactive=not busy), gr.update(interactive=busy), gr.update(interactive=not busy))


class WebApp:
    """``WebApp(pipeline).build()`` returns the page as ``gr.Blocks`` (launch it with CSS and JS)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.conversation = Conversation(pipeline)
        self.manager = ArticleManager(pipeline)

    # ------------------------------------------------------------------ chat handlers
    def send(self, message: str, chat: list[dict[str, Any]], busy: bool) -> tuple[Any, ...]:
        """Post the question at once (the box is emptied, the buttons say busy); the answer follows."""
        message = (message or "").strip()
        if busy:
            return SKIP(), SKIP(), "", SKIP(), *(SKIP(),) * 4, BUSY_NOTE
        if not message:
            return SKIP(), SKIP(), "", SKIP(), *(SKIP(),) * 4, "Type a question first."
        if len(message) > MAX_QUESTION_CHARS:  # pasted text: told, and left in the box to shorten
            return SKIP(), SKIP(), "", SKIP(), *(SKIP(),) * 4, (
                f"The question is too long ({len(message):,} characters; at most {MAX_QUESTION_CHARS:,}): "
                "it stays in the box. Please ask it in fewer words.")
        chat = [*(chat or []), {"role": "user", "content": render.user(message)},
                {"role": "assistant", "content": render.pending("sending…")}]
        return "", chat, message, message, *_controls(True), ""

    def regenerate(self, chat: list[dict[str, Any]], history: list[list[str]], last: str,
                   busy: bool) -> tuple[Any, ...]:
        """Ask the last question again in place of its answer (which leaves the follow-up history)."""
        if busy or not last:
            return SKIP(), SKIP(), "", *(SKIP(),) * 4, BUSY_NOTE if busy else "Nothing to regenerate yet."
        chat = list(chat or [])
        users = [i for i, m in enumerate(chat) if m.get("role") == "user"]
        answered = bool(users) and not any("qa-stopped" in message_text(m) or "qa-busy" in message_text(m)
                                           for m in chat[users[-1]:])
        chat = chat[:users[-1]] if users else chat
        history = list(history or [])
        if answered and history and history[-1][0] == last:
            history = history[:-1]
        chat += [{"role": "user", "content": render.user(last)},
                 {"role": "assistant", "content": render.pending("sending…")}]
        return chat, history, last, *_controls(True), ""

    def answer(self, question: str, chat: list[dict[str, Any]], history: list[list[str]],
               outlets: list[str] | None, after: str, before: str, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """Stream the answer to the question ``send`` posted; a no-op when ``send`` refused it."""
        if not question:
            yield (SKIP(),) * 8
            return
        for step in self._steps(question, chat, history, outlets, after, before, _session(request)):
            if step.done:
                yield step.chat, step.panel or SKIP(), step.history or history, *_controls(False), ""
            else:
                yield step.chat, *(SKIP(),) * 7

    def _steps(self, question: str, chat: list[dict[str, Any]], history: list[list[str]],
               outlets: list[str] | None, after: str, before: str, session: str) -> Iterator[Step]:
        chat = list(chat or [])
        try:
            flt = filters(outlets, after, before)
            yield from self.conversation.answer(question, chat, list(history or []), flt, session)
        except ValueError as err:  # a filter a reader mistyped
            chat[-1] = {"role": "assistant", "content": f"<div class='qa-turn'>{render.esc(str(err))}</div>"}
            yield Step(chat, None, None, done=True)
        except Exception as err:  # keep the page usable; the log has the traceback
            log.exception("answer failed")
            chat[-1] = {"role": "assistant", "content": f"<div class='qa-turn'>The answer failed: "
                                                        f"{render.esc(str(err))}</div>"}
            yield Step(chat, None, None, done=True)

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
        self.conversation.cancel(_session(request))
        chat = list(chat or [])
        if chat and chat[-1].get("role") == "assistant" and "qa-busy" in message_text(chat[-1]):
            chat[-1] = {"role": "assistant", "content": render.STOPPED}
        return chat, "", *_controls(False), ""

    def new_chat(self, request: gr.Request) -> tuple[Any, ...]:
        """Forget everything: messages, follow-up history, the last question and the sources panel."""
        self.conversation.cancel(_session(request))
        return [], render.panel(None, "", 0, 0), [], "", "", *_controls(False), ""

    # ------------------------------------------------------------------ page
    def build(self) -> gr.Blocks:
        demo: gr.Blocks  # Blocks.__enter__ is unannotated; it returns the Blocks itself
        with gr.Blocks(title="Article QA") as demo:
            gr.Markdown("## Ask the articles\nEvery fact in an answer links to the sentence it comes from. "
                        "When the articles don't say, the answer says so.", elem_id="qa-head")
            history, busy, pending, last = gr.State([]), gr.State(False), gr.State(""), gr.State("")
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=300):
                    chatbot = gr.Chatbot(height="min(62vh, 620px)", label="Chat", elem_id="qa-chat",
                                         sanitize_html=True, render_markdown=True, latex_delimiters=[],
                                         feedback_options=None, buttons=["copy"])
                    with gr.Row(elem_id="qa-composer"):
                        box = gr.Textbox(placeholder="Ask about the articles…", show_label=False, scale=5,
                                         elem_id="qa-question", lines=1, max_lines=4,
                                         container=False)
                        ask = gr.Button("Ask", variant="primary", scale=1, min_width=60, elem_id="qa-ask")
                        stop = gr.Button("Stop", variant="stop", scale=1, min_width=60, interactive=False,
                                         elem_id="qa-stop")
                    status = gr.Markdown(elem_id="qa-status")
                    with gr.Row():
                        new = gr.Button("New chat", size="sm", elem_id="qa-new")
                        regen = gr.Button("Regenerate", size="sm", interactive=False, elem_id="qa-regen")
                    gr.Examples(EXAMPLES, inputs=box)
                with gr.Column(scale=2, min_width=300, elem_id="qa-side"):
                    sources = gr.HTML(render.panel(None, "", 0, 0), elem_id="qa-sources")
            with gr.Accordion("Filter the question", open=False):
                with gr.Row():
                    outlets = gr.Dropdown(self.pipeline.store.sources(), multiselect=True, label="Outlets",
                                          elem_id="qa-outlets")
                    after = gr.Textbox(label="From (YYYY-MM-DD)", elem_id="qa-after")
                    before = gr.Textbox(label="As of (YYYY-MM-DD)", elem_id="qa-before",
                                        info="Answer as if today were this date: later articles are left out")
            with gr.Accordion("Articles", open=False, elem_id="qa-manager"):
                self.manager.build(demo, outlets)

            private: dict[str, Any] = {"api_visibility": "private"}
            # The pending message says what is happening; Gradio's own overlay would only repeat it.
            streamed: dict[str, Any] = {"concurrency_limit": None, "show_progress": "hidden", **private}
            buttons = [busy, ask, stop, regen]
            answer_in = [pending, chatbot, history, outlets, after, before]
            answer_out = [chatbot, sources, history, *buttons, status]
            answers = []
            for trigger in (box.submit, ask.click):
                answers.append(trigger(self.send, [box, chatbot, busy], [box, chatbot, pending, last, *buttons, status],
                                       queue=False, trigger_mode="multiple", **private)
                               .then(self.answer, answer_in, answer_out, **streamed))
            answers.append(regen.click(self.regenerate, [chatbot, history, last, busy],
                                       [chatbot, history, pending, *buttons, status], queue=False, **private)
                           .then(self.answer, answer_in, answer_out, **streamed))
            # Stop also empties the pending question, so an answer that has not started yet does nothing.
            # Stop cancels the session's job; its answer stream then ends by itself. (Gradio's own
            # `cancels=` here also cancelled the Regenerate that followed, which then never showed.)
            stop.click(self.stop, [chatbot], [chatbot, pending, *buttons, status], queue=False,
                       **private)
            reset_out = [chatbot, sources, history, last, pending, *buttons, status]
            new.click(self.new_chat, None, reset_out, cancels=answers, queue=False, api_name="new_chat")
            chatbot.clear(self.new_chat, None, reset_out, cancels=answers, queue=False, **private)
            # gradio_client's endpoint: ask(message, chat, outlets, after, before) -> (chat, sources)
            api = gr.Button(visible=False)
            api.click(self.ask_api, [box, chatbot, history, outlets, after, before], [chatbot, sources, history],
                      api_name="ask", concurrency_limit=None)
        return demo
