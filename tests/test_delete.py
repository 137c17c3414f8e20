"""Deleting an article removes its passages from the catalog, Chroma and BM25, and it stays deleted."""

from qa.ingest.ingest import Ingestor
from qa.retrieve import Retriever


def test_delete_removes_an_article_everywhere_and_it_stays_deleted(store, corpus):
    harbour = corpus / "harbour.md"
    harbour.write_text("---\ntitle: Exampleton harbour reopens\nsource: Coast Gazette\ndate: 2025-09-01\n---\n"
                       "The harbour of Exampleton reopened on Monday after repairs that cost 12 million euros.\n")
    ingestor = Ingestor(store)
    ingestor.ingest([corpus])
    (art,) = [a for a in store.catalog.articles() if a["source"] == "Coast Gazette"]
    total = store.catalog.passage_count()
    assert Retriever(store).search("Exampleton harbour repairs", k=1)[0].article.id == art["id"]

    assert ingestor.delete([art["id"]]) == [art["id"]]
    n = total - art["passages"]
    assert not store.catalog.has_article(art["id"])
    assert (store.catalog.passage_count(), store.vectors.count(), len(store.bm25())) == (n, n, n)
    for mode in ("dense", "bm25", "hybrid"):
        assert all(h.article.id != art["id"] for h in Retriever(store).search("Exampleton harbour", k=20, mode=mode))
    assert len(store.catalog.articles()) == 1  # the seed article is untouched

    # Re-ingesting the unchanged file does not bring it back; a changed file does.
    assert ingestor.ingest([corpus]).added == 0 and not store.catalog.has_article(art["id"])
    harbour.write_text(harbour.read_text() + "The ferry returns on Tuesday.\n")
    assert ingestor.ingest([corpus]).added == 1
    assert ingestor.delete(["no-such-article"]) == []


def test_a_deleted_article_can_be_restored_as_it_was(store, corpus):
    harbour = corpus / "harbour.md"
    harbour.write_text("---\ntitle: Exampleton harbour reopens\nsource: Coast Gazette\ndate: 2025-09-01\n---\n"
                       "The harbour of Exampleton reopened on Monday after repairs that cost 12 million euros.\n")
    ingestor = Ingestor(store)
    ingestor.ingest([corpus])
    (meta,) = [a for a in store.catalog.articles() if a["source"] == "Coast Gazette"]
    article = store.article(meta["id"])
    held = [f for f in store.catalog.files() if meta["id"] in f.article_ids]
    total = store.catalog.passage_count()

    ingestor.delete([meta["id"]])
    assert ingestor.restore(article, held).added == 1
    assert store.article(meta["id"]) == article
    assert [f for f in store.catalog.files() if meta["id"] in f.article_ids] == held
    assert (store.catalog.passage_count(), store.vectors.count(), len(store.bm25())) == (total, total, total)
    assert Retriever(store).search("Exampleton harbour repairs", k=1)[0].article.id == meta["id"]
    # Restored, the file is as it was: ingesting it again changes nothing, deleting it again works.
    assert ingestor.ingest([corpus]).added == 0
    assert ingestor.delete([meta["id"]]) == [meta["id"]]
