"""The check's comparisons: an answer agrees with a second read when it holds the same figures and
names and adds no name the second read leaves out; a second read must say more than the question."""

import pytest

from qa.answer.evidence import (
    Evidence,
    answers_kind,
    candidate_sentences,
    distinct,
    figure_kind,
    holds_figure,
    name_kind,
    names_new,
    rank,
    with_lists,
)
from qa.answer.reader import Claim, cut_short
from qa.answer.verify import (
    adds_to,
    agrees,
    another_time,
    gives_name,
    holding,
    holds,
    nested_quote,
    restating,
    supporting,
    unblended,
)
from qa.ingest.chunk import sentence_spans
from qa.records import Article, Hit, Passage

SENTENCE = ("The first was financed by the Netherlands in early August, the second the next day by Denmark, "
            "Finland and Sweden, and the third by Germany in the middle of the month.")


def test_the_right_slot_agrees_and_the_wrong_one_does_not():
    q = "Who financed the second PURL package?"
    assert agrees("The second PURL package was financed by Denmark, Finland and Sweden.", "Denmark, Finland, Sweden", q)
    assert not agrees("Denmark, Finland, Sweden and Germany financed it.", "Denmark, Finland, Sweden", q)
    assert not agrees("The Netherlands financed it.", "Denmark, Finland and Sweden", q)


def test_an_answer_may_give_part_of_a_re_read_of_several_parts_but_nothing_else():
    q = "Roughly how many people does the company of the Microsoft chief executive employ around the world?"
    claim = "The company employs about 221,000 people around the world, including 122,000 in the United States."
    assert agrees(claim, "Nadella; 221,000", q)  # says less than the re-read: not who, but how many
    assert not agrees(claim, "Nadella; 200,000", q)  # the answer asked for is not held
    assert not agrees("The company employs about 221,000 people; Bill Gates leads it.", "Nadella; 221,000", q)
    assert not agrees("Satya Nadella announced the cuts.", "Nadella; 221,000", q)  # a figure left out
    assert not agrees(claim, "Nadella", q)
    # Only a name of another kind may be left out, and the last part is held: not part of a list.
    where = "Where is the company that cut 10,000 jobs based?"
    assert not agrees("Satya Nadella leads Microsoft.", "Microsoft; Redmond, Washington", where)
    who = "Who financed the second PURL package?"
    assert not agrees("Denmark financed it.", "Denmark; Finland; Sweden", who)
    assert not agrees("Sweden financed it.", "Denmark; Finland; Sweden", who)
    when = "When did Satya Nadella's company announce the job cuts, and how many?"
    assert not agrees("Microsoft announced 10,000 job cuts.", "on 18 January; 10,000", when)  # a date left out


def test_amounts_agree_by_value():
    assert agrees("PURL has delivered weapons worth $1.5 billion.", "One and a half billion dollars",
                  "How much has PURL delivered so far?")
    assert not agrees("PURL has delivered $33 billion.", "one and a half billion dollars",
                      "How much has PURL delivered so far?")


def test_a_sentence_holds_a_short_answer():
    assert holds(SENTENCE, "Denmark, Finland and Sweden")
    assert not holds(SENTENCE, "Poland")


def test_a_month_or_weekday_of_the_short_answer_must_be_held_too():
    assert not holds("Microsoft announced the cuts in March.", "Microsoft; in January")
    assert holds("Microsoft announced the cuts in January.", "Microsoft; in January")
    assert holds("Microsoft announced the cuts.", "Microsoft; in January")  # says less, not something else
    assert not holds("The bridge reopened on Monday.", "on Tuesday")
    assert not holds("Prices may rise.", "May")  # the verb is not the month
    # Abbreviated as news writes them.
    assert holds("The strike began on Jan. 5, 2023.", "January 5, 2023")
    assert holds("The strike began Sept. 12.", "on September 12")
    assert not holds("The strike began Sept. 12.", "on October 12")
    assert not agrees("Microsoft announced the cuts in March.", "Microsoft; in January",
                      "Which company announced job cuts, and when?")


def test_a_second_read_that_echoes_the_question_says_nothing():
    q = "What kind of weapons do the PURL packages mainly concern?"
    assert not adds_to(q, "weapons")
    assert adds_to(q, "air defense systems")
    assert adds_to("How many PURL packages are there?", "three")


def test_an_answer_that_restates_the_question_in_another_form_says_nothing():
    q = "Why did Jupiter lose 12 of its moons in February 2023?"
    assert not adds_to(q, "Jupiter lost 12 of its moons in February 2023.")
    assert adds_to(q, "Jupiter lost 12 of its moons to a passing star.")
    assert adds_to("Who won the vote?", "The Senate won it.")


