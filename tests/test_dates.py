"""Time in questions, relative dates in articles, and answers dated by their reports."""

from datetime import date
from types import SimpleNamespace

import pytest

from qa.answer.evidence import Evidence
from qa.answer.facts import quantities
from qa.answer.verify import citation, dated, mentions_date, with_reports
from qa.dates import TimeFrame, named_periods, resolve_relative, spoken_date, time_frame
from qa.records import Answer, Article, Hit, Passage
from qa.retrieve import Filters, within

TODAY = date(2026, 11, 28)  # a Saturday


@pytest.mark.parametrize("question,frame", [
    ("How much has PURL delivered so far?", TimeFrame(latest=True)),
    ("What is the latest estimate?", TimeFrame(latest=True)),
    ("How much aid did NATO send in 2024?", TimeFrame()),  # when it happened, reported any time after
    ("How much had the fund raised by the end of August 2025?", TimeFrame(before=date(2025, 8, 31), latest=True)),
    ("How large was the fire by 5 July 2026?", TimeFrame(before=date(2026, 7, 5), latest=True)),
    ("What was the estimate as of March 2026?", TimeFrame(before=date(2026, 3, 31), latest=True)),
    ("What did the council decide last week?", TimeFrame(after=date(2026, 11, 16), latest=True)),
    ("Who won this year's prize?", TimeFrame(after=date(2026, 1, 1), latest=True)),
    ("How many days before the interview was the list created?", TimeFrame()),
    ("Which company did USA TODAY's report name?", TimeFrame()),  # an outlet's name, not "today"
    ("What did the minister say today?", TimeFrame(after=TODAY, latest=True)),
    ("TODAY: who won?", TimeFrame(after=TODAY, latest=True)),
])
def test_time_in_the_question(question, frame):
    assert time_frame(question, TODAY) == frame


def test_a_time_named_without_a_bound_puts_its_reports_first():
    frame = time_frame("How many patients were on the list back in February 2026?", TODAY)
    assert frame.during == (date(2026, 2, 1), date(2026, 2, 28)) and frame.before is None
    # Reports of that month, and of the two weeks after it, first; then by how far they are from it.
    assert frame.distance("2026-02-12") == frame.distance("2026-03-10") == 0
    assert 0 < frame.distance("2026-01-20") < frame.distance("2026-04-15") < frame.distance("2026-07-03")
    # The latest time named: a shirt worn in June 1986 and sold in May 2022 is news of May 2022.
    assert time_frame("How much did the shirt worn in June 1986 sell for in May 2022?", TODAY).during == (
        date(2022, 5, 1), date(2022, 5, 31))
    # A year's figures are reported after it ends: no preference.
    assert time_frame("How much aid did NATO give Ukraine in 2024?", TODAY).during is None
    # ... and does not hide a month named beside it.
    assert time_frame("How much was pledged in July 2023 for 2024?", TODAY).during == (
        date(2023, 7, 1), date(2023, 7, 31))
    # "so far in 2025" asks for the newest; a question without a time has no preference.
    assert time_frame("How much has been sent so far in 2025?", TODAY).during is None
    assert time_frame("Who won?", TODAY).distance("2026-02-12") == 0


def test_the_second_read_is_asked_without_the_month_the_articles_were_published_in():
    from qa.dates import without_period

    assert without_period("How many patients were on the list back in February 2026?") == \
        "How many patients were on the list?"
    assert without_period("How much did the shirt sell for in May 2022 at auction?") == \
        "How much did the shirt sell for at auction?"
    assert without_period("How much did the shirt sell for in 2022?") == "How much did the shirt sell for in 2022?"
    assert without_period("Who won the 2023 election?") == "Who won the 2023 election?"  # a name's part
    assert without_period("At what time on December 31, 2022 did he die?") == \
        "At what time on December 31, 2022 did he die?"  # a day: articles write it
    assert without_period("How much had it raised by the end of August 2025?") == \
        "How much had it raised by the end of August 2025?"  # a bound, searched without (TimeFrame)


