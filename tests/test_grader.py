"""The grader's own matcher (``evals.match``): amounts, dates and names read apart from the bot's code.

Where the bot's helpers read a case differently, the case is here with the grader's reading and the
bot's, so that a change on either side is seen."""

from datetime import date

import pytest

from evals.match import amounts, fact_present, form_problems, mentions_day, names, relative_day, unsupported


@pytest.mark.parametrize("form, text", [
    ("$1.5 billion", "weapons worth one and a half billion dollars have been sent"),
    ("1.5bn", "To date, $1.5 billion has been delivered."),
    ("EUR 500 million", "each worth about €500m"),
    ("99%", "NATO countries provided 99 per cent of all military aid"),
    ("USD 1,500 million", "a total of $1.5 billion"),
    ("76.3", "earning a vote on 76.3% of ballots"),  # a form without its percent sign
    ("Corriere della Sera", "In an interview with Corriere della Sera, he said"),
    ("air defense", "this primarily concerns air-defense systems"),
])
def test_a_fact_is_found_in_any_of_its_forms(form, text):
    assert fact_present([form], text)


@pytest.mark.parametrize("form, text", [
    ("$1.5 billion", "EUR 1.5 billion was pledged"),  # another currency
    ("15", "a total of 1.5 billion"),  # a digit of another number
    ("99%", "99 countries took part"),  # a share is not a count
    ("Sweden", "Swedish officials"),
])
def test_another_amount_or_word_is_not_the_fact(form, text):
    assert not fact_present([form], text)


def test_amounts_read_scales_currencies_and_words():
    (a,) = amounts("one and a half billion dollars")
    assert (a.value, a.currency, a.percent) == (1.5e9, "USD", False)
    assert [x.value for x in amounts("1,200 hectares and 4,500 more")] == [1200, 4500]
    assert amounts("the second one") == []
    assert amounts("€500m")[0].same(amounts("EUR 500 million")[0])
    assert not amounts("$500m")[0].same(amounts("EUR 500 million")[0])


@pytest.mark.parametrize("text", ["23 August 2025", "August 23, 2025", "on 23rd of August", "23.08.2025",
                                  "2025-08-23", "Aug. 23", "August 23rd", "on 23 Aug 2025"])
def test_a_day_is_mentioned_in_the_ways_texts_write_it(text):
    assert mentions_day(text, date(2025, 8, 23))


def test_the_bots_date_helper_misses_abbreviated_and_ordinal_forms_the_grader_reads():
    # The bot's own reading (mentions_date in its answer check) says no to these; a dated answer that
    # writes "Aug. 23" is dated all the same.
    from qa.answer.verify import mentions_date

    for text in ("Aug. 23", "August 23rd", "on 23 Aug 2025"):
        assert mentions_day(text, date(2025, 8, 23)) and not mentions_date(text, date(2025, 8, 23))


def test_another_day_is_not_mentioned():
    assert not mentions_day("23 August 2025", date(2025, 8, 24))
    assert not mentions_day("August 2025", date(2025, 8, 23))
    assert not mentions_day("on 123 August", date(2025, 8, 23))


@pytest.mark.parametrize("sentence, day", [
    ("The roof collapsed on Monday.", date(2026, 3, 2)),  # a Thursday report
    ("It rained yesterday.", date(2026, 3, 4)),
    ("They met two days ago.", date(2026, 3, 3)),
    ("The vote took place a week ago.", date(2026, 2, 26)),
    ("The list was created about 40 days ago.", date(2026, 1, 24)),  # approximate: around that day
    ("Nothing happened.", None),
])
def test_a_relative_date_stands_for_a_day_counted_from_the_report(sentence, day):
    assert relative_day(sentence, date(2026, 3, 5)) == day


def test_a_weekday_that_is_the_reports_own_is_the_week_before():
    assert relative_day("on Thursday the bridge shut", date(2026, 3, 5)) == date(2026, 2, 26)


@pytest.mark.parametrize("text, found", [
    ("In an interview with Corriere della Sera, Giuseppe Cavo Dragone said.", ["Corriere della Sera",
                                                                             "Giuseppe Cavo Dragone"]),
    ("The first was financed by the Netherlands in early August.", ["Netherlands"]),
    ("According to Interfax-Ukraine, Denmark, Finland and Sweden paid.", ["Interfax-Ukraine", "Denmark", "Finland",
                                                                          "Sweden"]),
    ("Interfax-Ukraine (23 August 2025) reports: “The first was financed by Germany.”", ["Interfax-Ukraine",
                                                                                        "Germany"]),
    ("Bank of America and the Federal Reserve Bank of New York said.", ["Bank of America",
                                                                         "Federal Reserve Bank of New York"]),
])
def test_names_are_runs_of_capitalised_words_not_sentence_openers(text, found):
    assert names(text) == found


def test_unsupported_lists_the_amounts_and_names_the_evidence_lacks():
    evidence = "There are three packages, each worth about EUR 500 million. Interfax-Ukraine 23 August 2025"
    assert unsupported("As of 23 August 2025, each package is worth about €500 million [1].", evidence) == []
    assert unsupported("Poland gave EUR 600 million [1].", evidence) == ["EUR 600 million", "Poland"]


@pytest.mark.parametrize("text", [
    "As of 23 August 2025, the PURL packages are worth about EUR 500 million each. [1]",
    "Interfax-Ukraine (23 August 2025) reports: “‘The third was financed by Germany,’ he said.” [1]",
    "The ratio was 420 to 1. [1][2] Cnn.com (20 December 2022) gives $9 billion [2].",
    "The articles don't say: nothing in the articles is close enough to the question.",
])
def test_a_well_formed_answer_has_no_form_problems(text):
    assert form_problems(text) == []


@pytest.mark.parametrize("text, problem", [
    ("The third was financed in the middle of the month, as stated in. [1]", "ends on 'in'"),
    ("Interfax-Ukraine reports: “The third was financed by Germany,\" he said.” [1]", "unpaired quotation marks"),
    ("He said “yes. [1]", "unpaired quotation marks"),
    ("Germany paid. . [1]", "ends on 'no word'"),
])
def test_broken_text_is_named(text, problem):
    assert any(problem in p for p in form_problems(text))