def test_an_abbreviation_with_full_stops_names_what_it_names_without_them():
    q = "Which type of US warplane shot down the balloon?"
    assert not names_new("A U.S. warplane", q)
    assert not names_new("The U.S. Air Force", "Which US Air Force jet shot it down?")
    assert names_new("A U.K. warplane", q)


def test_a_time_adds_nothing_to_a_question_that_does_not_ask_about_time():
    q = "Which type of US warplane shot down the suspected Chinese spy balloon off the South Carolina coast?"
    assert not adds_to(q, "U.S. warplane; Saturday afternoon")  # "U.S." is the question's "US"
    assert not adds_to(q, "A warplane, on 4 February 2023, in the afternoon")
    assert adds_to(q, "An F-22 fighter jet, on Saturday")
    assert adds_to("When did the bridge reopen?", "On Saturday afternoon")
    assert adds_to("In which month was the concert held?", "In March")
    assert adds_to("What was the date of the vote?", "4 February 2023")


def test_whoever_does_what_the_question_asks_about_is_no_answer():
    q = "Which hacking group was blamed for the March 2022 theft from Axie Infinity's Ronin Network?"
    assert not adds_to(q, "Hackers")
    assert adds_to(q, "North Korean hackers")
    assert not adds_to("Who organised the march?", "The organisers")
    assert adds_to("Who organised the march?", "Turner")  # a name, not a doer


def _evidence(texts: list[str], published: str = "2023-02-06") -> list[Evidence]:
    art = Article(id="a", title="Jupiter", text=" ".join(texts), source="usatoday.com", published=published)
    out, start = [], 0
    for t in texts:
        p = Passage(f"a:{start}", "a", 0, start, start + len(t), t)
        out.append(Evidence(Hit(passage=p, article=art, rank=1, fused=1.0), start, start + len(t), t, 0.8))
        start += len(t) + 1
    return out


def test_a_claim_may_join_the_facts_of_two_sentences_and_the_date_the_question_names():
    evidence = _evidence(["There's a new moon king: 12 new moons were discovered around Jupiter.",
                          "The discovery gives Jupiter 92 total moons.",
                          "Saturn has 83 moons."])
    q = "How many moons does Jupiter have after 12 new moons were found in February 2023?"
    claim = Claim("Jupiter has 92 moons after 12 new moons were found in February 2023.", [1])
    assert sorted(supporting(claim, q, evidence)) == [1, 2]
    # A figure that no sentence holds is not supported.
    assert supporting(Claim("Jupiter has 95 moons after 12 new moons were found.", [1]), q, evidence) == []
    # The question's "February 2023" is met by a report of 6 February 2023 (its date is shown beside the
    # citation), not by one of 2021 or of December 2022.
    assert supporting(claim, q, _evidence([e.text for e in evidence], published="2021-05-01")) == []
    assert supporting(claim, q, _evidence([e.text for e in evidence], published="2022-12-01")) == []


def test_how_many_asks_for_a_count_not_a_share_or_an_amount():
    assert figure_kind("How many employees did the chain have?") == "count"
    assert figure_kind("How much did it cost?") == "money"
    assert figure_kind("How much money has it paid back to passengers?") == "money"
    assert figure_kind("How much aid has it delivered?") == figure_kind("How much of it is left?") == "quantity"
    assert figure_kind("How much did Musk pay for Twitter?") == figure_kind("How many dollars did it raise?") == "money"
    # A follow-up joined to the question before it asks what the follow-up asks.
    assert figure_kind("How much did the gala raise? On what date was it held?") == "time"
    assert figure_kind("How many packages are there? Who financed the second one?") is None
    assert figure_kind("On which date did the glasshouse reopen?") == figure_kind("What day did it open?") == "time"
    # Not money: time spent, a rate raised, a rise in costs or in pay.
    for q in ["How much time did she spend in prison?", "How much did the Fed raise interest rates?",
              "How much did costs rise?", "How much will pay rise?"]:
        assert figure_kind(q) == "quantity", q
    assert holds_figure("It paid back EUR 1.2 million.", "money") and holds_figure("It pays 100,000 afghanis.", "money")
    assert not holds_figure("It cancelled 251 sailings.", "money") and not answers_kind("251 sailings", "money")
    assert holds_figure("It employs about 14,000 people.", "count")
    assert not holds_figure("It has 20% fewer employees.", "count")
    assert not holds_figure("It raised $150 million.", "count")
    assert not holds_figure("It had 20% fewer employees when it warned in January 2023.", "count")
    for text in ["The storm killed 3 people on 3 March 2023.", "It cut 20 jobs in 2023.",
                 "About 2000 people were evacuated.", "Dozens of people were hurt.", "She won the title twice."]:
        assert holds_figure(text, "count"), text
    # A measure is not a number of things, unless it is what the question counts.
    cars = "How many rail cars came off the tracks?"
    assert not holds_figure("It derailed about 50 miles northwest of Pittsburgh, 21 miles south of Youngstown.",
                            "count", cars)
    assert not holds_figure("The 12-year-old was rescued after five days.", "count", cars)
    assert holds_figure("About 50 cars derailed 20 miles from the border.", "count", cars)
    assert holds_figure("It takes about 40 days.", "count", "How many days does it take?")
    assert holds_figure("The ring is 2,500 square miles.", "count", "How many square miles is the ring?")
    where = "The train derailed on track 1 in East Palestine, about 50 miles northwest of Pittsburgh."
    assert not answers_kind("50", "count", cars, where) and answers_kind("1", "count", cars, where)
    assert answers_kind("50", "count", cars, "About 50 cars derailed 20 miles away.")