def test_dates_months_and_years_named_in_a_question():
    assert named_periods("What time on December 31, 2022 did he die, and was it reported in January 2023?") == [
        ("December 31, 2022", date(2022, 12, 31), date(2022, 12, 31)),
        ("January 2023", date(2023, 1, 1), date(2023, 1, 31)),
    ]
    assert named_periods("Who won the 2023 election?") == [("2023", date(2023, 1, 1), date(2023, 12, 31))]
    assert named_periods("How many of the 2,023 runners finished in May?") == []
    year_2023 = ("2023", date(2023, 1, 1), date(2023, 12, 31))
    assert named_periods("About 2000 people were evacuated in 2023.") == [year_2023]


@pytest.mark.parametrize("question,frame", [
    ("How many had been cancelled by mid-May 2026?", TimeFrame(before=date(2026, 5, 20), latest=True)),
    ("How many had been cancelled by the middle of May?", TimeFrame(before=date(2026, 5, 20), latest=True)),
    ("What was the price at the start of June?", TimeFrame(before=date(2026, 6, 10), latest=True)),
    ("What had it raised by late October 2025?", TimeFrame(before=date(2025, 10, 31), latest=True)),
    # A month without its year is the last one up to today: December is last year's.
    ("What was the total by the end of December?", TimeFrame(before=date(2025, 12, 31), latest=True)),
    ("Who may win the vote?", TimeFrame()),  # "may" is a verb; "May" alone a month
])
def test_parts_of_months_and_months_without_their_year(question, frame):
    assert time_frame(question, TODAY) == frame
    assert time_frame(question, TODAY).phrase in question


def test_a_time_counted_back_from_today_puts_its_reports_first():
    assert time_frame("How many were waiting two weeks ago?", TODAY).during == (date(2026, 11, 14),) * 2
    assert time_frame("What was the figure a month ago?", TODAY).during == (date(2026, 10, 29),) * 2
    assert time_frame("Who founded the firm 20 years ago?", TODAY).during is None  # when a thing began
    assert time_frame("How full was it in early August 2025?", TODAY).during == (date(2025, 8, 1), date(2025, 8, 10))
    assert time_frame("How many were on the list back in February?", TODAY).during == (
        date(2026, 2, 1), date(2026, 2, 28))
    assert named_periods("approved in mid-May 2026 and in early June", TODAY) == [
        ("mid-May 2026", date(2026, 5, 11), date(2026, 5, 20)), ("early June", date(2026, 6, 1), date(2026, 6, 10))]
    assert named_periods("approved in mid-May 2026 and in early June") == [
        ("May 2026", date(2026, 5, 1), date(2026, 5, 31))]  # without today: whole months with their year


def test_a_bound_later_than_today_is_today():
    assert time_frame("What was it by the end of 2030?", TODAY).before == TODAY


@pytest.mark.parametrize("text,published,want", [
    ("The storm hit on Tuesday night.", date(2025, 8, 14), ("on Tuesday", date(2025, 8, 12), False)),
    ("It closed on Thursday.", date(2025, 8, 14), ("on Thursday", date(2025, 8, 14), False)),  # that day
    ("It closed on Friday.", date(2025, 8, 14), ("on Friday", date(2025, 8, 8), False)),  # six days before
    ("It closed last Thursday.", date(2025, 8, 14), ("last Thursday", date(2025, 8, 7), False)),  # a week before
    ("The list was created about 40 days ago.", date(2025, 8, 23), ("about 40 days ago", date(2025, 7, 14), True)),
    ("He resigned yesterday.", date(2026, 3, 1), ("yesterday", date(2026, 2, 28), False)),
    ("He passed away today at 9:34.", date(2022, 12, 31), ("today", date(2022, 12, 31), False)),
    ("The strike ended this morning.", date(2026, 5, 22), ("this morning", date(2026, 5, 22), False)),
    ("Officials said today the fire began on Tuesday.", date(2025, 8, 14), ("on Tuesday", date(2025, 8, 12), False)),
    ("Two weeks ago the plan was approved.", date(2026, 3, 15), ("Two weeks ago", date(2026, 3, 1), False)),
    ("The council met in the town hall.", date(2026, 3, 15), None),
])
def test_relative_dates_count_from_publication(text, published, want):
    assert resolve_relative(text, published) == want


