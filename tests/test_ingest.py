import json
import os
import shutil
import subprocess

import pytest

from qa.ingest.ingest import Ingestor
from qa.retrieve import Retriever

from .conftest import SEED
from .test_cli import QA, run


def _counts(store):
    return store.catalog.passage_count(), store.vectors.count(), len(store.bm25())


def test_ingest_then_unchanged_rerun_does_no_embedding(store, corpus, embedder):
    report = Ingestor(store).ingest([corpus])
    assert (report.added, report.updated, report.unchanged, report.failed) == (1, 0, 0, [])
    n = report.passages
    assert n > 3 and _counts(store) == (n, n, n)
    calls = embedder.calls
    again = Ingestor(store).ingest([corpus])
    assert (again.added, again.unchanged, again.passages) == (0, 1, 0)
    assert embedder.calls == calls  # not one text embedded
    # Touching the file (same bytes, new mtime) costs a hash, still no embedding.
    (corpus / SEED.name).touch()
    assert Ingestor(store).ingest([corpus]).unchanged == 1
    assert embedder.calls == calls


def test_changed_file_replaces_its_passages(store, corpus):
    f = corpus / SEED.name
    first = Ingestor(store).ingest([corpus])
    old_id = store.catalog.file(str(f.resolve())).article_ids[0]
    f.write_text(f.read_text() + "\n\nIn a later update, a fourth package worth EUR 700 million was announced.\n")
    report = Ingestor(store).ingest([corpus])
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert not store.catalog.has_article(old_id)
    n = store.catalog.passage_count()
    assert n >= first.passages and _counts(store) == (n, n, n)
    hits = Retriever(store).search("fourth package EUR 700 million", k=1)
    assert "fourth package" in hits[0].passage.text
    assert all(h.article.id != old_id for h in Retriever(store).search("PURL", k=20))


def test_prune_removes_passages_of_deleted_files(store, corpus, tmp_path):
    other = corpus / "other.md"
    other.write_text("# Harbour closed\n\nThe harbour of Exampleton closed for repairs on Friday.\n")
    Ingestor(store).ingest([corpus])
    assert len(store.catalog.articles()) == 2
    other.unlink()
    report = Ingestor(store).ingest([corpus], prune=True)
    assert report.removed == 1
    assert [a["title"] for a in store.catalog.articles()] == [a["title"] for a in store.catalog.articles()
                                                              if "Harbour" not in a["title"]]
    n = store.catalog.passage_count()
    assert _counts(store) == (n, n, n)
    assert not any("Exampleton" in h.passage.text for h in Retriever(store).search("harbour Exampleton", k=5))


def test_same_article_under_two_names_is_stored_once(store, corpus):
    shutil.copy(corpus / SEED.name, corpus / "copy-of-seed.txt")
    report = Ingestor(store).ingest([corpus])
    assert (report.added, report.unchanged) == (1, 1)
    assert len(store.catalog.articles()) == 1
    # Deleting one of the two names keeps the article; deleting both removes it.
    (corpus / "copy-of-seed.txt").unlink()
    assert Ingestor(store).ingest([corpus], prune=True).removed == 0
    assert len(store.catalog.articles()) == 1
    (corpus / SEED.name).unlink()
    assert Ingestor(store).ingest([corpus], prune=True).removed == 1
    assert store.catalog.passage_count() == store.vectors.count() == 0


def test_bad_files_fail_with_reasons_and_the_rest_is_ingested(store, corpus, settings):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (corpus / "latin1.txt").write_bytes("Le café est fermé.".encode("latin-1"))  # read as Windows-1252
    (corpus / "undecodable.txt").write_bytes(bytes(range(0x80, 0x100)) * 4)  # not UTF-8, no encoding fits
    big = corpus / "huge.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB (sparse), over the 25 MB limit
    (corpus / "broken.jsonl").write_text('{"title": "ok", "text": "fine"}\n{oops\n')
    report = Ingestor(store).ingest([corpus, corpus / "missing.txt"])
    reasons = {r["path"].rsplit("/", 1)[-1]: r["error"] for r in report.failed}
    assert set(reasons) == {"empty.txt", "binary.txt", "undecodable.txt", "huge.txt", "broken.jsonl", "missing.txt"}
    # broken.jsonl's bad line is listed with its number, and its good record is ingested.
    assert [r.get("line") for r in report.failed if r["path"].endswith("broken.jsonl")] == [2]
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["undecodable.txt"]
    assert "too large" in reasons["huge.txt"]
    assert "invalid JSON" in reasons["broken.jsonl"]
    assert "no such file" in reasons["missing.txt"]
    assert all("\n" not in r for r in reasons.values())
    assert report.added == 3  # the seed, latin1.txt and broken.jsonl's good record
    json.dumps(report.to_json())  # the --json output is serialisable


