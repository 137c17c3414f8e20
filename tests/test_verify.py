"""The check's comparisons: an answer agrees with a second read when it holds the same figures and
names and adds no name the second read leaves out; a second read must say more than the question."""

from qa.answer.verify import adds_to, agrees, holds

SENTENCE = ("The first was financed by the Netherlands in early August, the second the next day by Denmark, "
            "Finland and Sweden, and the third by Germany in the middle of the month.")


def test_the_right_slot_agrees_and_the_wrong_one_does_not():
    q = "Who financed the second PURL package?"
    assert agrees("The second PURL package was financed by Denmark, Finland and Sweden.", "Denmark, Finland, Sweden", q)
    assert not agrees("Denmark, Finland, Sweden and Germany financed it.", "Denmark, Finland, Sweden", q)
    assert not agrees("The Netherlands financed it.", "Denmark, Finland and Sweden", q)


def test_amounts_agree_by_value():
    assert agrees("PURL has delivered weapons worth $1.5 billion.", "One and a half billion dollars",
                  "How much has PURL delivered so far?")
    assert not agrees("PURL has delivered $33 billion.", "one and a half billion dollars",
                      "How much has PURL delivered so far?")


def test_a_sentence_holds_a_short_answer():
    assert holds(SENTENCE, "Denmark, Finland and Sweden")
    assert not holds(SENTENCE, "Poland")


def test_a_second_read_that_echoes_the_question_says_nothing():
    q = "What kind of weapons do the PURL packages mainly concern?"
    assert not adds_to(q, "weapons")
    assert adds_to(q, "air defense systems")
    assert adds_to("How many PURL packages are there?", "three")