def test_a_date_the_question_names_excuses_only_itself():
    evidence = _evidence(["The floods killed 5 people, officials said."], published="2023-02-08")
    q = "How many people did the floods in February 2023 kill?"
    assert supporting(Claim("The floods in February 2023 killed 5 people.", [1]), q, evidence) == [1]
    assert supporting(Claim("The floods in February 2023 killed 20 people.", [1]), q, evidence) == []


def test_a_claim_that_repeats_the_questions_figures_cites_where_the_article_states_them():
    texts = ["Microsoft said on Wednesday it would cut 10,000 jobs.", "Its shares rose 1%.",
             "Meta cut the most jobs in 2022, and Amazon the second-most, Layoffs.fyi figures show."]
    article_text = " ".join(texts)
    evidence = [e for e in _evidence(texts, published="2023-01-18") if e.text.startswith("Meta")]
    assert evidence[0].hit.article.text == article_text
    whole = Passage("a:0", "a", 0, 0, len(article_text), article_text)
    q = "Which company cut the second-most jobs in 2022, according to the report on Microsoft's 10,000 job cuts?"
    claim = Claim("According to the report on Microsoft's 10,000 job cuts, Amazon cut the second-most jobs in 2022, "
                  "after Meta.", [1])
    assert supporting(claim, q, evidence) == []
    assert restating(claim, q, evidence, lambda _: [whole]) == [1, 2]
    assert evidence[1].text == texts[0] and article_text[evidence[1].start:evidence[1].end] == texts[0]
    # A figure the question does not give is not looked for elsewhere: it is the answer's own claim.
    evidence = evidence[:1]
    assert restating(Claim("Amazon cut the second-most jobs in 2022, 1% of its staff.", [1]), q, evidence,
                     lambda _: [whole]) == []
    assert len(evidence) == 1


def test_a_short_answer_must_be_of_the_kind_asked():
    assert not answers_kind("20%", "count") and answers_kind("about 14,000 people", "count")
    assert not answers_kind("Amazon", "quantity") and answers_kind("Amazon", None) and answers_kind("Amazon", "time")


def test_the_questions_figures_may_come_from_a_third_sentence_of_the_article():
    texts = ["There's a new moon king: 12 new moons were discovered around Jupiter.",
             "The discovery gives Jupiter 92 total moons.",
             "Here is how many moons each planet has, according to NASA:"]
    evidence = _evidence(texts)
    whole = Passage("a:0", "a", 0, 0, len(evidence[0].hit.article.text), evidence[0].hit.article.text)
    q = "How many moons does Jupiter have after the discovery of 12 new moons reported in February 2023?"
    claim = Claim("According to NASA, Jupiter has 92 total moons after the discovery of 12 new moons in February 2023.",
                  [3])
    assert supporting(claim, q, evidence) == []
    assert sorted(restating(claim, q, evidence, lambda _: [whole])) == [1, 2, 3] and len(evidence) == 3


def test_a_sentence_that_introduces_a_list_takes_the_list_with_it():
    text = ("Layoffs.fyi data shows the companies that trimmed the most jobs last year include:\n\nMeta: 11,000\n\n"
            "Amazon: 10,000\n\nLockdowns had a major effect on consumer spending, which shifted to products of tech "
            "companies like Amazon and Peloton, as people could not travel or eat out for months.")
    spans = with_lists(text, sentence_spans(text))
    assert text[spans[0][0]:spans[0][1]].endswith("Amazon: 10,000")
    assert text[spans[-1][0]:spans[-1][1]].startswith("Lockdowns")


