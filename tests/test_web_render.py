"""The page's HTML: article text is escaped, [n] links to the same answer's source n, relevance is in
words, refusals show their closest passages, the article list searches and sorts."""

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
    assert "id='qa-a3-s1'" in html and "Coast &lt;Gazette&gt;</span> · <time>2025-09-01</time>" in html
    assert "<mark class='qa-hl'>The zebra &lt;i&gt;Zuri&lt;/i&gt; arrived.</mark>" in html
    assert "strong match" in html and "0.81" not in html.split("title=")[0]


def test_panel_copy_has_no_ids_and_opens_its_sources():
    panel = render.panel(_answer(), "Who?", good=0.5, partial=0.3)
    assert " id=" not in panel and "<details class='qa-src qa-s-1' open>" in panel
    assert render.PLACEHOLDER in render.panel(None, "", 0.5, 0.3)


def test_a_refusal_lists_its_closest_passages_under_it():
    art = Article(id="b", title="Harbour <closed>", text="The harbour closed.", source="Gazette",
                  published="2025-09-02")
    hit = Hit(passage=Passage("b:0", "b", 0, 0, 19, "The harbour closed."), article=art, rank=1, fused=0.1,
              dense=0.21)
    answer = Answer(question="q", text="The articles don't say.", refused=True, hits=[hit])
    html = render.turn(answer, 1, "q", good=0.5, partial=0.3)
    assert "Closest passages (they do not answer the question)" in html
    assert "Harbour &lt;closed&gt;" in html and "weak match" in html and "id='qa-a1-sc1'" in html


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
    assert [a["id"] for a in render.article_rows(arts, "", "title A-Z")] == ["1", "0", "2"]
    assert [a["id"] for a in render.article_rows(arts, "GAZ", "newest first")] == ["0"]
    assert render.table(arts[2:]) == [["c undated", "", "undated", 1]]