def _evidence(text: str, published: str | None, source: str = "Example Wire") -> Evidence:
    art = Article(id=f"a{published}", title="t", text=text, source=source, published=published)
    passage = Passage(id=f"a{published}:0", article_id=art.id, index=0, start=0, end=len(text), text=text)
    return Evidence(Hit(passage, art, 1, 0.0), 0, len(text), text, 1.0)


def test_each_sentence_is_dated_by_its_report_once():
    evidence = [_evidence("The bill has risen to 9 million pounds.", "2026-06-02T10:00:00"),
                _evidence("The bill was 6 million pounds.", "2026-03-03"),
                _evidence("Undated text.", None)]
    out = dated([("The bill is 9 million pounds", [1]), ("It was paid by the city", [1]),
                 ("Earlier it was 6 million pounds on 3 March", [2]), ("Germany paid", [3])], evidence)
    assert [t for t, _ in out] == ["As of 2 June 2026, the bill is 9 million pounds",
                                   "It was paid by the city",  # same report: not dated again
                                   "Earlier it was 6 million pounds on 3 March",  # gives its date itself
                                   "Germany paid"]  # an undated article: no date to give
    assert dated([("PURL has delivered $1.5 billion", [1])], evidence)[0][0].startswith("As of 2 June 2026, PURL")


def test_dates_are_recognised_in_the_forms_articles_use():
    d = date(2025, 8, 23)
    assert spoken_date("2025-08-23T17:15:00") == "23 August 2025"
    assert all(mentions_date(t, d) for t in ["on 23 August", "August 23, 2025", "23.08.2025", "the 23rd of August"])
    assert not mentions_date("on 3 August", d)


def test_other_reports_are_added_newest_first_with_outlet_and_date():
    own = _evidence("The fund has raised 1.2 million euros.", "2025-08-28")
    answer = Answer(question="How much has the fund raised?", text="As of 28 August 2025, the fund raised "
                    "1.2 million euros. [1]", refused=False, citations=[citation(1, own)])
    newer, other_outlet = _evidence("It has now raised 5.8 million euros.", "2025-10-14"), \
        _evidence("Donors gave 1.3 million euros.", "2025-08-28T20:00:00", "Example Gazette")
    out = with_reports(answer, [(other_outlet, "1.3 million euros"), (newer, "5.8 million euros")])
    assert out.text == ("The latest report, Example Wire on 14 October 2025, gives 5.8 million euros [1]. "
                        "As of 28 August 2025, the fund raised 1.2 million euros. [2] "
                        "Example Gazette (28 August 2025) gives 1.3 million euros [3].")
    assert [c.quote for c in out.citations] == [newer.text, own.text, other_outlet.text]  # numbered as read


def test_a_time_frame_narrows_the_filters_and_keeps_the_earlier_bound():
    frame = TimeFrame(after=date(2025, 8, 1), before=date(2025, 8, 31))
    assert within(Filters(sources=("Example Wire",), before="2025-09-30"), frame) == \
        Filters(sources=("Example Wire",), after="2025-08-01", before="2025-08-31")
    assert within(Filters(before="2025-08-23T12:00"), frame).before == "2025-08-23T12:00"  # kept as given
    assert within(Filters(), TimeFrame()) == Filters()


