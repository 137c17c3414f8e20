import pytest

from qa.answer.facts import names, quantities, unsupported_facts


@pytest.mark.parametrize("a,b", [
    ("1.5 billion", "one and a half billion"), ("$1.5bn", "one and a half billion dollars"),
    ("EUR 500 million", "€500m"), ("99%", "99 percent"), ("3 packages", "three packages"),
    ("$50 billion", "50 billion US dollars"), ("1,200", "1200"),
    ("Rs. 500", "500 rupees"), ("¥3 billion", "3 billion yen"), ("100,000 AFN", "100,000 afghanis"),
])
def test_equal_amounts_compare_equal(a, b):
    [qa], [qb] = quantities(a), quantities(b)
    assert qa.matches(qb) and qb.matches(qa)
    assert (qa.currency is None) == (qb.currency is None)  # an amount without its currency matches any


@pytest.mark.parametrize("text", ["a 2019 RAND Corporation study", "In 1943 Rand published", "the 3 Yuan brothers",
                                  "the top 10 nok", "in 2023 Sar"])
def test_words_that_look_like_currencies_are_not(text):
    [q] = quantities(text)
    assert q.currency is None


def test_a_currency_name_several_countries_use_matches_each_of_them():
    [kroner], [dkk], [nok], [sek] = (quantities(t) for t in ("500 kroner", "DKK 500", "NOK 500", "SEK 500"))
    assert kroner.matches(dkk) and kroner.matches(nok) and not kroner.matches(sek)


@pytest.mark.parametrize("a,b", [("EUR 500 million", "$500 million"), ("1.5 billion", "1.5 million"),
                                 ("5 million yuan", "5 million euros"), ("Rs. 500", "500 afghanis"),
                                 ("99%", "99"), ("33 billion", "50 billion")])
def test_different_amounts_differ(a, b):
    [qa], [qb] = quantities(a), quantities(b)
    assert not qa.matches(qb)


def test_unsupported_facts_finds_invented_figures_and_names():
    evidence = "There are three packages, each worth about EUR 500 million. The first was financed by the Netherlands."
    assert unsupported_facts("Each package is worth €500m [1].", evidence) == []
    assert unsupported_facts("The Netherlands financed the first one.", evidence) == []
    assert unsupported_facts("Poland financed a package worth EUR 700 million.", evidence) == ["EUR 700 million",
                                                                                                "Poland"]


def test_names_skip_sentence_starts_and_common_words():
    assert names("According to Dragone, the Netherlands paid. The first was Sweden's.") == [
        "Dragone", "Netherlands", "Sweden"]


def test_what_a_figure_counts_and_whether_another_report_gives_the_same_thing():
    from qa.answer.facts import counted, same_thing

    answer = "According to the unit, 13 patients have needed hospital treatment."
    (thirteen,) = quantities(answer)
    assert counted(answer, thirteen) == {"patient"}
    given = [(thirteen, counted(answer, thirteen))]

    def same(text: str) -> list[bool]:
        return [same_thing(q, text, given) for q in quantities(text)]

    assert same("The hospital says 16 patients with measles have been admitted.") == [True]
    assert same("Hollinsby measles outbreak: 71 cases, say doctors") == [False]  # cases, not patients
    assert same("The list has reached 4,812, the board was told.") == [True]  # says nothing of what it counts
    assert same("It has spent €1.26 million.") == [False]  # money is not a number of patients
    assert same("Turnout was 41 per cent.") == [False]  # nor is a share
    money = "The council has spent €410,000 on the emergency."
    (spent,) = quantities(money)
    assert [same_thing(q, "Seventy-four residents are still unable to return home.", [(spent, counted(money, spent))])
            for q in quantities("Seventy-four residents are still unable to return home.")] == [False]