def test_a_photo_credit_is_not_evidence():
    text = ("Stenhouse won the rain-delayed race in double overtime. Rodger Bosch/AFP/Getty Images\n\n"
            "Jens Meyer/AP\n\nTyler Hicks/The New York Times/Redux\n\nThe team co-owner, Brad Daugherty, "
            "celebrated at the track.\n\nHe earned 24/7 coverage of the race and/or its replay.\n\n"
            "AC/DC Announce New Tour Dates\n\nThe 24/7 Service Opens")
    evidence = _evidence([text])
    hit = evidence[0].hit
    whole = Passage(hit.passage.id, hit.article.id, 0, 0, len(text), text)
    sentences = [e.text for e in candidate_sentences([Hit(passage=whole, article=hit.article, rank=1, fused=1.0)])]
    assert sentences == ["Stenhouse won the rain-delayed race in double overtime.",
                         "The team co-owner, Brad Daugherty, celebrated at the track.",
                         "He earned 24/7 coverage of the race and/or its replay.",
                         "AC/DC Announce New Tour Dates", "The 24/7 Service Opens"]


def test_a_name_of_another_kind_than_the_answer_is_context():
    q = "Who financed the second PURL package?"
    assert agrees("Dragone said the second PURL package was financed by Denmark, Finland and Sweden.",
                  "Denmark, Finland and Sweden", q)
    assert not agrees("Dragone said Denmark, Finland, Sweden and Germany financed it.",
                      "Denmark, Finland and Sweden", q)


def test_a_repeated_headline_takes_one_place_among_the_evidence():
    headline = "Moon king: {} new moons discovered orbiting Jupiter, giving it the most in our solar system"
    evidence = _evidence([headline.format(12), "Jupiter: 12 new moons discovered orbiting planet, giving it the most "
                          "in our solar system", "The discovery gives Jupiter 92 total moons.", "Saturn has 83 moons.",
                          headline.format(13)])
    assert [e.text[:9] for e in distinct(evidence, 4)] == ["Moon king", "The disco", "Saturn ha", "Moon king"]


def test_names_beside_a_figure_answer_are_context():
    assert agrees("Axiom's Ax-1 mission launched on April 8 and lasted about 17 days, 15 of them on the ISS.",
                  "about 17 days", "How long did the Ax-1 mission last?")
    assert not agrees("The Ax-1 mission lasted about 10 days.", "about 17 days", "How long did the Ax-1 mission last?")


def test_the_sentence_of_the_passage_that_holds_the_reread_answer_is_found():
    texts = ["Barty played cricket after her first break from tennis.", "She joined the Brisbane Heat in 2015."]
    evidence = _evidence(texts)
    art = evidence[0].hit.article
    whole = Hit(passage=Passage("a:0", "a", 0, 0, len(art.text), art.text), article=art, rank=1, fused=1.0)
    used = [Evidence(whole, evidence[0].start, evidence[0].end, texts[0], 0.8)]
    found = holding("Brisbane Heat", used)
    assert found is not None and found.text == texts[1] and art.text[found.start:found.end] == texts[1]
    assert holding("Sydney Sixers", used) is None


def test_who_and_which_ask_for_a_name_the_question_does_not_give():
    assert name_kind("Who is the chief executive of Bed Bath & Beyond?") == {"person", "organisation", ""}
    assert name_kind("Which team did the Cavaliers beat?") == frozenset()
    assert name_kind("What kind of weapons do the packages concern?") is None
    assert name_kind("What did Pele die of?") is None
    q = "Who is the chief executive of Bed Bath & Beyond?"
    sentences = _evidence(["The chief executive of Bed Bath & Beyond spoke on Thursday.",
                           "The chief executive of Bed Bath & Beyond, Sue Gove, spoke on Thursday."])
    # Equal in meaning and words, the sentence that names someone new comes first.
    ranked = rank(q, sentences, lambda question, texts: [0.5] * len(texts), 2)
    assert "Sue Gove" in ranked[0].text


def _reports(items: list[tuple[str, str, str]]) -> list[Evidence]:
    """Evidence sentences from several articles: (article id, publication date, sentence)."""
    out = []
    for n, (aid, published, text) in enumerate(items):
        art = Article(id=aid, title=aid, text=text, source=f"Example {aid}", published=published)
        p = Passage(f"{aid}:0", aid, 0, 0, len(text), text)
        out.append(Evidence(Hit(passage=p, article=art, rank=n + 1, fused=1.0), 0, len(text), text, 0.8))
    return out


