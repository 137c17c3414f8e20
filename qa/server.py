"""``qa serve``: the chat page and an OpenAI-compatible API of the bot on one port (FastAPI + uvicorn).

- ``GET /v1/models``: one model, ``qa``.
- ``POST /v1/chat/completions``: the last user message is the question; earlier user/assistant
  messages are the history (follow-ups work). The reply's text is the verified, cited answer; the
  response (and, when streaming, its final chunk) carries the extra fields ``citations``
  (``Citation.to_json()``: n, article_id, title, source, published, url, quote, start, end, score; page for a PDF),
  ``refused``, ``timings_ms`` and, on a refusal, ``closest`` (the nearest passages). An optional
  ``filters`` object (``sources``, ``after``, ``before``) narrows the articles; its ``as_of`` (an ISO
  date) is "today" for the question: only articles published by then, "so far" read from it.
  Streaming sends the answer's text once it has been checked (the model's draft can lose unsupported
  sentences, so it is not streamed); progress notes arrive before it as SSE comments.
- ``GET /v1/qa/info``, ``POST /v1/qa/ask``: what ``qa ask`` uses (the ``qa ask --json`` object).
- ``/``: the chat page (``qa.web``), with its own login (``QA_AUTH``).

A bearer key (``QA_API_KEY``) is required for ``/v1`` whenever the server listens beyond loopback,
and checked on loopback too when it is set.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, Literal

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from .config import api_key, settings_id
from .pipeline import Pipeline
from .records import Answer, Progress
from .retrieve import Filters

log = logging.getLogger(__name__)
MODEL_ID = "qa"


class FilterBody(BaseModel):
    sources: list[str] = []
    after: str | None = None
    before: str | None = None
    as_of: str | None = None  # "today" for the question: only articles published by then

    def filters(self) -> Filters:
        for name, value in (("after", self.after), ("before", self.before), ("as_of", self.as_of)):
            try:
                value and datetime.fromisoformat(value)
            except ValueError:
                raise HTTPException(400, f"filters.{name}: {value!r} is not an ISO date, e.g. 2025-08-23") from None
        return Filters(sources=tuple(self.sources), after=self.after, before=self.before)

    def today(self) -> date | None:
        return date.fromisoformat(self.as_of[:10]) if self.as_of else None


class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str = ""


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[TextPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text for p in self.content if p.type == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, ... are accepted and ignored
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    filters: FilterBody = FilterBody()

    def question_and_history(self) -> tuple[str, list[tuple[str, str]]]:
        """The last user message, and the earlier (user, assistant) pairs."""
        turns = [m for m in self.messages if m.role in ("user", "assistant")]
        if not turns or turns[-1].role != "user" or not turns[-1].text().strip():
            raise HTTPException(400, "the last message must be a user message with the question")
        history: list[tuple[str, str]] = []
        pending: str | None = None
        for m in turns[:-1]:
            if m.role == "user":
                pending = m.text()
            elif pending is not None:
                history.append((pending, m.text()))
                pending = None
        return turns[-1].text(), history


class AskRequest(BaseModel):
    question: str = Field(min_length=1)
    history: list[tuple[str, str]] = []
    filters: FilterBody = FilterBody()


def _error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    """OpenAI's error shape, so SDKs raise their usual exceptions with our message."""
    return JSONResponse({"error": {"message": message, "type": kind, "param": None, "code": None}}, status)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_host(host: str) -> None:
    """Refuse to listen beyond loopback without ``QA_API_KEY``."""
    if api_key() is None and not is_loopback(host):
        raise SystemExit(f"qa serve: listening on {host} needs an API key: set QA_API_KEY")


