"""Words: misspelt question words are corrected to the words the retrieved passages use."""

from qa.text import content_words, correct_spelling, normalise_words, undotted

PASSAGE = ("To date, weapons worth one and a half billion dollars have been sent under the PURL program. "
           "The third was financed by Germany. He heads the NATO Military Committee.")


def test_typos_become_the_passages_words():
    assert correct_spelling("how much has purl deliverd so far", [PASSAGE + " delivered"]) == (
        "how much has purl delivered so far")
    assert correct_spelling("Who financed the thrid package?", [PASSAGE]) == "Who financed the third package?"
    assert correct_spelling("who heads the nato militray comittee", [PASSAGE + " committee"]) == (
        "who heads the nato military committee")


def test_real_words_and_names_are_left_alone():
    for q in ["Who paid for the third package?", "What did Zelensky say about Germany?", "How many soldiers?",
              "How much has PURL delivered so far?"]:
        assert correct_spelling(q, [PASSAGE]) == q


def test_content_words_drop_stop_words_and_stem():
    assert content_words("How much has PURL delivered so far?") == {"purl", "deliver"}


def test_an_abbreviation_of_single_letters_loses_its_full_stops_and_nothing_else():
    assert undotted("the U.S. Air Force") == "the US. Air Force"
    assert normalise_words(undotted("the U.S. Air Force")) == normalise_words("the US Air Force")
    assert undotted("Washington, D.C.") == "Washington, DC."
    assert undotted("No. 1, e.g. Dr. J. Smith") == "No. 1, eg. Dr. J. Smith"
    assert normalise_words("Tell us.") == " tell us "  # the pronoun is not the country
