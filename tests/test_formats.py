"""The archive formats: PDF (pages, two columns, scans), Word, RSS and Atom feeds, JSON records that
fail one at a time, outlets from URLs, skipped files, and the watched folder. The files are made here
(tests/archive_files.py) and read by the real libraries; ingest tests use the real store and embedder."""

import json
import threading
import time

import pytest

from qa.index.catalog import Catalog
from qa.ingest.article import outlet_from_url
from qa.ingest.chunk import chunk, sentence_spans
from qa.ingest.ingest import Ingestor
from qa.ingest.load import LoadError, load_bytes, load_file
from qa.ingest.watch import Watcher
from qa.records import Article

from . import archive_files as files
from .test_cli import run


def _load(path):
    return load_file(path.read_bytes(), path.name, str(path))


# ----------------------------------------------------------------------------- PDF

def test_pdf_pages_are_offsets_into_one_text_and_the_answer_is_on_page_2(tmp_path):
    loaded = _load(files.two_page_pdf(tmp_path / "bridge.pdf"))
    [article] = loaded.articles
    assert loaded.failed == [] and loaded.notes == []
    assert article.title == files.PAGE_1[0]
    # The running head gives the outlet and date, and is not part of the text; nor are page numbers.
    assert (article.source, article.published) == (files.PDF_OUTLET, "2026-03-14")
    assert files.PDF_OUTLET not in article.text and "\n1\n" not in article.text
    assert len(article.pages) == 2 and article.pages[0] == 0
    page_2 = article.text[article.pages[1]:]
    assert page_2.startswith("The last cable arrived")
    # Lines are joined into the sentences the page prints, each verbatim in the one stored text.
    start = article.text.index(files.ANSWER_SENTENCE)
    assert (start, start + len(files.ANSWER_SENTENCE)) in sentence_spans(article.text)
    assert article.page_of(start) == 2 and article.page_of(0) == 1
    for paragraph in files.PAGE_1[1:]:
        assert paragraph in article.text and article.page_of(article.text.index(paragraph)) == 1
    # Passages never straddle a page, so the page a citation names holds its passage.
    passages = chunk(article, 10_000)
    assert len(passages) == 2
    assert all(article.page_of(p.start) == article.page_of(p.end - 1) for p in passages)


def test_two_columns_written_across_the_page_are_read_column_by_column(tmp_path):
    [article] = _load(files.two_column_pdf(tmp_path / "cols.pdf")).articles
    assert files.COLUMN_LEFT in article.text and files.COLUMN_RIGHT in article.text
    assert article.text.index(files.COLUMN_LEFT) < article.text.index(files.COLUMN_RIGHT)


def test_a_scanned_pdf_is_refused_for_its_missing_text_layer(tmp_path):
    with pytest.raises(LoadError, match="no text layer: OCR not supported"):
        _load(files.scanned_pdf(tmp_path / "scan.pdf"))
    # A PDF with a scanned page among pages of text is read, with a note naming that page.
    mixed = _load(files.scanned_pdf(tmp_path / "mixed.pdf", text_first=True))
    assert mixed.articles[0].text == files.PAGE_1[1][:90] and mixed.articles[0].pages == (0, 90)
    assert [n.reason for n in mixed.notes] == ["page 2: no text layer: OCR not supported"]
    with pytest.raises(LoadError, match="not a readable PDF"):
        load_file(b"%PDF-1.7 this is not a PDF", "broken.pdf")


def test_a_pdf_article_survives_the_catalog_with_its_pages(tmp_path):
    [article] = _load(files.two_page_pdf(tmp_path / "bridge.pdf")).articles
    catalog = Catalog(tmp_path / "catalog.sqlite")
    catalog.commit(articles=[(article, chunk(article, 400))])
    assert catalog.article(article.id) == article
    plain = Article(id="p", title="t", text="Plain text.")
    catalog.commit(articles=[(plain, chunk(plain, 400))])
    assert catalog.article("p").pages == () and catalog.article("p").page_of(3) is None
    catalog.close()