def create_app(pipeline: Pipeline, key: str | None = None) -> FastAPI:
    """The API routes (no page). ``key``: the bearer key that ``/v1`` requires; None: none."""
    app = FastAPI(title="qa", docs_url=None, redoc_url=None, openapi_url=None)
    answerer = pipeline.answerer
    # One API answer at a time: the embedded engine would queue two requests itself (checked: two
    # threads at once each get their own right answer), but on 2 cores two answers at once take as
    # long as one after the other, and this way the first client is not slowed by the second.
    # The page serialises its own answers; a page answer and an API answer can overlap safely.
    lock = threading.Lock()

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        first = err.errors()[0] if err.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return _error(400, f"malformed request: {where + ': ' if where else ''}{first.get('msg', 'invalid body')}")

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, err: HTTPException) -> JSONResponse:
        kind = "authentication_error" if err.status_code == 401 else "invalid_request_error"
        return _error(err.status_code, str(err.detail), kind)

    def authorise(request: Request) -> None:
        if key is None:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), key.encode()):
            raise HTTPException(401, "invalid or missing API key (Authorization: Bearer $QA_API_KEY)")

    v1 = [Depends(authorise)]

    @app.get("/v1/models", dependencies=v1)
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "qa"}]}

    @app.get("/v1/qa/info", dependencies=v1)
    def info() -> dict[str, Any]:
        return {"name": "qa", "settings_id": settings_id(pipeline.settings),
                "articles": pipeline.retriever.article_count()}

    @app.post("/v1/qa/ask", dependencies=v1)
    def ask(body: AskRequest) -> dict[str, Any]:
        filters = body.filters.filters()
        with lock:
            return answerer.ask(body.question, history=body.history, filters=filters,
                                as_of=body.filters.today()).to_json()

    @app.post("/v1/chat/completions", dependencies=v1, response_model=None)
    def chat(body: ChatRequest) -> dict[str, Any] | StreamingResponse:
        question, history = body.question_and_history()
        filters = body.filters.filters()
        reply_id = f"chatcmpl-{uuid.uuid4().hex}"
        created = int(time.time())
        if not body.stream:
            with lock:
                answer = answerer.ask(question, history=history, filters=filters, as_of=body.filters.today())
            return {"id": reply_id, "object": "chat.completion", "created": created, "model": MODEL_ID,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                    **_extras(answer)}

        def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
            body = {"id": reply_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
            return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

        def events() -> Iterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            answer: Answer | None = None
            with lock:  # released when the client goes away too (the generator is closed)
                try:
                    for item in answerer.stream(question, history=history, filters=filters,
                                                   as_of=body.filters.today()):
                        if isinstance(item, Progress):
                            yield f": {item.detail}\n\n"
                        elif isinstance(item, Answer):
                            answer = item
                except Exception as err:  # the client must hear of it; the server stays up
                    log.exception("answering failed")
                    yield f"data: {json.dumps({'error': {'message': str(err), 'type': 'server_error'}})}\n\n"
                    return
            assert answer is not None
            yield chunk({"content": answer.text})
            yield chunk({}, "stop", **_extras(answer))
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return app


def _extras(answer: Answer) -> dict[str, Any]:
    """The documented extra fields: the ``qa ask --json`` object less the question and text."""
    out = answer.to_json()
    return {k: v for k, v in out.items() if k not in ("question", "answer")}


def serve(pipeline: Pipeline, host: str, port: int) -> None:
    """Serve the page and the API on ``host:port`` until interrupted."""
    import gradio as gr
    import uvicorn

    from .ingest import watch
    from .web import CSS, JS, WebApp, auth_from_env, prepare_serving

    check_host(host)
    key = api_key()
    page_auth = auth_from_env()
    pipeline.answerer.warm_up()
    app = create_app(pipeline, key)
    watch.start(pipeline.ingestor, pipeline.settings.watch_dir)
    prepare_serving()
    blocks = WebApp(pipeline).build()
    blocks.queue(default_concurrency_limit=1)
    app = gr.mount_gradio_app(app, blocks, path="/", auth=page_auth, css=CSS, js=JS,
                              max_file_size=f"{int(pipeline.settings.max_file_mb)}mb")
    print(f"qa serve: page on http://{host}:{port}/ , OpenAI-compatible API on http://{host}:{port}/v1", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
