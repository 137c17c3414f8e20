"""Names come from a tagger and entity recogniser, not from capital letters."""

from datetime import date

import pytest

from qa.answer.evidence import missing_terms
from qa.names import names, people

SEED_SENTENCE = ("In an interview with Corriere della Sera, the head of the NATO Military Committee Giuseppe "
                 "Cavo Dragone said that PURL packages are financed by the Netherlands, Denmark and Germany.")


@pytest.mark.parametrize("question", ["Approximately how much has PURL delivered so far?",
                                      "Roughly how many packages were there?", "Which capitals lead the forces?"])
def test_a_capitalised_adverb_or_question_word_is_not_a_name(question):
    assert not [n for n in names(question) if n.split()[0] in {"Approximately", "Roughly", "Which"}]


def test_names_people_places_and_acronyms():
    assert names("How much did Poland contribute to PURL?") == ["Poland", "PURL"]
    assert "Dragone" in names("Which newspaper interviewed Dragone?")
    assert people("How old is Giuseppe Cavo Dragone?") == ["Giuseppe Cavo Dragone"]


def test_the_refusal_gate_asks_only_for_names_the_question_has():
    assert missing_terms("Approximately how much has PURL delivered so far?", SEED_SENTENCE) == []
    assert missing_terms("How much did Poland give to PURL?", SEED_SENTENCE) == ["Poland"]
    assert missing_terms("Who financed the fifth PURL package?", SEED_SENTENCE) == ["fifth"]


def test_a_named_date_is_met_by_an_article_published_then_or_soon_after():
    text = "Donovan Mitchell scored 71 points on Monday as the Cavaliers beat the Bulls."
    question = "Whom did the Cavaliers beat when Donovan Mitchell scored 71 points in January 2023?"
    assert missing_terms(question, text, date(2023, 1, 3)) == []
    assert missing_terms(question, text, date(2023, 12, 20)) == []  # a review of the season
    assert missing_terms(question, text, date(2021, 1, 3)) == ["2023"]  # before it: not about it
    assert missing_terms(question, text) == ["2023"]  # undated: the text must say it
    # Other figures are still asked of the text.
    assert missing_terms("Did Mitchell score 80 points in January 2023?", text, date(2023, 1, 3)) == ["80"]


def test_a_ranking_ordinal_and_a_possessive_do_not_refuse():
    text = "Rolen was named to baseball's Hall of Fame. Amazon cut 18,000 jobs, Meta 11,000."
    assert missing_terms("Who was elected to the Baseball Hall of Fame?", text) == []
    assert missing_terms("Which company cut the second-most jobs after Meta?", text) == []
    assert missing_terms("Which company cut jobs in the second round?", text) == ["second"]
    assert missing_terms("Which is the second-tallest tower?", text) == []
    assert missing_terms("Who came second in the vote?", text) == []
    assert missing_terms("Who finished third, in third place?", text) == []
    for ranked in ("came in second", "ranks second", "ranked second", "was the second-placed team",
                   "finished in second"):
        assert missing_terms(f"Who {ranked} in the vote?", text) == [], ranked
    assert missing_terms("Who came to the second round?", text) == ["second"]


def test_two_names_run_together_are_met_by_each_part():
    text = "The Baseball Writers' Association of America elected Scott Rolen to the Hall of Fame."
    question = "Who came second in the Baseball Writers' Hall of Fame vote won by Scott Rolen?"
    assert missing_terms(question, text) == []
    assert missing_terms("When does the Quenby Harbour Line open?", "Quenby's harbour line opens.") == []
    assert missing_terms("When does the Quenby Harbour Line open?", "The Quenby harbour is big. Its line is new.") \
        == ["Quenby Harbour Line"]
    assert missing_terms("Did the New York Harbour Line open?", "New York opened a harbour. The line ...") \
        == ["New York Harbour Line"]
    # A place and the name it qualifies, run together: each on its own.
    text = "A Mega Millions ticket sold at a gas station in Des Plaines, Illinois, won the jackpot."
    assert missing_terms("Where was the Illinois Mega Millions ticket sold?", text) == []
    assert missing_terms("Where was the Ohio Mega Millions ticket sold?", text) == ["Ohio Mega Millions"]
    assert missing_terms("Where was the Illinois Powerball ticket sold?", text) == ["Illinois Powerball"]
    # Not the tail of another name: the wrong university, hospital or company is not met.
    assert missing_terms("What did Ohio State University say?", "Kent State University in Ohio said no.") == \
        ["Ohio State University"]
    assert missing_terms("What did Georgia Power Company say?", "Alabama Power Company, in Georgia, said no.") == \
        ["Georgia Power Company"]
    text = "The Bank of England said rates would rise, traders in New York said."
    assert missing_terms("What did the Bank of New York say about rates?", text) == ["Bank of New York"]


def test_a_date_excuses_only_its_own_figures():
    text = "The fire hurt three people on Monday."
    assert missing_terms("Were 20 people hurt in the 2023 fire?", text, date(2023, 6, 1)) == ["20"]
    assert missing_terms("How much does the Tesla Model S cost?", "The Tesla Model X costs more.") == ["Tesla Model S"]


def test_an_article_mentions_its_own_outlet():
    text = "Dragone said the first package was financed by the Netherlands."
    question = "Who financed the first package, according to the Interfax-Ukraine report?"
    assert "Interfax" in missing_terms(question, text)
    assert missing_terms(question, text, outlet="Interfax-Ukraine") == []
    assert missing_terms("What did USA TODAY's report say about Meta?", "Meta cut jobs.", outlet="usatoday.com") == []
    assert missing_terms("What did the AP report say about Meta?", "Meta cut jobs.", outlet="usatoday.com") == ["AP"]


def test_an_acronym_and_the_name_it_abbreviates_are_one_name():
    assert missing_terms("How much did U.S. prices rise?", "US consumer prices rose 6.4%.") == []
    assert missing_terms("How much did U.S. prices rise?", "Prices in the United States rose 6.4%.") == []
    assert missing_terms("What did the United States say?", "The U.S. said no.") == []
    assert missing_terms("How many copies, according to the AP?", "Jill Lawless\n\nAssociated Press\n\nLONDON") == []
    assert missing_terms("What did the FAA find?", "The Federal Aviation Administration found a fault.") == []
    # Capitals as written: the pronoun is not the country, nor a pie a news agency.
    assert missing_terms("What did the U.S. say?", "Tell us more.") == ["U.S"]
    assert missing_terms("What did the AP say?", "He baked an apple pie.") == ["AP"]
    assert missing_terms("What did the European Union say?", "The EEC said no.") == ["European Union"]
