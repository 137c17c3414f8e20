"""Names come from a tagger and entity recogniser, not from capital letters."""

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