RECALL = [("herald", "2026-01-20", "Corvane says 27,640 of the recalled fryers have now been returned."),
          ("wire", "2025-12-02", "So far 9,300 of the recalled fryers have been returned to shops, the company said."),
          ("wire", "2025-12-02", "Corvane widens its fryer recall.")]


def test_a_cited_sentence_giving_another_figure_is_not_the_claims_source():
    evidence = _reports(RECALL)
    q = "How many of the recalled Corvane fryers have been returned?"
    claim = Claim("9,300 of the recalled Corvane fryers have been returned.", [1, 2])
    assert supporting(claim, q, evidence) == [2]


def test_the_models_own_as_of_date_is_replaced_by_the_date_of_the_article_holding_the_figure():
    from qa.answer.reader import parse_draft
    from qa.answer.verify import dated

    (claim,) = parse_draft("As of 20 January 2026, 9,300 of the recalled fryers have been returned [2][1].")
    assert claim.text == "9,300 of the recalled fryers have been returned." and claim.cites == [2, 1]
    # Cited for a name beside the figure, the newer report does not date the sentence.
    ((text, _),) = dated([(claim.text, [2, 1])], _reports(RECALL))
    assert text.startswith("As of 2 December 2025, 9,300")
    # A sentence that gives an earlier report's date is still dated by the newest figure's report.
    two = "The fryers returned rose to 27,640, up from 9,300 on 2 December 2025."
    ((text, _),) = dated([(two, [1, 2])], _reports(RECALL))
    assert text.startswith("As of 20 January 2026, the fryers")


def test_another_reports_figure_is_placed_by_the_date_of_the_answers_figure():
    from qa.answer.verify import compose, with_reports

    evidence = _reports(RECALL)
    answer = compose("How many fryers have been returned?",
                     [("As of 2 December 2025, 9,300 fryers have been returned.", [2, 1])], evidence, mode="generated")
    # The newer article is cited beside the figure (for a name), but the figure is the older report's.
    newer = _reports([("herald", "2026-01-20", RECALL[0][2])])[0]
    out = with_reports(answer, [(newer, "27,640")])
    assert out.text.startswith("The latest report, Example herald on 20 January 2026, gives 27,640 [1].")


def test_another_report_read_back_as_a_sentence_is_said_not_given():
    from qa.answer.verify import compose, with_reports
    from qa.names import statement

    assert statement("Yes, the recall is still growing, and it is 27,640 fryers") == \
        "the recall is still growing, and it is 27,640 fryers"
    assert statement("27,640 fryers") is None and statement("eight months before the next election") is None
    evidence = _reports(RECALL)
    answer = compose("Is the recall still growing?", [("9,300 fryers have been returned.", [2])], evidence,
                     mode="generated")
    newer = _reports([("herald", "2026-01-20", RECALL[0][2])])[0]
    out = with_reports(answer, [(newer, "Yes, 27,640 fryers have been returned")])
    assert out.text.startswith("The latest report, Example herald on 20 January 2026, says 27,640 fryers have "
                               "been returned [1].")


def test_the_passages_beside_the_best_hits_are_read_too():
    from qa.answer.evidence import with_neighbours

    text = "Microsoft announced 10,000 job cuts. The cuts come now, its CEO Satya Nadella said. Shares rose."
    art = Article(id="m", title="Microsoft", text=text, source="usatoday.com", published="2023-01-18")
    spans = [(0, 36), (37, 82), (83, 95)]
    passages = [Passage(f"m:{i}", "m", i, a, b, text[a:b]) for i, (a, b) in enumerate(spans)]
    found = [Hit(passage=passages[0], article=art, rank=1, fused=0.03)]
    hits = with_neighbours(found, lambda aid: passages if aid == "m" else [], 4)
    assert [h.passage.id for h in hits] == ["m:0", "m:1"]  # the next passage; there is none before
    assert hits[1].fused == 0.03 and hits[1].rank == 2
    assert with_neighbours(found, lambda aid: passages, 0) == found
    # Two neighbouring hits: the passage after the second is added once, the hits are not repeated.
    both = [Hit(passage=passages[1], article=art, rank=1, fused=0.03), Hit(passage=passages[0], article=art, rank=2,
                                                                            fused=0.02)]
    hits = with_neighbours(both, lambda aid: passages, 4)
    assert [h.passage.id for h in hits] == ["m:1", "m:0", "m:2"] and hits[2].fused == 0.02


