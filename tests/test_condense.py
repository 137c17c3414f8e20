"""Follow-ups made standalone by the rules: a pronoun means the person the last answer introduced."""

from qa.answer.condense import rewrite


def test_he_is_the_person_the_answer_introduced_not_the_one_the_question_named():
    history = [("Which Florida Republican, the face of the anti-McCarthy movement, voted present on the 15th ballot?",
                "As of 7 January 2023, Matt Gaetz voted present on the 15th ballot, as Kevin McCarthy won. [1]")]
    assert rewrite("Whom had he nominated for speaker instead?", history) == \
        "Whom had Matt Gaetz nominated for speaker instead?"


def test_he_is_the_person_named_before_when_the_answer_names_nobody_new():
    history = [("What did Giuseppe Cavo Dragone say about PURL?", "Giuseppe Cavo Dragone said it delivers fast. [1]")]
    assert rewrite("When did he say it?", history) == "When did Giuseppe Cavo Dragone say it?"


def test_its_is_the_organisation_the_answer_introduced():
    history = [("Which genetic engineering company announced in January 2023 that it wants to bring back the dodo?",
                "As of 31 January 2023, Colossal Biosciences announced that it wants to bring back the dodo. [1]")]
    assert rewrite("Who is its co-founder and CEO?", history) == "Who is Colossal Biosciences's co-founder and CEO?"
    history = [(history[0][0], "As of 31 January 2023, Colossal announced that it wants to bring back the dodo. [1]")]
    assert rewrite("Who is its co-founder and CEO?", history) == "Who is Colossal's co-founder and CEO?"
    # An answer that names nothing new leaves "its" to the reader model (the two questions joined).
    history = [("What did NATO say about PURL?", "NATO said it delivers fast. [1]")]
    assert rewrite("What is its budget?", history) == "What did NATO say about PURL? What is its budget?"
