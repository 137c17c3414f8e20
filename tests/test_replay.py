"""Recorded completions (``evals.replay``): a recorded request is answered from its recording, any other
goes to the model and is kept; a sample of recordings is asked again and compared."""

import json
import os

import pytest

from evals.replay import Recordings, ReplayLLM, model_id
from qa.config import load_settings
from qa.llm import Reply, complete, make_llm

MESSAGES = [{"role": "system", "content": "Answer with a few words copied from the text."},
            {"role": "user", "content": "Text: Alice won the race in Leeds on Sunday.\n\nQuestion: Who won the race?"}]
MODEL = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


@pytest.fixture(scope="module")
def settings():
    return load_settings({k: v for k, v in os.environ.items() if not k.startswith("QA_")})


class Scripted:
    """A stand-in for the model that says what it is told and counts what it is asked (the real model is
    exercised below, marked slow)."""

    name = "scripted"

    def __init__(self, text: str) -> None:
        self.text = text
        self.asked = 0

    def stream(self, messages, *, max_tokens=160, stop=()):  # noqa: ANN001, ANN201
        self.asked += 1
        yield from self.text.split(" ")[:1]
        yield from (" " + w for w in self.text.split(" ")[1:])

    def reply(self, messages, *, max_tokens=160, grammar=None, logprobs=0):  # noqa: ANN001, ANN201
        from qa.llm import Token

        self.asked += 1
        return Reply(self.text, (Token(self.text, -0.1, ((self.text, -0.1), ("unknown", -2.5))),) if logprobs else ())


def _unloadable():
    raise AssertionError("the model was loaded for a recorded request")


def test_a_request_recorded_is_not_asked_again_and_gets_the_same_text(tmp_path):
    model = Scripted("Alice won")
    first = ReplayLLM(lambda: model, Recordings(MODEL, tmp_path / "local.jsonl", tmp_path / "rec"), recheck=0)
    assert complete(first, MESSAGES, max_tokens=8) == "Alice won"
    assert (first.computed, first.reused, model.asked) == (1, 0, 1)
    assert first.recordings.save(tmp_path / "rec" / "eval.jsonl") == 1

    # A fresh clone: the committed file alone (no local cache) answers it without loading the model.
    later = ReplayLLM(_unloadable, Recordings(MODEL, tmp_path / "other.jsonl", tmp_path / "rec"), recheck=0)
    assert complete(later, MESSAGES, max_tokens=8) == "Alice won"
    assert (later.computed, later.reused) == (0, 1)

    # Another token limit, other stop strings, another method, grammar or model is another request.
    key = later.key("stream", MESSAGES, max_tokens=8, stop=[])
    assert len({key, later.key("stream", MESSAGES, max_tokens=9, stop=[]),
                later.key("stream", MESSAGES, max_tokens=8, stop=["\n"]),
                later.key("reply", MESSAGES, max_tokens=8, grammar=None, logprobs=0),
                later.key("reply", MESSAGES, max_tokens=8, grammar='root ::= "a"', logprobs=0)}) == 5
    other = ReplayLLM(_unloadable, Recordings("0" * 64, tmp_path / "x.jsonl", tmp_path / "rec"), recheck=0)
    with pytest.raises(AssertionError, match="loaded"):
        complete(other, MESSAGES, max_tokens=8)


def test_the_recording_file_is_text_sorted_by_key_with_what_was_asked(tmp_path):
    replay = ReplayLLM(lambda: Scripted("Alice"), Recordings(MODEL, tmp_path / "l.jsonl", tmp_path / "r"), recheck=0)
    for n in range(3):
        complete(replay, MESSAGES, max_tokens=8 + n)
    replay.reply(MESSAGES, max_tokens=8, logprobs=2)
    replay.recordings.save(tmp_path / "r" / "eval.jsonl")
    lines = [json.loads(line) for line in (tmp_path / "r" / "eval.jsonl").read_text().splitlines()]
    assert [r["key"] for r in lines] == sorted(r["key"] for r in lines) and len(lines) == 4
    assert all(r["asked"] == "Question: Who won the race?" and r["model"] == MODEL[:16] for r in lines)
    assert sum("tokens" in r for r in lines) == 1  # log-probabilities only where they were asked for


def test_a_reply_with_token_probabilities_is_replayed_with_them(tmp_path):
    first = ReplayLLM(lambda: Scripted("Alice"), Recordings(MODEL, tmp_path / "l.jsonl", tmp_path / "r"), recheck=0)
    asked = first.reply(MESSAGES, max_tokens=8, grammar='root ::= "Alice" | "unknown"', logprobs=2)
    later = ReplayLLM(_unloadable, Recordings(MODEL, tmp_path / "l.jsonl", tmp_path / "r"), recheck=0)
    again = later.reply(MESSAGES, max_tokens=8, grammar='root ::= "Alice" | "unknown"', logprobs=2)
    assert again == asked and round(again.tokens[0].prob("unknown"), 3) == round(2.718281828 ** -2.5, 3)


