"""The yes/no verifier probe's pairs (``evals.verifier_probe``): what it measures, without the model."""

from evals.evaluate import fact_present
from evals.verifier_probe import HARD, Pair, pairs, summary


def test_each_answerable_dev_question_has_its_support_and_near_topic_sentences_without_its_facts():
    made = pairs()
    positives = [p for p in made if p.states]
    negatives = [p for p in made if not p.states]
    assert len(positives) >= 40 and len(negatives) >= 2 * len(positives) - 5
    assert all(len(p.text.split()) >= 5 for p in made)
    asked = "How much has PURL delivered so far?"
    assert any("one and a half billion" in p.text for p in positives if p.question == asked)
    delivered = [p.text for p in negatives if p.question == asked]
    assert len(delivered) == 2 and not any("one and a half billion" in t for t in delivered)
    assert [(p.question, p.text) for p in made[-len(HARD):]] == HARD


def test_a_near_topic_sentence_holds_none_of_its_questions_facts():
    import yaml

    from evals.evaluate import SPLITS

    facts: dict[str, list[list[str]]] = {}
    for item in yaml.safe_load(SPLITS["dev"].read_text())["items"]:
        for n, turn in enumerate(item.get("turns") or [item], 1):
            ident = item["id"] if turn is item else f"{item['id']}#{n}"
            facts[ident] = turn.get("facts") or []
    negatives = [p for p in pairs() if not p.states and p.item]
    assert len(negatives) >= 80
    for p in negatives:
        assert facts[p.item] and not any(fact_present(forms, p.text) for forms in facts[p.item]), p


def test_the_summary_counts_a_gate_at_each_threshold():
    scored = [(Pair("q", "a b c d e", True), 0.9), (Pair("q", "a b c d e", True), 0.4),
              (Pair("q", "f g h i j", False), 0.6), (Pair("q", "f g h i j", False), 0.1)]
    scored += [(Pair(q, s, False), 0.2) for q, s in HARD]
    result = summary(scored)
    assert result["positives"] == 2 and result["negatives"] == 4
    assert result["auc"] == round((4 + 3) / 8, 3)  # 0.9 beats all four; 0.4 beats 0.1, 0.2 and 0.2
    gate = {g["threshold"]: g for g in result["gate"]}
    assert gate[0.5] == {"threshold": 0.5, "positives_kept": 1, "negatives_rejected": 3}
    assert result["hard"] == [0.2, 0.2]
