"""The page's handlers without a browser: a conversation saved for the browser's storage comes back as it
was (and junk does not), a failed answer leaves a message and usable controls, filters read dates as
people write them, and the welcome is drawn from the articles in the store."""

import json

import pytest

from qa.answer import Answerer
from qa.ingest.ingest import Ingestor
from qa.pipeline import Pipeline
from qa.records import Answer
from qa.retrieve import Retriever
from qa.web import render
from qa.web.chat import filters, in_scope, looked_for
from qa.web.page import SKIP, WebApp
from qa.web.welcome import example_questions, placeholder, summary


class Request:
    session_hash = "s1"


@pytest.fixture
def app(settings, store):
    retriever = Retriever(store)  # no model is loaded: these handlers never answer
    return WebApp(Pipeline(settings, store, retriever, Ingestor(store), Answerer(settings, retriever, lambda: None)))


def test_a_saved_conversation_comes_back_as_it_was(app):
    chat = [{"role": "user", "content": render.user("Who financed the second <PURL> package?")},
            {"role": "assistant", "content": [{"type": "text", "text": "<div class='qa-turn'>Denmark [1]</div>"}]},
            {"role": "user", "content": render.user("And the third?")},
            {"role": "assistant", "content": render.pending("reading…")}]
    history = [["Who financed the second <PURL> package?", "Denmark [1]"]]
    chat_id, saved = app.record(chat, history, "And the third?", "")
    record = json.loads(saved)
    assert chat_id == record["id"] and record["title"] == "Who financed the second <PURL> package?"
    assert app.record(chat, history, "And the third?", chat_id)[0] == chat_id  # the same conversation
    out = app.restore(saved, Request())
    restored, _panel, hist, last, _pending, rid = out[:6]
    assert [m["role"] for m in restored] == ["user", "assistant", "user", "assistant"]
    assert restored[1]["content"] == "<div class='qa-turn'>Denmark [1]</div>"
    assert "qa-stopped" in restored[3]["content"]  # saved mid-answer: shown as stopped, not as waiting forever
    assert (hist, last, rid) == (history, "And the third?", chat_id)
    assert out[6] is False  # not busy: the controls are back


@pytest.mark.parametrize("junk", ["", "not json", "[]", json.dumps({"id": "../x", "messages": []}),
                                  json.dumps({"id": "abc", "messages": [{"role": "system", "content": "x"}, 5],
                                              "history": [["q"], [1, 2]], "last": 7})])
def test_junk_from_the_browser_gives_an_empty_or_cleaned_chat(app, junk):
    chat, _panel, history, last, _pending, _id, busy = app.restore(junk, Request())[:7]
    assert chat == [] and history == [] and last == "" and busy is False


def test_an_answer_event_that_failed_leaves_a_message_and_the_controls_back(app):
    chat = [{"role": "user", "content": render.user("q")}, {"role": "assistant", "content": render.pending("x")}]
    out = app.recover(chat, [], "", "", Request())
    assert "Something went wrong: the answer was interrupted. Ask again." in out[0][-1]["content"]
    assert len(out[0]) == 2 and out[2] is False and out[3]["interactive"] and not out[4]["interactive"]
    assert out[-2] and json.loads(out[-1])["messages"][-1] == out[0][-1]  # kept in the browser as it now reads


@pytest.mark.parametrize("chat", [[], [{"role": "user", "content": render.user("q")},
                                       {"role": "assistant", "content": render.STOPPED}]])
def test_a_cancelled_answer_leaves_a_new_or_stopped_chat_alone(app, chat):
    # New chat cancels the answer still ending; its failure handler must not write into (or save over)
    # the conversation that has begun, nor add a failure after a stopped answer.
    out = app.recover(chat, [], "", "abc", Request())
    assert out[0] == SKIP() and out[-1] == "" and out[2] is False and out[3]["interactive"]


def test_filters_read_dates_as_people_write_them():
    flt = filters(["Gazette"], "1 Aug 2025", "2025-08-23")
    assert (flt.sources, flt.after, flt.before) == (("Gazette",), "2025-08-01", "2025-08-23")
    with pytest.raises(ValueError, match="write it like 23 Aug 2025"):
        filters(None, "soon", "")


def test_the_welcome_and_what_a_refusal_looked_for_come_from_the_store(app, corpus):
    assert placeholder([]).startswith("**Welcome.** There are no articles yet")
    Ingestor(app.pipeline.store).ingest([corpus])
    articles = app.pipeline.store.catalog.articles()
    assert summary(articles) == "1 article from Interfax-Ukraine, published 23 Aug 2025"
    questions = example_questions(app.pipeline.store, articles)
    assert questions[0] == "What did Giuseppe Cavo Dragone say?" and 1 <= len(questions) <= 3
    welcome = app.welcome()
    assert "Interfax\\-Ukraine" in welcome["placeholder"] and welcome["examples"][0] == {"text": questions[0]}
    flt = filters(["Interfax-Ukraine"], "", "20 Aug 2025")
    assert in_scope(articles, flt) == 0 and in_scope(articles, filters(None, "", "")) == 1
    refusal = Answer(question="q", text="x", refused=True, standalone_question="Who won?")
    assert looked_for(refusal, "q", 0, flt) == ("Looked for “Who won?” in 0 articles (from Interfax-Ukraine, "
                                                "published by 20 Aug 2025).")
