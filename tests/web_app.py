"""The page exactly as ``python app.py`` serves it (the model's completions replayed from evals/recorded/,
``evals.replay``), plus two faults a test can set off by how its question begins (the browser tests start
this instead of app.py):

- "FAIL IN STREAM": the pipeline the page is given breaks mid-answer, in the page's answer worker thread,
  after its first progress note;
- "FAIL IN PAGE": the page's answer callable raises mid-stream, inside Gradio's event, as Gradio's own
  ``MatplotlibBackendMananger`` did with an ``AttributeError``.

Neither touches the answer stage: the faults sit at the page's two boundaries (the pipeline it is handed,
the callable Gradio runs).

Each step of an answer stream is given a quarter of a second: a replayed completion arrives at once, and
the page's states while an answer is on its way (busy, a progress note, Stop, a second reader waiting)
would otherwise last too short a time for a browser to see them."""

import dataclasses
import functools
import time
from collections.abc import Iterator
from typing import Any

import qa.pipeline
from qa.records import Progress
from qa.web.page import WebApp

PACE_S = 0.25  # between two steps of an answer stream
STREAM_FAULT = "FAIL IN STREAM"
PAGE_FAULT = "FAIL IN PAGE"


class FaultyAnswerer:
    """The real answerer, paced, and broken for questions that ask it to break."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def stream(self, question: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for item in self._real.stream(question, *args, **kwargs):
            time.sleep(PACE_S)
            yield item
            if question.startswith(STREAM_FAULT) and isinstance(item, Progress):
                raise RuntimeError("the answer stream broke (a fault the test set off)")


def _build(*args: Any, **kwargs: Any) -> qa.pipeline.Pipeline:
    pipeline = _real_build(*args, **kwargs)
    return dataclasses.replace(pipeline, answerer=FaultyAnswerer(pipeline.answerer))


def _answer(original: Any) -> Any:
    @functools.wraps(original)
    def answer(self: WebApp, question: str, *args: Any, **kwargs: Any) -> Iterator[tuple[Any, ...]]:
        for out in original(self, question, *args, **kwargs):
            yield out
            if question.startswith(PAGE_FAULT):
                raise AttributeError("'MatplotlibBackendMananger' object has no attribute '_original_backend' "
                                     "(a fault the test set off)")
    return answer


_real_build = qa.pipeline.build
qa.pipeline.build = _build
WebApp.answer = _answer(WebApp.answer)  # type: ignore[method-assign]

if __name__ == "__main__":
    from evals.replay import main

    main(["app"])