def test_reports_of_the_time_a_question_names_are_read_first(settings):
    from qa.answer import Answerer

    hits = []
    for n, published in enumerate(["2026-07-03", "2026-04-15", "2026-02-12"]):
        text = f"The waiting list at the hospital stands at {4000 + n} patients."
        art = Article(id=f"a{n}", title="Waiting list", text=text, source="Example Herald", published=published)
        hits.append(Hit(passage=Passage(f"a{n}:0", f"a{n}", 0, 0, len(text), text), article=art, rank=n + 1,
                        fused=1.0 / (60 + n + 1)))

    class Same:  # every sentence as relevant as the others; each report one passage long
        store = SimpleNamespace(passages_of=lambda article_id: [h.passage for h in hits if h.article.id == article_id])

        def similarity(self, question, texts):
            return [0.5] * len(texts)

    question = "How long was the hospital waiting list back in February 2026?"
    frame = time_frame(question, TODAY)
    # The reader reads the February report first, then the others by how near they are to February.
    answerer = Answerer(settings, Same(), lambda: None)  # type: ignore[arg-type]
    _, evidence, _ = answerer.select_evidence(question, hits, frame.latest, frame)
    assert [e.hit.article.published for e in evidence] == ["2026-02-12", "2026-04-15", "2026-07-03"]


def test_a_question_that_asks_when_reads_relative_dates_with_the_calendar_date_they_stand_for():
    from qa.answer import reader

    art = Article(id="a", title="Landslip", text="", source="Example Post", published="2026-01-14")
    texts = ["A total of 163 residents were moved out after a landslip on Sunday left the estate at risk.",
             "Families were allowed back about ten days ago.", "The council met in the town hall."]
    evidence = [Evidence(Hit(passage=Passage(f"a:{i}", "a", 0, 0, 1, t), article=art, rank=1, fused=1.0),
                         0, len(t), t, 0.5) for i, t in enumerate(texts)]
    when = reader.reader_messages("What day did the cliff give way?", evidence)[1]["content"]
    assert "after a landslip on Sunday (11 January 2026) left the estate" in when
    assert "about ten days ago." in when and "ten days ago (" not in when  # approximate: as written
    count = reader.reader_messages("How many residents were moved out?", evidence)[1]["content"]
    assert "(11 January 2026)" not in count


def test_other_reports_give_the_same_thing_and_an_answer_without_figures_gets_none(settings):
    from qa.answer import Answerer

    own = _evidence("The council has so far spent €410,000 on the emergency.", "2026-01-23")
    text = ("Seventy-four residents are still unable to return home. "
            "The council's spending on the emergency has reached €1.26 million.")
    residents, spending = (Evidence(Hit(Passage("b:0", "b", 0, 0, len(text), text),
                                        Article(id="b", title="t", text=text, source="Example Post",
                                                published="2026-02-19"), 1, 0.0), a, b, text[a:b], 1.0)
                           for a, b in ((0, text.index(" The")), (text.index("The"), len(text))))
    answerer = Answerer(settings, SimpleNamespace(), lambda: None)  # type: ignore[arg-type]
    read = []

    def reread(question, sentences):  # the model's few copied words: the sentence's first figure
        read.append(sentences[0].text)
        found = [q.text for q in quantities(sentences[0].text)]
        return found[0] if found else None

    answerer.reread = reread  # type: ignore[method-assign]
    answer = Answer(question="q", text="As of 23 January 2026, the council has spent €410,000. [1]", refused=False,
                    citations=[citation(1, own)])
    out = answerer.other_reports("How much has the landslip cost the council so far?", answer, [residents, spending])
    # 74 residents are not money: the article's sentence that gives money is read instead.
    assert read == [spending.text]
    assert out.text.startswith("The latest report, Example Post on 19 February 2026, gives €1.26 million [1].")
    # An answer with no figure (its citation mark is not one) is not compared with other reports.
    read.clear()
    plain = Answer(question="q", text="As of 23 January 2026, PURL is a list of weapons. [1]", refused=False,
                   citations=[citation(1, own)])
    assert answerer.other_reports("What is PURL?", plain, [residents, spending]).text == plain.text and read == []
