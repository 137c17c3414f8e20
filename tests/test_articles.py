import json
import logging
import random

import pytest

from qa.ingest.chunk import chunk, sentence_spans
from qa.ingest.load import LoadError, article_id, load_bytes, parse_date

from .conftest import SEED


def test_seed_plain_text_metadata_and_boilerplate():
    [art] = load_bytes(SEED.read_bytes(), SEED.name)
    assert art.source == "Interfax-Ukraine"
    assert art.published == "2025-08-23T17:15"
    assert art.title.startswith("Dragone: Issue of security guarantees")
    assert art.title.endswith("‘in its infancy’")
    assert "3 min read" not in art.text
    assert art.text.count(art.title) == 1  # the repeated headline is dropped
    assert not any(line.strip() == "AD" for line in art.text.splitlines())
    assert "one and a half billion dollars" in art.text


def test_markdown_front_matter_and_markup():
    md = b"""---
title: Grain deal extended
source: Example Times
date: 2023-01-05
url: https://example.org/grain
---
# Grain deal extended

The **grain deal** was extended by [120 days](https://example.org/x) on Monday.
"""
    [art] = load_bytes(md, "grain.md")
    assert (art.title, art.source, art.published, art.url) == (
        "Grain deal extended", "Example Times", "2023-01-05", "https://example.org/grain")
    assert "The grain deal was extended by 120 days on Monday." in art.text


def test_html_readable_text_and_meta_tags():
    html = b"""<html><head><title>Site | Page</title>
<meta property="og:title" content="Port reopens after storm">
<meta property="og:site_name" content="Coast News">
<meta property="article:published_time" content="2024-03-02T08:30:00Z">
<link rel="canonical" href="https://coast.example/port">
<script>var tracking = "do not index me";</script><style>p{}</style></head>
<body><nav>Home | World</nav><article><h1>Port reopens after storm</h1>
<p>The port reopened on Saturday after a three-day closure.</p><p>Ships queued outside.</p></article>
<footer>Copyright</footer></body></html>"""
    [art] = load_bytes(html, "port.html")
    assert art.title == "Port reopens after storm"
    assert art.source == "Coast News"
    assert art.published == "2024-03-02T08:30+00:00"
    assert art.url == "https://coast.example/port"
    assert "three-day closure" in art.text and "Ships queued outside." in art.text
    for junk in ("do not index me", "Home | World", "Copyright"):
        assert junk not in art.text


def test_json_and_jsonl_records():
    recs = [{"title": "A", "text": "Alpha happened on Monday.", "url": "https://x/a", "source": "X",
             "published": "2023/01/02"},
            {"title": "B", "body": "Beta happened on Tuesday.", "source": "Y"}]
    arts = load_bytes(json.dumps(recs).encode(), "a.json")
    assert [a.title for a in arts] == ["A", "B"]
    assert arts[0].published == "2023-01-02" and arts[0].url == "https://x/a"
    lines = "\n".join(json.dumps(r) for r in recs).encode()
    assert [a.id for a in load_bytes(lines, "a.jsonl")] == [a.id for a in arts]


@pytest.mark.parametrize("data,name,reason", [
    (b"", "empty.txt", "empty file"),
    (b"   \n\n", "blank.txt", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "image.txt", "binary"),
    (bytes(range(0x80, 0x100)) * 4, "high-bytes.txt", "not valid UTF-8"),  # no encoding reads it as text
    (random.Random(7).randbytes(4096), "noise.txt", "binary"),
    (b"{not json", "bad.json", "invalid JSON"),
    (b'{"title": "no text"}\n', "bad.jsonl", "no 'text' or 'body'"),
    (b"hello", "notes.doc", "unsupported file type"),  # Word 97-2003; .docx is read (tests/test_formats.py)
])
def test_bad_input_has_one_line_reason(data, name, reason):
    with pytest.raises(LoadError) as err:
        load_bytes(data, name)
    assert reason in str(err.value)
    assert "\n" not in str(err.value)


