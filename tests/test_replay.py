"""``qa eval --reuse``: a model request answered in an earlier run is answered from the kept completion;
any other request goes to the model (``evals.replay``)."""

import os

import pytest

from evals.replay import Completions, ReplayLLM, identity
from qa.answer import reader
from qa.config import load_settings
from qa.llm import complete, make_llm

pytestmark = pytest.mark.slow

MESSAGES = reader.extract_messages("Who won the race?", ["Alice won the race in Leeds on Sunday."])


@pytest.fixture(scope="module")
def settings():
    return load_settings({k: v for k, v in os.environ.items() if not k.startswith("QA_")})


def _unloadable():
    raise AssertionError("the model was loaded for a request answered before")


def test_a_request_answered_before_is_not_asked_again_and_gets_the_same_text(settings, tmp_path):
    model = make_llm(settings)
    first = ReplayLLM(lambda: model, Completions(tmp_path / "c.sqlite"), identity(settings))
    text = complete(first, MESSAGES, max_tokens=8)
    assert "Alice" in text and (first.computed, first.reused) == (1, 0)
    assert text == complete(model, MESSAGES, max_tokens=8)  # what the model itself says

    # A later run (another process: a new connection to the same file) never loads the model for it.
    later = ReplayLLM(_unloadable, Completions(tmp_path / "c.sqlite"), identity(settings))
    assert complete(later, MESSAGES, max_tokens=8) == text
    assert (later.computed, later.reused) == (0, 1)

    # Another token limit, other stop strings, another prompt or another model is another request.
    for changed in ({"max_tokens": 9}, {"max_tokens": 8, "stop": ["\n"]}):
        assert later.key(MESSAGES, **{"stop": (), **changed}) != later.key(MESSAGES, 8, ())
    other = reader.extract_messages("Who won the race?", ["Bob won the race in York on Monday."])
    assert later.key(other, 8, ()) != later.key(MESSAGES, 8, ())
    elsewhere = ReplayLLM(_unloadable, Completions(tmp_path / "c.sqlite"), identity(settings) + ":other")
    with pytest.raises(AssertionError, match="loaded"):
        complete(elsewhere, MESSAGES, max_tokens=8)


def test_a_completion_left_half_read_is_not_kept(settings, tmp_path):
    model = make_llm(settings)
    replay = ReplayLLM(lambda: model, Completions(tmp_path / "c.sqlite"), identity(settings))
    stream = replay.stream(MESSAGES, max_tokens=8)
    next(stream)
    stream.close()  # the reader stopped reading (Stop in the page)
    assert replay.completions.get(replay.key(MESSAGES, 8, ())) is None
    complete(replay, MESSAGES, max_tokens=8)
    assert (replay.computed, replay.reused) == (1, 0)  # counted when complete


def test_identity_names_the_model_file_the_engine_and_the_code_that_calls_it(settings):
    ident = identity(settings)
    assert ident.startswith("embedded:") and ".gguf:" in ident and "xllamacpp" in ident
    assert identity(settings.with_(llm_model="qwen2.5-0.5b")) != ident
    assert identity(settings.with_(llm_ctx=2048)) != ident
    # A server may change its model unseen: its completions are not kept.
    with pytest.raises(ValueError, match="embedded model only"):
        identity(settings.with_(llm_backend="openai", llm_base_url="http://127.0.0.1:9/v1"))


def test_questions_that_reused_a_completion_are_left_out_of_the_seconds():
    from datetime import date

    from evals.evaluate import Case, Outcome, metrics
    from qa.records import Answer

    def outcome(seconds, reused):
        answer = Answer(question="q", text="t", refused=True, mode="refused")
        return Outcome(Case(id="x", category="answerable", question="q", as_of=date(2026, 1, 1)), answer, seconds,
                       reused=reused)

    m = metrics([outcome(10.0, False), outcome(0.1, True), outcome(0.2, True), outcome(12.0, False),
                 outcome(14.0, False)])
    assert (m["questions"], m["reused"], m["median_s"]) == (5, 2, 12.0)


def test_a_rechecked_completion_is_asked_again_and_a_changed_one_replaced(settings, tmp_path):
    model = make_llm(settings)
    replay = ReplayLLM(lambda: model, Completions(tmp_path / "c.sqlite"), identity(settings), recheck=1)
    key = replay.key(MESSAGES, 8, ())
    replay.completions.put(key, "Bob")  # not what the model says
    text = complete(replay, MESSAGES, max_tokens=8)
    assert "Alice" in text and replay.completions.get(key) == text
    assert (replay.computed, replay.reused, replay.rechecked, replay.differed) == (1, 0, 1, [key])
    complete(replay, MESSAGES, max_tokens=8)
    assert (replay.rechecked, replay.differed) == (2, [key])  # the same text this time


def test_a_damaged_completions_file_is_kept_aside_and_a_new_one_begun(tmp_path):
    path = tmp_path / "completions.sqlite"
    path.write_bytes(b"not a database " * 100)
    kept = Completions(path)
    kept.put("k", "text")
    assert kept.get("k") == "text"
    kept.close()
    assert (tmp_path / "completions.sqlite.damaged").read_bytes() == b"not a database " * 100
    again = Completions(path)  # the new file is read back as it was written
    assert again.get("k") == "text"
    again.close()


def test_a_completions_file_that_cannot_be_opened_is_not_moved_aside(tmp_path):
    import sqlite3

    path = tmp_path / "completions.sqlite"
    path.mkdir()  # cannot be opened as a database file: an error, not damage
    with pytest.raises(sqlite3.OperationalError):
        Completions(path)
    assert path.is_dir() and not (tmp_path / "completions.sqlite.damaged").exists()