def test_a_claim_in_the_models_own_words_is_not_supported_by_the_sentence_it_cites():
    evidence = _evidence(["This oven is a baker's delight that evenly bakes anything from cookies to a dense cake.",
                          "More than 10,000 Ukrainian troops have trained at U.K. bases, and Britain said 20,000 "
                          "more will do so this year."])
    question = "How do I bake sourdough bread?"
    recipe = Claim("To bake sourdough bread, prepare the starter, mix the flour and water, let the dough rise, "
                   "shape a loaf and bake it in a preheated oven.", [1])
    assert supporting(recipe, question, evidence) == []
    # The article's words, in another form and order, with its outlet named: supported.
    trained = Claim("According to usatoday.com, Britain said another 20,000 Ukrainian troops would train at U.K. bases "
                    "this year.", [2])
    assert supporting(trained, "How many Ukrainian soldiers will Britain train this year?", evidence) == [2]



def test_figures_of_reports_of_different_days_are_not_run_together():
    evidence = _reports([("Wire", "2031-03-02", "The Tollan harbour fund has now raised 7.2 million pounds."),
                         ("Post", "2031-01-20", "Donations to the Tollan harbour fund reached 4.1 million pounds."),
                         ("Mail", "2030-12-01", "The Tollan harbour fund opened with 0.9 million pounds.")])
    q = "How much has the Tollan harbour fund raised so far?"
    blend = [("The Tollan harbour fund has raised 4.1 million pounds, 7.2 million pounds and 0.9 million pounds",
              [2, 1, 3])]
    answer = unblended(q, blend, evidence)
    assert answer is not None and [c.article_id for c in answer.citations] == ["Wire", "Post", "Mail"]
    assert answer.text == ("Example Wire (2 March 2031) reports: “The Tollan harbour fund has now raised 7.2 million "
                           "pounds.” [1] Example Post (20 January 2031) gives 4.1 million pounds [2]. Example Mail "
                           "(1 December 2030) gives 0.9 million pounds [3].")
    dated_itself = [("The fund has raised 7.2 million pounds, up from 4.1 million pounds on 20 January 2031", [1, 2])]
    one_report = [("The fund has raised 7.2 million pounds and 4.1 million pounds", [1])]
    two_things = [("The fund has raised 7.2 million pounds in 14 weeks", [1, 2])]
    a_range = [("The fund has raised between 4.1 million pounds and 7.2 million pounds", [1, 2])]
    more = blend + [("It was set up by the Tollan council", [1])]
    assert unblended(q, dated_itself, evidence) is None
    assert unblended(q, one_report, evidence) is None
    assert unblended(q, two_things, evidence) is None
    assert unblended(q, a_range, evidence) is None
    assert unblended(q, more, evidence) is None  # the blend is not allowed to take a checked sentence with it
    packages = _reports([("Wire", "2031-03-02", "The first two packages were worth $500 million and $300 million."),
                         ("Post", "2031-01-20", "A third package is worth $200 million.")])
    listed = [("The packages were worth $500 million, $300 million and $200 million", [1, 2])]
    assert unblended("How much were the packages worth?", listed, packages) is None  # different things


def test_the_models_own_dates_and_the_prompts_words_are_not_part_of_the_answer():
    from qa.answer.reader import parse_draft

    for draft in ("As of January 2023, Microsoft cut 10,000 jobs [1].",
                  "As of 18 January 2023, as of January 2023, Microsoft cut 10,000 jobs [1].",
                  "As of 2023, according to the information provided, Microsoft cut 10,000 jobs [1].",
                  "Based on the given sentences, Microsoft cut 10,000 jobs [1].",
                  "Microsoft cut 10,000 jobs, according to the text [1].",
                  "According to the information provided in the sentences, Microsoft cut 10,000 jobs [1].",
                  "Microsoft cut 10,000 jobs, according to the information given in the articles [1]."):
        (claim,) = parse_draft(draft)
        assert claim.text == "Microsoft cut 10,000 jobs.", draft
    # A source named is kept, and so is a date that is the sentence's own.
    (claim,) = parse_draft("According to the Interfax-Ukraine article, Dragone announced it [1].")
    assert claim.text == "According to the Interfax-Ukraine article, Dragone announced it."
    (claim,) = parse_draft("In January 2023, Microsoft cut 10,000 jobs [1].")
    assert claim.text == "In January 2023, Microsoft cut 10,000 jobs."