def test_an_older_catalog_gains_the_pages_column(tmp_path):
    import sqlite3

    db = sqlite3.connect(tmp_path / "catalog.sqlite")
    db.executescript("CREATE TABLE articles (id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT, published TEXT, "
                     "url TEXT, path TEXT, text TEXT NOT NULL, added_at REAL);"
                     "INSERT INTO articles (id, title, text) VALUES ('old', 'Old', 'Old text.');")
    db.commit()
    db.close()
    catalog = Catalog(tmp_path / "catalog.sqlite")
    assert catalog.article("old") == Article(id="old", title="Old", text="Old text.")
    catalog.close()


# ----------------------------------------------------------------------------- Word, feeds

def test_word_document_in_document_order_with_outlet_date_and_headline(tmp_path):
    [article] = _load(files.word_docx(tmp_path / "sensors.docx")).articles
    assert article.title == files.WORD_TITLE
    assert (article.source, article.published) == (files.WORD_OUTLET, files.WORD_DATE)
    text = article.text
    assert files.WORD_FACT in text
    assert text.index(files.WORD_FACT) < text.index("sensors | 310,000 euros") < text.index("Henrik Dahl")
    with pytest.raises(LoadError, match="not a Word .docx file"):
        load_file(b"hello", "notes.docx")


