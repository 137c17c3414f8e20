"""Words: misspelt question words are corrected to the words the retrieved passages use."""

from qa.text import content_words, correct_spelling

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
