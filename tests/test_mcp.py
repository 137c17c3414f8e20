"""``qa mcp`` over stdio, started from the README's client configuration, driven by the ``mcp``
client library (real embedder, real embedded model)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters

from .conftest import QA_REPLAYED, SEED, readme_examples

pytestmark = pytest.mark.slow
QA = str(Path(sys.executable).with_name("qa"))


@pytest.fixture(scope="module")
def params(tmp_path_factory) -> StdioServerParameters:
    root = tmp_path_factory.mktemp("mcp")
    (root / "corpus").mkdir()
    shutil.copy(SEED, root / "corpus" / SEED.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")} | {"QA_DATA_DIR": str(root / "data")}
    subprocess.run([QA, "ingest", str(root / "corpus")], env=env, check=True, capture_output=True)
    (config,) = readme_examples("json")
    qa = json.loads(config)["mcpServers"]["qa"]
    assert qa["command"] == "qa" and set(qa["env"]) == {"QA_DATA_DIR"}
    # As written in the README, but this checkout's `qa` (its model's completions replayed) and the test's data.
    return StdioServerParameters(command=QA_REPLAYED[0], args=[*QA_REPLAYED[1:], *qa["args"]],
                                 env=env | {"QA_DATA_DIR": str(root / "data")})


async def _session(params: StdioServerParameters) -> dict:
    out: dict = {}
    async with Client(params, read_timeout_seconds=180) as client:
        out["tools"] = {t.name: t for t in (await client.list_tools()).tools}
        out["ask"] = await client.call_tool("ask_articles", {"question": "How much has PURL delivered so far?"})
        out["follow"] = await client.call_tool("ask_articles", {
            "question": "Who financed the second one?",
            "history": [["How many PURL packages are there?", "Three PURL packages. [1]"]]})
        out["refusal"] = await client.call_tool("ask_articles", {"question": "What is the capital of France?"})
        out["search"] = await client.call_tool("search_articles", {"query": "PURL delivered", "k": 2})
        out["list"] = await client.call_tool("list_articles", {})
    return out


@pytest.fixture(scope="module")
def session(params) -> dict:
    return anyio.run(_session, params)


def test_the_three_tools_are_listed_with_descriptions(session):
    assert set(session["tools"]) == {"search_articles", "ask_articles", "list_articles"}
    assert all(t.description for t in session["tools"].values())
    assert "question" in session["tools"]["ask_articles"].input_schema["properties"]


def test_ask_articles_gives_a_cited_answer_as_structured_content(session):
    result = session["ask"]
    assert not result.is_error
    answer = result.structured_content
    assert re.search(r"1\.5 billion|one and a half billion|1\.5bn", answer["answer"]) and not answer["refused"]
    c = answer["citations"][0]
    assert "one and a half billion dollars" in c["quote"] and c["source"] == "Interfax-Ukraine"
    assert SEED.read_text().count(c["quote"]) == 1 and c["end"] - c["start"] == len(c["quote"])
    assert json.loads(result.content[0].text) == answer  # the same as text, for hosts without structured content


def test_follow_up_and_refusal(session):
    follow = session["follow"].structured_content
    assert all(country in follow["answer"] for country in ("Denmark", "Finland", "Sweden"))
    refusal = session["refusal"].structured_content
    assert refusal["refused"] and refusal["citations"] == [] and refusal["answer"].startswith("The articles don't say")


def test_search_and_list_articles(session):
    hits = session["search"].structured_content["hits"]
    assert len(hits) == 2 and "one and a half billion dollars" in hits[0]["text"]
    assert {"start", "end", "source", "published", "scores"} <= set(hits[0])
    listed = session["list"].structured_content
    assert listed["count"] == 1 and listed["articles"][0]["source"] == "Interfax-Ukraine"