def test_a_docx_that_unpacks_to_hundreds_of_megabytes_is_refused_unread(tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z, z.open("word/document.xml", "w") as fh:
        for _ in range(210):
            fh.write(bytes(1_000_000))
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(LoadError, match="unpacks to 210 MB"):
        _load(bomb)


def test_rss_entries_are_articles_a_summary_says_so_and_an_empty_entry_fails_alone(tmp_path):
    loaded = _load(files.rss_feed(tmp_path / "gazette.rss"))
    assert [a.title for a in loaded.articles] == ["Ferry keeps an evening crossing",
                                                  "Market stall fees waived for the spring", "Webcam draws a crowd"]
    ferry = loaded.articles[0]
    assert ferry.source == files.RSS_OUTLET and ferry.url == "https://gazette.example/ferry"
    assert ferry.published == "2026-03-10T08:00+01:00"
    # The full text, in paragraphs, not the teaser.
    assert "Bay Lines added two evening crossings in November.\n\nDirector Ana Ribeiro" in ferry.text
    assert "teaser" not in ferry.text
    assert "waive market stall fees" in loaded.articles[1].text
    assert [(n.entry, n.reason.split(":")[0]) for n in loaded.notes] == [(2, "summary only")]
    assert [(f.entry, f.reason) for f in loaded.failed] == [(4, "the entry has no content or summary")]


def test_atom_entry_and_files_that_are_no_feed(tmp_path):
    [entry] = _load(files.atom_feed(tmp_path / "post.atom")).articles
    assert (entry.title, entry.source, entry.url) == ("Cycle lane to be two metres wide", files.ATOM_OUTLET,
                                                      "https://post.example/lane")
    assert entry.published == "2026-03-13T10:00+00:00" and "two metres wide and protected" in entry.text
    with pytest.raises(LoadError, match="not an RSS or Atom feed"):
        load_file(b"<html><body><p>hello</p></body></html>", "page.xml")
    with pytest.raises(LoadError, match="not a readable RSS or Atom feed"):
        load_file(b"<rss><channel><title>cut off", "cut.rss")
    cut = load_file(b"<rss><channel><title>T</title><item><title>One</title><description>First.</description>"
                    b"</item><item><title>Two", "cut.rss")
    assert [a.title for a in cut.articles] == ["One"] and [f.entry for f in cut.failed] == [2]
    assert cut.notes[-1].reason.startswith("the feed is not well-formed") and cut.notes[-1].entry is None


# ----------------------------------------------------------------------------- records that fail alone

def test_json_lines_bad_records_are_listed_by_line_and_the_rest_are_read(tmp_path):
    path = files.jsonl_records(tmp_path / "notes.jsonl", n=6)
    with path.open("a") as fh:
        fh.write("{not json\n")
    loaded = _load(path)
    assert [a.title for a in loaded.articles] == [f"Harbour note {i}" for i in (1, 2, 4, 5, 6)]
    assert [(f.line, f.reason) for f in loaded.failed] == [
        (files.JSONL_BAD_LINE, "JSON record has no 'text' or 'body'"),
        (7, "invalid JSON: Expecting property name enclosed in double quotes (column 2)")]
    # A file read whole (load_bytes) still refuses it, naming the line.
    with pytest.raises(LoadError, match="line 3: JSON record has no 'text' or 'body'"):
        load_bytes(path.read_bytes(), path.name)


def test_json_array_bad_records_are_listed_by_entry_and_line():
    records = [{"title": "A", "text": "Alpha.", "url": "https://apnews.com/a", "source": "AP News"},
               {"title": "B", "text": "  "},
               "not a record",
               {"title": "C", "text": "Gamma.", "url": "https://www.apnews.com/c"},
               {"title": "D", "text": "Delta.", "url": "https://edition.cnn.com/d"}]
    loaded = load_file(json.dumps(records, indent=1).encode(), "dump.json")
    assert [(a.title, a.source) for a in loaded.articles] == [("A", "AP News"), ("C", "AP News"), ("D", "cnn.com")]
    assert [(f.entry, f.line, f.reason) for f in loaded.failed] == [
        (2, 8, "JSON record has no 'text' or 'body'"), (3, 12, "JSON record is not an object")]
    wrapped = load_file(json.dumps({"articles": records}).encode(), "wrapped.json")
    assert [(f.entry, f.line) for f in wrapped.failed] == [(2, None), (3, None)]


def test_outlet_from_url():
    assert outlet_from_url("https://www.apnews.com/article/x") == "apnews.com"
    assert outlet_from_url("https://edition.cnn.com/2023/01/01/x.html") == "cnn.com"
    assert outlet_from_url("http://M.BBC.co.uk/news") == "bbc.co.uk"
    assert outlet_from_url("reuters.com/world") == "reuters.com"
    for nothing in (None, "", "javascript:alert(1)", "/relative/path", "https://localhost/x", "http://[::1"):
        assert outlet_from_url(nothing) is None
    # An outlet given wins over the URL's host.
    [a] = load_bytes(json.dumps({"title": "T", "text": "x.", "url": "https://www.apnews.com/a",
                                 "source": "Associated Press"}).encode(), "a.json")
    assert a.source == "Associated Press"


# ----------------------------------------------------------------------------- ingest, CLI, watch

def test_ingest_of_an_archive_folder_reports_every_file(store, tmp_path):
    folder = files.archive(tmp_path / "archive")
    report = Ingestor(store).ingest([folder])
    # bridge.pdf, sensors.docx, 3 RSS entries, 1 Atom entry, 4 of 5 JSON Lines records
    assert report.added == 1 + 1 + 3 + 1 + 4
    bad = {(r["path"].rsplit("/", 1)[-1], r.get("line"), r.get("entry")): r["error"] for r in report.failed}
    assert bad == {("notes.jsonl", files.JSONL_BAD_LINE, None): "JSON record has no 'text' or 'body'",
                   ("gazette.rss", None, 4): "the entry has no content or summary"}
    assert report.skipped == [{"path": str(folder / "photo.png"), "type": ".png"}]
    assert [(n["path"].rsplit("/", 1)[-1], n["entry"]) for n in report.notes] == [("gazette.rss", 2)]
    assert {a["source"] for a in store.catalog.articles()} == {
        files.PDF_OUTLET, files.WORD_OUTLET, files.RSS_OUTLET, files.ATOM_OUTLET, "apnews.com"}
    json.dumps(report.to_json())
    # Unchanged files cost a stat the second time; the picture is still reported.
    again = Ingestor(store).ingest([folder])
    assert (again.added, again.unchanged, again.passages) == (0, 10, 0)
    assert again.skipped == report.skipped


def test_cli_ingest_json_lists_failed_records_and_skipped_files(tmp_path):
    folder = files.archive(tmp_path / "archive")
    out = run(["ingest", str(folder), "--json"], tmp_path / "data")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["added"] == 10
    assert {"path": str(folder / "notes.jsonl"), "line": files.JSONL_BAD_LINE,
            "error": "JSON record has no 'text' or 'body'"} in report["failed"]
    assert {"path": str(folder / "gazette.rss"), "entry": 4, "error": "the entry has no content or summary"} \
        in report["failed"]
    assert report["skipped"] == [{"path": str(folder / "photo.png"), "type": ".png"}]
    text = run(["ingest", str(folder / "notes.jsonl"), str(folder / "photo.png")], tmp_path / "data2")
    assert "added 4," in text.stdout
    assert f"failed: {folder / 'notes.jsonl'}, line 3: JSON record has no 'text' or 'body'" in text.stderr
    assert f"failed: {folder / 'photo.png'}: unsupported file type '.png' (supported: " in text.stderr
    search = json.loads(run(["search", "cable 212 metres nine tonnes", "--k", "1", "--json"], tmp_path / "data").stdout)
    assert search["hits"][0]["page"] == 2 and search["hits"][0]["source"] == files.PDF_OUTLET


def _until(condition, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_watched_folder_picks_up_new_changed_and_removed_files(store, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "first.md").write_text("# Harbour reopens\n\nThe harbour reopened on Monday.\n")
    changes = []
    seen = threading.Event()
    watcher = Watcher(Ingestor(store), folder, on_change=lambda c: (changes.append(c), seen.set()),
                      debounce_ms=200).start()
    try:
        # What was there before the watch began is caught up with.
        assert _until(lambda: store.catalog.article_count() == 1)
        files.two_page_pdf(folder / "bridge.pdf")
        (folder / "photo.png").write_bytes(b"\x89PNG" + bytes(16))
        (folder / ".hidden.md").write_text("# Hidden\n\nNot for the collection.\n")
        assert _until(lambda: store.catalog.article_count() == 2)
        assert _until(lambda: any(ln.startswith("skipped: ") for c in changes for ln in c.lines()))
        (folder / "first.md").write_text("# Harbour reopens\n\nThe harbour reopened on Tuesday.\n")
        assert _until(lambda: any("Tuesday" in (store.article(a["id"]).text)
                                  for a in store.catalog.articles()))
        (folder / "bridge.pdf").unlink()
        assert _until(lambda: store.catalog.article_count() == 1)
    finally:
        watcher.stop()
    lines = [ln for c in changes for ln in c.lines()]
    assert f"added: {folder / 'bridge.pdf'}" in lines
    assert f"skipped: {folder / 'photo.png'} (.png files are not read)" in lines
    assert f"updated: {folder / 'first.md'}" in lines
    assert f"removed: {folder / 'bridge.pdf'}" in lines
    assert not any(".hidden" in ln for ln in lines)
    assert store.catalog.article_count() == 1 and store.vectors.count() == store.catalog.passage_count()


@pytest.mark.slow
def test_ask_answers_from_page_2_of_a_pdf_and_cites_the_page(tmp_path):
    folder = files.archive(tmp_path / "archive")
    data = tmp_path / "data"
    assert run(["ingest", str(folder)], data).returncode == 0
    out = run(["ask", files.QUESTION, "--json", "--no-server"], data)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert "212" in answer["answer"] and not answer["refused"]
    [cite] = [c for c in answer["citations"] if "212 metres" in c["quote"]]
    assert cite["page"] == 2 and cite["source"] == files.PDF_OUTLET
    text = Catalog(data / "catalog.sqlite").article(cite["article_id"]).text
    assert text[cite["start"]:cite["end"]] == cite["quote"]
    assert all("page" not in c for c in answer["citations"] if c["article_id"] != cite["article_id"])
    human = run(["ask", files.QUESTION, "--no-server"], data)
    assert f"| {files.PDF_OUTLET} | 2026-03-14 | p. 2" in human.stdout


def test_the_page_watches_the_folder_its_settings_name(store, tmp_path):
    import os

    from qa.config import load_settings
    from qa.ingest import watch

    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    assert load_settings(env | {"QA_WATCH_DIR": str(tmp_path)}).watch_dir == tmp_path
    assert load_settings(env | {"QA_WATCH_DIR": ""}).watch_dir is None
    ingestor = Ingestor(store)
    assert watch.start(ingestor, None) is None and watch.start(ingestor, tmp_path / "missing") is None
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "note.md").write_text("# Tide\n\nThe tide gauge read four metres.\n")
    watcher = watch.start(ingestor, tmp_path / "corpus")
    try:
        assert _until(lambda: store.catalog.article_count() == 1)
    finally:
        watcher.stop()
