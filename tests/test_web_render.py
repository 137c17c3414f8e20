"""The page's HTML: article text is escaped, [n] links to the same answer's source n, relevance is in
words, dates are "23 Aug 2025", refusals say what they looked for and fold their closest passages, the
article list searches and sorts."""

from qa.records import Answer, Article, Citation, Hit, Passage
from qa.web import render

HOSTILE = "Zoo <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))"


def _answer() -> Answer:
    text = "The zoo said: “<b>Zuri</b>” [1] and [7]."
    quote = "The zebra <i>Zuri</i> arrived."
    passage = f"Before. {quote} After <script>x</script>."
    cite = Citation(n=1, article_id="a", title=HOSTILE, source="Coast <Gazette>", published="2025-09-01T10:00:00",
                    url="javascript:alert(4)", quote=quote, start=108, end=108 + len(quote), score=0.81,
                    passage_text=passage, passage_start=100)
    return Answer(question="q", text=text, refused=False, citations=[cite], standalone_question="q")


def test_an_answer_is_one_line_of_escaped_html_linking_its_own_sources():
    html = render.turn(_answer(), 3, "Who is <Zuri>?", good=0.5, partial=0.3)
    assert "\n" not in html  # a blank line would hand the rest to the Markdown renderer
    assert "<script>" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    assert "href='javascript" not in html and "](javascript" not in html.split("</div>")[0]  # no such link
    assert "<a class='qa-cite' href='#qa-a3-s1'>[1]</a>" in html  # source 1 of answer 3
    assert "[7]." in html and "#qa-a3-s7" not in html  # no source 7: no dead link
    assert "id='qa-a3-s1'" in html
    assert "Coast &lt;Gazette&gt;</span> · <time datetime='2025-09-01'>1 Sep 2025</time>" in html
    assert "<mark class='qa-hl'>The zebra &lt;i&gt;Zuri&lt;/i&gt; arrived.</mark>" in html
    assert "strong match" in html and "0.81" not in html and "title=" not in html  # words, no score anywhere
    assert "1 source: Coast &lt;Gazette&gt;</a>" in html  # the one line that puts them in the side panel


def test_panel_copy_has_no_ids_and_opens_its_sources():
    panel = render.panel(_answer(), "Who?", good=0.5, partial=0.3)
    assert " id=" not in panel and "<details class='qa-src qa-s-1' open>" in panel
    assert render.PLACEHOLDER in render.panel(None, "", 0.5, 0.3)


def _refusal() -> Answer:
    art = Article(id="b", title="Harbour <closed>", text="The harbour closed.", source="Gazette",
                  published="2025-09-02")
    hits = [Hit(passage=Passage(f"b:{i}", "b", i, 0, 19, "The harbour closed. " * (i + 1)), article=art, rank=i,
                fused=0.1, dense=0.21) for i in range(4)]
    return Answer(question="q", text="The articles don't say.", refused=True, hits=hits,
                  standalone_question="Who closed the harbour?")


def test_a_refusal_says_what_it_looked_for_and_folds_its_closest_passages():
    html = render.turn(_refusal(), 1, "Who closed it?", good=0.5, partial=0.3,
                       looked_for="Looked for “Who closed the harbour?” in 3 articles.")
    assert "<div class='qa-looked'>Looked for “Who closed the harbour?” in 3 articles.</div>" in html
    assert "<details class='qa-closest'><summary>3 closest passages" in html  # folded, at most three
    assert html.count("<details class='qa-near'") == 3 and "id='qa-a1-c1'" in html
    assert "Harbour &lt;closed&gt;" in html and "2 Sep 2025" in html
    assert "match" not in html  # no "weak match" on passages that do not answer
    panel = render.panel(_refusal(), "q", 0.5, 0.3)
    assert "No sources" in panel and "qa-passage" not in panel


def test_a_closest_passage_is_one_line_that_opens_to_the_whole_passage():
    hit = _refusal().hits[0]
    long = "The harbour closed after a storm. " * 12
    hit.passage = Passage("b:9", "b", 9, 0, len(long), long)
    line = render._passage_line(hit, 1, 2)
    summary = line.split("</summary>")[0]
    assert summary.endswith("…</span>") and len(summary.split("qa-snip'>")[1]) <= render.LINE_CHARS + 10
    assert long.strip() in line.split("</summary>")[1]


def test_dates_are_written_one_way_for_people():
    assert render.date("2025-08-23T17:15:00") == "23 Aug 2025" and render.date("2025-09-01") == "1 Sep 2025"
    assert render.date(None) == "undated" and render.date("not a date") == "undated"


def test_plurals_and_markdown_safe_text():
    assert [render.plural(n, "article") for n in (0, 1, 2, 1204)] == ["0 articles", "1 article", "2 articles",
                                                                       "1,204 articles"]
    assert render.md("*Zoo* <b>[x](javascript:y)</b>") == r"\*Zoo\* &lt;b&gt;\[x\]\(javascript:y\)&lt;/b&gt;"


def test_a_card_does_not_repeat_the_headline_above_it():
    assert render.without_headline("# Harbour reopens\n\nThe harbour reopened.", "Harbour reopens") == 17
    assert render.without_headline("Harbour reopens!\nThe harbour.", "Harbour reopens") == 16
    assert render.without_headline("The harbour reopened.", "Harbour reopens") == 0


def test_a_question_round_trips_through_its_message():
    assert render.user_text(render.user("Who is <Zuri> & “why”?")) == "Who is <Zuri> & “why”?"
    assert render.user_text("<div class='qa-turn'>x</div>") == ""


def test_relevance_words_follow_the_answerer_thresholds():
    words = [render.relevance(s, good=0.5, partial=0.3) for s in (0.9, 0.6, 0.35, 0.1, None)]
    assert "strong match" in words[0] and "good match" in words[1] and "partial match" in words[2]
    assert "weak match" in words[3] and "keyword match" in words[4]


def test_article_list_searches_and_sorts():
    arts = [{"id": str(i), "title": t, "source": s, "published": p, "passages": 1}
            for i, (t, s, p) in enumerate([("b harbour", "Gazette", "2025-09-01"), ("a zoo", "Times", "2025-08-01"),
                                           ("c undated", None, None)])]
    assert [a["id"] for a in render.article_rows(arts, "", "newest first")] == ["0", "1", "2"]
    assert [a["id"] for a in render.article_rows(arts, "", "oldest first")] == ["1", "0", "2"]
    assert [a["id"] for a in render.article_rows(arts, "", "title A–Z")] == ["1", "0", "2"]
    assert [a["id"] for a in render.article_rows(arts, "", "outlet A–Z")] == ["0", "1", "2"]
    assert [a["id"] for a in render.article_rows(arts, "GAZ", "newest first")] == ["0"]
    assert render.table(arts[2:]) == [["c undated", "", "undated", 1]]
    assert render.table(arts[:1]) == [["b harbour", "Gazette", "1 Sep 2025", 1]]