def test_windows_1252_and_latin_1_files_are_read(caplog):
    cp1252 = ("Outlet\n2023-01-05\n\u201cCheaper\u201d tickets\n\n"
              "The mayor said \u201cfares fall to \u20ac2\u201d \u2013 from Monday.\n").encode("cp1252")
    with caplog.at_level(logging.WARNING, logger="qa.ingest.load"):
        [art] = load_bytes(cp1252, "fares.txt", path="news/fares.txt")
    assert (art.source, art.published, art.title) == ("Outlet", "2023-01-05", "\u201cCheaper\u201d tickets")
    assert "The mayor said \u201cfares fall to \u20ac2\u201d \u2013 from Monday." in art.text
    assert "news/fares.txt is not UTF-8; read it as cp1252" in caplog.text
    latin1 = "Caf\u00e9 au lait costs more at the caf\u00e9 on the square.".encode("latin-1")
    [art] = load_bytes(latin1, "latin1.txt")
    assert art.text == "Caf\u00e9 au lait costs more at the caf\u00e9 on the square."
    # The same article saved as UTF-8 is the same record.
    assert load_bytes(cp1252.decode("cp1252").encode("utf-8"), "fares.txt", path="news/fares.txt") == \
        load_bytes(cp1252, "fares.txt", path="news/fares.txt")


def test_content_id_ignores_whitespace_but_not_words():
    assert article_id("T", "a  b\nc") == article_id("T", "a b c")
    assert article_id("T", "a b c") != article_id("T", "a b d")


def test_dates():
    assert parse_date("17:15 23.08.2025") == "2025-08-23T17:15"
    assert parse_date("2023/01/05") == "2023-01-05"
    assert parse_date("not a date") is None
    # Forms outside the fixed list are read by dateutil when the date is whole and unambiguous.
    assert parse_date("5 Jan 2023") == "2023-01-05"
    assert parse_date("Jan. 5, 2023 10:30 AM") == "2023-01-05T10:30"
    assert parse_date("2023-01-05 10:30 UTC") == "2023-01-05T10:30+00:00"
    assert parse_date("13/05/2023") == "2023-05-13"
    for vague in ("05/01/2023", "May 2023", "2023", "Monday", "10:30", "2023-01-05 10:30 GMT+2"):
        assert parse_date(vague) is None, vague


def test_sentence_spans_keep_abbreviations_and_quotes():
    text = 'Mr. Smith paid $1.5 bn. on Monday. "We will pay," he said. The U.S. agreed! Next?'
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == ['Mr. Smith paid $1.5 bn. on Monday.', '"We will pay," he said.',
                         "The U.S. agreed!", "Next?"]


def test_passage_offsets_match_article_text():
    [art] = load_bytes(SEED.read_bytes(), SEED.name)
    passages = chunk(art, 400)
    assert len(passages) > 3
    for p in passages:
        assert art.text[p.start:p.end] == p.text
        for a, b in sentence_spans(art.text, p.start, p.end):
            assert p.start <= a < b <= p.end
    # Whole sentences only: every passage ends at the end of a sentence of the article.
    ends = {b for _, b in sentence_spans(art.text)}
    assert all(p.end in ends for p in passages)
    # Every sentence is in exactly one passage.
    covered = sorted((a, b) for p in passages for a, b in sentence_spans(art.text, p.start, p.end))
    assert covered == sentence_spans(art.text)


def test_upload_names_cannot_escape_the_uploads_folder():
    from qa.web import safe_upload_name

    assert safe_upload_name("../../etc/passwd") == "passwd"
    assert safe_upload_name("..\\..\\win.ini") == "win.ini"
    assert safe_upload_name(".hidden.txt") == "hidden.txt"
    assert safe_upload_name("a<b>|c.md") == "a_b_c.md"
    assert safe_upload_name("..") == "upload"


def test_auth_setting(monkeypatch, tmp_path):
    from qa.web import auth_from_env

    monkeypatch.delenv("QA_AUTH", raising=False)
    monkeypatch.delenv("QA_AUTH_FILE", raising=False)
    assert auth_from_env() is None
    monkeypatch.setenv("QA_AUTH", "reader:s3cret:x")
    assert auth_from_env() == ("reader", "s3cret:x")
    monkeypatch.setenv("QA_AUTH", "nopassword")
    with pytest.raises(SystemExit):
        auth_from_env()
    monkeypatch.delenv("QA_AUTH")
    (tmp_path / "auth").write_text("ed:pw\n")
    monkeypatch.setenv("QA_AUTH_FILE", str(tmp_path / "auth"))
    assert auth_from_env() == ("ed", "pw")