def test_a_date_counted_from_the_reports_date_is_held_by_the_sentence_that_names_the_day():
    evidence = _evidence(["Cyril Ramaphosa, who delivered the main eulogy during the service on Saturday, "
                          "called Tutu a moral giant."], published="2022-01-03")  # a Monday
    q = "Who delivered the main eulogy at Tutu's funeral, and on what day was it held?"
    claim = Claim("Cyril Ramaphosa delivered the main eulogy at Tutu's funeral on Saturday, 1 January 2022.", [1])
    assert supporting(claim, q, evidence) == [1]
    claim = Claim("Cyril Ramaphosa delivered the main eulogy at Tutu's funeral on Saturday, 25 December 2021.", [1])
    assert supporting(claim, q, evidence) == []


def test_an_uncited_claim_is_matched_by_the_words_it_adds_to_the_question():
    evidence = _evidence(["Family and friends gathered for Archbishop Desmond Tutu's state funeral in Cape Town.",
                          "South African President Cyril Ramaphosa, who delivered the main eulogy during the service "
                          "on Saturday, hailed Tutu."], published="2022-01-01")
    q = "Who delivered the main eulogy at Archbishop Desmond Tutu's state funeral in Cape Town?"
    claim = Claim("Cyril Ramaphosa delivered the main eulogy at Archbishop Desmond Tutu's state funeral in Cape "
                  "Town on Saturday.", [])
    assert supporting(claim, q, evidence) == [2]
    # The question's words alone find nothing: the claim's own must be there.
    claim = Claim("Thabo Mbeki delivered the main eulogy at Archbishop Desmond Tutu's state funeral in Cape Town.", [])
    assert supporting(claim, q, evidence) == []


def test_when_is_answered_by_a_date_the_sentence_states_not_by_the_reports_date():
    headline = _evidence(["Ferry strike cancels 64 sailings to Tarrow Isle"], published="2026-05-06")
    q = "When did the Tarrow Isle ferry strike come to an end?"
    assert supporting(Claim("The Tarrow Isle ferry strike came to an end on 6 May 2026.", [1]), q, headline) == []
    # The report's date still dates what the report says, for a question that does not ask when.
    claim = Claim("On 6 May 2026, the strike had cancelled 64 sailings to Tarrow Isle.", [1])
    assert supporting(claim, "How many sailings has the ferry strike cancelled?", headline) == [1]
    # A relative date in the sentence stands for its day: "last Friday" in a Wednesday's report.
    ended = _evidence(["The three-week strike that ended last Friday cost the company EUR 1.3 million."],
                      published="2026-05-27")
    assert supporting(Claim("The ferry strike came to an end on 22 May 2026.", [1]), q, ended) == [1]
    assert supporting(Claim("The ferry strike came to an end on 27 May 2026.", [1]), q, ended) == []
    today = _evidence(["The strike ended this morning, the union said."], published="2026-05-22")
    assert supporting(Claim("The ferry strike came to an end on 22 May 2026.", [1]), q, today) == [1]
    # The report's year completes a day or month the sentence gives without one.
    early = _evidence(["The first package was financed by the Netherlands in early August."], published="2025-08-23")
    claim = Claim("The Netherlands financed the first package in early August 2025.", [1])
    assert supporting(claim, "When was the first package financed?", early) == [1]


def test_a_claim_dated_to_another_time_than_asked():
    q = "What share of the vote did Scott Rolen get when he was elected to the Hall of Fame in January 2023?"
    assert another_time("Rolen received 10.2% in his first year and reached 62% in 2022.", q)
    assert not another_time("Rolen received 76.3% of the vote in January 2023, up from 62% in 2022.", q)
    assert not another_time("Rolen received 76.3% of the vote, up from 62% in 2022.", q)  # a comparison
    assert not another_time("Rolen received 76.3% of the vote.", q)  # no time of its own
    # A period that runs on ("since ...") or that began before ("until ...") meets the time asked about.
    dodo = "How much did Colossal raise along with its plan to bring back the dodo in January 2023?"
    assert not another_time("It raised $150 million, boosting to $225 million its funding since the company's "
                            "September 2021 debut.", dodo)
    assert not another_time("It will spend $40 million a year until 2027.", "How much will it spend in 2025?")
    assert another_time("It raised $75 million in March 2022.", dodo)
    # So does a question's own "since" or "after".
    assert not another_time("Jupiter has 92 moons as of February 2023.",
                            "How many moons has Jupiter gained since 2020?")
    # A bound is not a time asked about: the latest figure before it answers.
    assert not another_time("The repairs were put at 4 million euros on 31 July 2025.",
                            "What was the repair bill by the end of September 2025?")
    # Only a figure is held to the time asked about: "when" is answered by another date by nature.
    assert not another_time("The cuts will be completed in March 2023.",
                            "When will the job cuts Microsoft announced in January 2023 be completed?")
    assert not another_time("In January 2021, Biden named Janet Yellen.",
                            "Whom did Biden name after the 2020 election?")
    # A sentence quoted as the answer is held to the time asked about, whatever the question asks.
    onj = "Where and when was the memorial service for Olivia Newton-John held after her death in August 2022?"
    assert another_time("Newton-John celebrates at a charity walk in Melbourne in 2013.", onj, quoted=True)
    assert not another_time("A memorial was held in Melbourne on 26 February 2023.", onj, quoted=True)
    assert another_time("In 2019 the prize went to Abiy Ahmed.", "Who won the 2022 Nobel Peace Prize?", quoted=True)
    assert not another_time("The cuts will be completed in March 2023.",
                            "When will the job cuts Microsoft announced in January 2023 be completed?", quoted=True)