def test_ingest_killed_half_way_is_completed_without_duplicates(store, corpus, monkeypatch):
    for i in range(3):
        (corpus / f"extra{i}.md").write_text(f"# Story {i}\n\nStory number {i} says the bridge {i} opened.\n")
    ingestor = Ingestor(store, batch_passages=1)  # one commit per file
    real_commit = store.catalog.commit
    commits = []

    def crash_on_third(**kwargs):
        if len(commits) == 2:
            raise KeyboardInterrupt  # the process dies after writing vectors, before the catalog
        commits.append(1)
        return real_commit(**kwargs)

    monkeypatch.setattr(store.catalog, "commit", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        ingestor.ingest([corpus])
    monkeypatch.setattr(store.catalog, "commit", real_commit)
    assert store.vectors.count() > store.catalog.passage_count()  # vectors written, not recorded
    report = Ingestor(store).ingest([corpus])
    assert report.added == 2 and report.unchanged == 2
    assert len(store.catalog.articles()) == 4
    n = store.catalog.passage_count()
    assert _counts(store) == (n, n, n)  # no duplicates anywhere


def test_crash_between_catalog_and_vector_delete_is_finished_on_next_open(store, corpus, settings, embedder,
                                                                         monkeypatch):
    from qa.index.store import Store

    f = corpus / SEED.name
    Ingestor(store).ingest([corpus])
    monkeypatch.setattr(store, "finish_deletes", lambda: None)  # dies before deleting old vectors
    f.write_text(f.read_text() + "\n\nA late paragraph.\n")
    Ingestor(store).ingest([corpus])
    assert store.vectors.count() > store.catalog.passage_count()
    # Orphan vectors never reach a user: hits are resolved through the catalog.
    hits = Retriever(store).search("PURL", k=30)
    assert len({h.passage.id for h in hits}) == len(hits) == store.catalog.passage_count()
    reopened = Store(settings, embedder=embedder)
    assert reopened.vectors.count() == reopened.catalog.passage_count()
    reopened.close()


def test_a_store_is_queried_only_with_the_embedding_model_that_made_it(store, corpus, settings, embedder):
    from qa.config import ConfigError
    from qa.index.store import Store

    Ingestor(store).ingest([corpus])
    with pytest.raises(ConfigError, match="was embedded with 'all-MiniLM-L6-v2 \\(shipped\\)', not '/models/other'"):
        Store(settings.with_(embed_model="/models/other"), embedder=embedder)
    # Another backend computes the same model: allowed.
    Store(settings.with_(embed_backend="onnx"), embedder=embedder).close()


def test_another_embedding_model_is_a_one_line_error_naming_the_remedy(tmp_path, corpus):
    data = tmp_path / "data"
    assert run(["ingest", str(corpus)], data).returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env |= {"QA_DATA_DIR": str(data), "QA_EMBED_MODEL": str(tmp_path / "other-model")}
    out = subprocess.run([*QA, "search", "PURL"], capture_output=True, text=True, env=env, timeout=120)
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 2 and len(lines) == 1 and "was embedded with" in lines[0] and \
        "unset QA_EMBED_MODEL" in lines[0]


def test_the_shipped_model_named_by_its_path_is_the_shipped_model(store, corpus, settings, embedder):
    from qa.index.embed import default_model_path
    from qa.index.store import Store

    Ingestor(store).ingest([corpus])
    Store(settings.with_(embed_model=str(default_model_path())), embedder=embedder).close()


def test_the_first_model_recorded_wins(settings):
    from qa.index.catalog import Catalog

    first, second = Catalog(settings.catalog_path), Catalog(settings.catalog_path)
    assert first.meta_once("embed_model", "a") == "a"
    assert second.meta_once("embed_model", "b") == "a"  # another process opening the same new store
    first.close()
    second.close()
