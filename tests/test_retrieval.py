from qa.ingest.ingest import Ingestor
from qa.ingest.load import make_article
from qa.retrieve import Filters, Retriever


def _article(title, text, source, published):
    return make_article(title, f"{title}\n\n{text}", source=source, published=published, path=title)


def test_search_purl_finds_the_delivery_sentence_first(store, corpus):
    Ingestor(store).ingest([corpus])
    hits = Retriever(store).search("PURL delivered", k=3)
    top = hits[0]
    assert "one and a half billion dollars have been sent under the PURL program" in top.passage.text
    assert top.article.source == "Interfax-Ukraine"
    assert top.article.published == "2025-08-23T17:15"
    assert top.article.text[top.passage.start:top.passage.end] == top.passage.text
    assert top.rank == 1 and top.dense is not None and top.bm25 is not None and top.fused > 0
    assert [h.rank for h in hits] == [1, 2, 3]


def test_hybrid_beats_dense_only_on_an_exact_term_query(store):
    # Ten articles about ceasefire talks; only one names the code "XR-7734". An embedding model has
    # never seen the code, so dense search ranks by topic; BM25 finds the exact term.
    arts = [_article(f"Talks round {i}", f"Negotiators met again in round {i} of the ceasefire talks and "
                     "discussed prisoner exchanges and a monitoring mission.", "Wire", f"2024-01-{i + 1:02d}")
            for i in range(9)]
    arts.append(_article("Monitoring plan", "The monitoring mission will use drone model XR-7734 along the line.",
                         "Wire", "2024-01-20"))
    Ingestor(store).ingest_articles(arts, origin="test")
    retriever = Retriever(store)
    query = "ceasefire talks monitoring with XR-7734"

    def rank(mode):
        hits = retriever.search(query, k=10, mode=mode)
        return next(h.rank for h in hits if "XR-7734" in h.passage.text)

    assert rank("bm25") == 1
    assert rank("dense") > rank("hybrid")


def test_filters_by_outlet_and_date(store):
    arts = [_article("Flood in A", "A river flooded the town of Alton.", "North Post", "2023-01-05"),
            _article("Flood in B", "A river flooded the town of Belton.", "South Star", "2023-02-10"),
            _article("Flood in C", "A river flooded the town of Colton.", "North Post", None)]
    Ingestor(store).ingest_articles(arts, origin="test")
    r = Retriever(store)
    titles = lambda f: {h.article.title for h in r.search("river flooded town", k=10, filters=f)}  # noqa: E731
    assert titles(Filters()) == {"Flood in A", "Flood in B", "Flood in C"}
    assert titles(Filters(sources=("North Post",))) == {"Flood in A", "Flood in C"}
    assert titles(Filters(before="2023-01-05")) == {"Flood in A"}  # the whole day counts
    assert titles(Filters(after="2023-01-06")) == {"Flood in B"}
    assert titles(Filters(sources=("South Star",), before="2023-01-31")) == set()
    for mode in ("dense", "bm25"):
        hits = r.search("river flooded town", k=10, filters=Filters(before="2023-01-31"), mode=mode)
        assert {h.article.title for h in hits} == {"Flood in A"}


def test_bm25_index_persists_and_follows_updates(store, settings, embedder, corpus):
    from qa.index.store import Store

    Ingestor(store).ingest([corpus])
    gen = store.bm25().generation
    reopened = Store(settings, embedder=embedder)
    assert reopened.bm25().generation == gen and len(reopened.bm25()) == store.catalog.passage_count()
    Ingestor(reopened).ingest_articles([_article("Zebra news", "A zebra escaped from the zoo.", "Zoo", None)], "t")
    assert reopened.bm25().generation > gen
    assert Retriever(reopened).search("zebra", k=1, mode="bm25")[0].article.title == "Zebra news"
    reopened.close()


def test_empty_store_and_empty_query(store):
    assert Retriever(store).search("anything", k=5) == []
    assert Retriever(store).search("   ", k=5) == []
