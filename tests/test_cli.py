"""The command-line contract, through the installed ``qa`` command."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import QA_REPLAYED

QA = [str(Path(sys.executable).with_name("qa"))]


def run(args, data_dir, stdin=None):
    """The installed ``qa``; ``qa ask`` with the model's completions replayed (tests/conftest.py)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")} | {"QA_DATA_DIR": str(data_dir)}
    command = QA_REPLAYED if args[0] == "ask" else QA
    return subprocess.run(command + args, capture_output=True, text=True, env=env, input=stdin, timeout=300)


def test_ingest_and_search_json(tmp_path, corpus):
    data = tmp_path / "data"
    out = run(["ingest", str(corpus), "--json"], data)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    # The contract's keys, and "flagged": the passages that instruct an AI (none in the seed); "skipped" (files
    # of a type not read) and "notes" (articles taken with a caveat).
    assert set(report) == {"added", "updated", "unchanged", "removed", "failed", "passages", "flagged", "skipped",
                           "notes"}
    assert report["added"] == 1 and report["passages"] > 0 and report["failed"] == [] and report["flagged"] == []
    assert report["skipped"] == [] and report["notes"] == []
    assert json.loads(run(["ingest", str(corpus), "--json"], data).stdout)["unchanged"] == 1
    assert (data / "catalog.sqlite").exists()  # QA_DATA_DIR is honoured

    res = json.loads(run(["search", "PURL delivered", "--k", "2", "--json"], data).stdout)
    top = res["hits"][0]
    assert "one and a half billion dollars" in top["text"]
    assert top["source"] == "Interfax-Ukraine" and top["published"].startswith("2025-08-23T17:15")
    assert set(top["scores"]) == {"fused", "dense", "bm25"} and len(res["hits"]) == 2
    article = Path(top["path"]).read_text()
    assert top["text"] in article


def test_failed_files_are_listed_and_exit_code(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    out = run(["ingest", str(tmp_path / "empty.txt"), "--json"], tmp_path / "data")
    assert json.loads(out.stdout)["failed"] == [{"path": str(tmp_path / "empty.txt"), "error": "empty file"}]
    assert out.returncode == 1  # nothing could be ingested


@pytest.mark.parametrize("args", [["--after", "garbage"], ["--before", "2025-13-01"], ["--as-of", "soon"]])
def test_a_bad_date_is_a_one_line_usage_error(tmp_path, args):
    out = run(["search", "PURL", *args], tmp_path / "data")
    assert out.returncode == 2 and "is not an ISO date" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize(("var", "value", "says"), [
    ("QA_LLM_TIMEOUT_S", "abc", "QA_LLM_TIMEOUT_S: input should be a valid number"),
    ("QA_RECENCY", "sometimes", "QA_RECENCY: input should be 'auto', 'always' or 'off'"),
])
def test_a_bad_setting_is_one_line_naming_it(tmp_path, var, value, says):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env |= {"QA_DATA_DIR": str(tmp_path / "data"), var: value}
    for args in (["search", "PURL"], ["ask", "How much has PURL delivered?"]):
        out = subprocess.run(QA + args, capture_output=True, text=True, env=env, timeout=120)
        lines = out.stderr.strip().splitlines()
        assert out.returncode == 2 and len(lines) == 1 and lines[0].startswith(f"qa: {says}")


def test_eval_and_bench_are_registered_from_the_evals_tools(tmp_path):
    for command in ("eval", "bench"):
        out = run([command, "--help"], tmp_path / "data")
        assert out.returncode == 0 and "--json" in out.stdout


@pytest.mark.slow
def test_ask_json_batch_from_stdin(tmp_path, corpus):
    data = tmp_path / "data"
    run(["ingest", str(corpus)], data)
    questions = "How much has PURL delivered so far?\n\nWhat is the capital of France?\n"
    out = run(["ask", "--json", "-"], data, stdin=questions)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 2
    first, second = lines
    assert set(first) >= {"question", "answer", "refused", "citations", "timings_ms"}
    assert not first["refused"] and "billion" in first["answer"]
    c = first["citations"][0]
    assert set(c) == {"n", "article_id", "title", "source", "published", "url", "quote", "start", "end", "score"}
    assert set(first["timings_ms"]) >= {"retrieve", "generate", "total"}
    assert second["refused"] and second["citations"] == []
    assert "Paris" not in second["answer"]


LATER = """Example Wire
10:00 14.10.2025

PURL deliveries grow (a fictional later report, for this test)

Weapons worth 2.4 billion dollars have now been delivered to Ukraine under the PURL programme, allied officials said.
"""


@pytest.mark.slow
def test_as_of_answers_from_the_articles_of_that_date_and_the_newest_wins_without_it(tmp_path, corpus):
    (corpus / "later.txt").write_text(LATER)
    data = tmp_path / "data"
    run(["ingest", str(corpus)], data)
    question = "How much has PURL delivered so far?"
    then = json.loads(run(["ask", "--json", "--as-of", "2025-08-31", question], data).stdout)
    assert not then["refused"] and "billion" in then["answer"] and "2.4" not in then["answer"]
    assert "23 August 2025" in then["answer"]  # dated by its report
    assert {c["published"][:10] for c in then["citations"]} == {"2025-08-23"}
    now = json.loads(run(["ask", "--json", question], data).stdout)
    text = now["answer"]
    assert not now["refused"] and "2.4" in text
    older = re.search(r"1\.5|one and a half", text)
    assert older is None or text.index("2.4") < older.start()  # the newest first, the earlier beside it
    assert "14 October 2025" in now["answer"] and now["citations"][0]["published"].startswith("2025-10-14")
    before = json.loads(run(["ask", "--json", "--as-of", "2025-08-01", question], data).stdout)
    assert before["refused"]  # nothing had been published yet
    bad = run(["ask", "--as-of", "soon", question], data)
    assert bad.returncode == 2 and "ISO date" in bad.stderr