def test_a_completion_left_half_read_is_not_kept(tmp_path):
    replay = ReplayLLM(lambda: Scripted("Alice won it"), Recordings(MODEL, tmp_path / "l.jsonl", tmp_path / "r"),
                       recheck=0)
    stream = replay.stream(MESSAGES, max_tokens=8)
    next(stream)
    stream.close()  # the reader stopped reading (Stop in the page)
    assert replay.recordings.get(replay.key("stream", MESSAGES, max_tokens=8, stop=[])) is None
    complete(replay, MESSAGES, max_tokens=8)
    assert (replay.computed, replay.reused) == (1, 0)  # counted when complete


def test_a_rechecked_completion_is_asked_again_and_a_changed_one_replaced(tmp_path):
    recordings = Recordings(MODEL, tmp_path / "l.jsonl", tmp_path / "r")
    replay = ReplayLLM(lambda: Scripted("Alice"), recordings, recheck=1)
    key = replay.key("stream", MESSAGES, max_tokens=8, stop=[])
    recordings.put({"key": key, "model": MODEL[:16], "asked": "", "text": "Bob"})  # not what the model says
    assert complete(replay, MESSAGES, max_tokens=8) == "Alice"
    assert recordings.get(key)["text"] == "Alice"
    assert (replay.computed, replay.reused, replay.rechecked, replay.differed) == (1, 0, 1, [key])
    complete(replay, MESSAGES, max_tokens=8)
    assert (replay.rechecked, replay.differed) == (2, [key])  # the same text this time


def test_live_asks_the_model_everything(tmp_path):
    model = Scripted("Alice")
    replay = ReplayLLM(lambda: model, Recordings(MODEL, tmp_path / "l.jsonl", tmp_path / "r"), recheck=0)
    complete(replay, MESSAGES, max_tokens=8)
    live = ReplayLLM(lambda: model, Recordings(MODEL, tmp_path / "l.jsonl", tmp_path / "r"), recheck=0, live=True)
    complete(live, MESSAGES, max_tokens=8)
    assert (live.computed, live.reused, model.asked) == (1, 0, 2)


def test_a_line_cut_short_by_a_killed_run_is_skipped_and_the_rest_read(tmp_path):
    local = tmp_path / "l.jsonl"
    replay = ReplayLLM(lambda: Scripted("Alice"), Recordings(MODEL, local, tmp_path / "r"), recheck=0)
    complete(replay, MESSAGES, max_tokens=8)
    with local.open("a") as fh:
        fh.write('{"key": "abc", "model": "')
    again = Recordings(MODEL, local, tmp_path / "r")
    assert again.get(replay.key("stream", MESSAGES, max_tokens=8, stop=[]))["text"] == "Alice"


def test_the_model_id_is_the_published_sha256_and_servers_are_not_recorded(settings):
    assert model_id(settings) == MODEL
    assert model_id(settings.with_(llm_model="qwen2.5-0.5b")) != MODEL
    with pytest.raises(ValueError, match="embedded model only"):
        model_id(settings.with_(llm_backend="openai", llm_base_url="http://127.0.0.1:9/v1"))


@pytest.mark.slow
def test_the_real_model_replies_with_token_probabilities_and_is_replayed_the_same(settings, tmp_path):
    model = make_llm(settings)
    grammar = 'root ::= "Alice" | "Bob" | "unknown"'
    replay = ReplayLLM(lambda: model, Recordings(MODEL, tmp_path / "l.jsonl", tmp_path / "r"), recheck=0)
    reply = replay.reply(MESSAGES, max_tokens=4, grammar=grammar, logprobs=3)
    assert reply.text == "Alice" and reply.tokens and reply.tokens[0].prob("Alice") > 0.5
    assert complete(model, MESSAGES, max_tokens=8).startswith("Alice")
    later = ReplayLLM(_unloadable, Recordings(MODEL, tmp_path / "l.jsonl", tmp_path / "r"), recheck=0)
    again = later.reply(MESSAGES, max_tokens=4, grammar=grammar, logprobs=3)
    assert again.text == reply.text and len(again.tokens) == len(reply.tokens)
    assert all(abs(a.logprob - b.logprob) < 1e-3 and [t for t, _ in a.top] == [t for t, _ in b.top]
               for a, b in zip(again.tokens, reply.tokens, strict=True))  # kept to four decimals


def test_questions_that_replayed_a_completion_are_left_out_of_the_seconds():
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