def test_a_name_question_is_answered_by_something_it_does_not_name():
    q = "Which hacking group was blamed for the March 2022 theft from Axie Infinity's Ronin Network?"
    assert not gives_name("The hackers blamed for the theft from Axie Infinity's Ronin Network were the Ronin "
                          "Network.", q)
    assert gives_name("The Lazarus Group was blamed for the theft.", q)
    assert gives_name("It was held in March.", "Which month was the concert held in?")
    assert gives_name("Microsoft, in January.", "Which company announced job cuts, and when?")
    assert not gives_name("It was swapped on Thursday.", "In which city did Russia swap the prisoners?")
    assert gives_name("Ukrainian officials compiled it.", "Who compiled the list?")
    assert not gives_name("Ukraine compiled it.", "Who compiled Ukraine's list?")
    assert not gives_name("It was swapped in Russia.", "In which city did Russia swap the prisoners?")
    # A description that names nothing may answer it.
    assert gives_name("An anonymous ticket holder won it.", "Who won the Mega Millions jackpot?")
    assert gives_name("A faulty software update caused it.", "Who was responsible for the FAA outage?")
    # Not a question for a name: "who" or "which" in a clause, or no "who" or "which" at all.
    assert gives_name("She said she would keep working at Walmart.", "What did the woman who won the lottery say?")
    assert gives_name("The issue is still in its infancy.", "What stage is the peacekeepers issue at?")
    assert gives_name("The third package.", "Which of the PURL packages did Germany finance?")


def test_the_time_asked_about_is_the_one_in_the_last_sentence():
    q = ("Which Microsoft chief executive announced 10,000 job cuts in January 2023? Roughly how many people "
         "does his company employ?")
    assert not another_time("The company employs about 221,000 people, as of June 30, 2022.", q)


def test_a_reply_cut_off_in_a_word_is_told_apart():
    texts = ["The number of patients waiting has reached 4,812, the board was told.",
             "Rep. Matt Gaetz nominated Rep. Jim Jordan in the twelfth round."]
    assert cut_short("Yes, the list is still growing, and it is 4,81", texts)
    assert cut_short("Gaetz nominated Jim Jor", texts)
    # A reply that ends in a word of the texts, in punctuation, or in a word that begins none.
    assert not cut_short("it is 4,812", texts)
    assert not cut_short("it is 4,812.", texts)
    assert not cut_short("Jim Jordan", texts)
    assert not cut_short("unknown", texts)
    assert not cut_short("", texts)
    assert not cut_short("Jim Jordan of Ohio", texts)


def test_a_reply_of_words_copied_from_a_sentence_is_told_from_one_in_the_models_words():
    from qa.answer.verify import copied

    sentence = "So far 9,300 of the recalled fryers have been returned to shops, the company’s spokesman said."
    assert copied("9,300", sentence)
    assert copied("“9,300 of the recalled fryers.”", sentence)
    assert copied("The Company's  spokesman", sentence)
    assert not copied("It was returned.", sentence)
    assert not copied("9,300 fryers", sentence)
    assert not copied("", sentence) and not copied(".", sentence)


@pytest.mark.parametrize("sentence, quoted", [
    ('The third was financed by Germany in the middle of the month," he said.',
     "‘The third was financed by Germany in the middle of the month,’ he said."),  # the quotation began earlier
    ('"There are three packages," he said.', "‘There are three packages,’ he said."),
    ('He said: "We will match the figure', "He said: ‘We will match the figure’"),  # ... and goes on after
    ("He said “yes” twice.", "He said ‘yes’ twice."),
    ("No quotation here.", "No quotation here."),
])
def test_a_quoted_sentence_nests_its_own_quotation_marks_in_pairs(sentence, quoted):
    assert nested_quote(sentence) == quoted
