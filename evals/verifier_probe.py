"""Would a yes/no question to the reader make a good answer check? A measurement on the dev split.

Issue 9 names a constrained yes/no verification as one fair way to check that a cited sentence
states *this* answer to *this* question. This probe asks the embedded reader, for pairs of a dev
question and one sentence of its article, "Does the text state the answer to this question?" and
reads the probability of "yes" against "no" from its first token. Positive pairs: each answerable
dev question with its support sentence. Negative pairs: the two sentences of the same article that
share the most content words with the question and hold none of its facts (the near-topic
sentences a wrong slot comes from). ``HARD`` adds the sentences the bot cites for two dev questions
it should refuse in the distractor setting (from ``qa eval``'s report).

Reported: the area under the ROC curve, and at each threshold how many positives a gate would keep
and how many negatives it would reject. Run: ``python -m evals.verifier_probe [--json]``.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from qa.ingest.chunk import sentence_spans
from qa.text import content_words

from .evaluate import ROOT, SPLITS, fact_present

SYSTEM = "You judge whether a text states the answer to a question. Reply yes or no."
THRESHOLDS = (0.3, 0.5, 0.7, 0.9)
HARD = [  # the sentences cited for two dev questions the bot answers with distractors but should refuse
    ("How many soldiers will Britain send to Ukraine?",
     "More than 10,000 Ukrainian troops have trained at U.K. bases, and Britain said 20,000 more will do so "
     "this year."),
    ("What is the capital of France?",
     "Paris authorities barricaded the presidential palace and deployed 6,000 police as activists – many in "
     "yellow vests representing France’s year-old movement for economic justice – gathered for a major march "
     "through the capital."),
]


@dataclass
class Pair:
    question: str
    text: str
    states: bool  # the text states the answer
    item: str = ""  # the dev item's id


def sentences(text: str) -> list[str]:
    """The article's sentences as the evidence splits them, of five words or more."""
    return [text[a:b] for a, b in sentence_spans(text) if len(text[a:b].split()) >= 5]


def pairs(gold_path: Path = SPLITS["dev"], negatives: int = 2) -> list[Pair]:
    """A positive pair per answerable question with a support sentence, and ``negatives`` near-topic
    sentences of its article that hold none of its facts."""
    gold = yaml.safe_load(gold_path.read_text())
    articles = {key: (ROOT / path).read_text() for key, path in gold["articles"].items()}
    out: list[Pair] = []
    for item in gold["items"]:
        for n, turn in enumerate(item.get("turns") or [item], 1):
            article = turn.get("article") or item.get("article")
            if not (turn.get("facts") and article and turn.get("support")):
                continue
            question, support, facts = turn["question"], turn["support"], turn["facts"]
            candidates = sentences(articles[article])
            ident = item["id"] if turn is item else f"{item['id']}#{n}"
            out.append(Pair(question, next((s for s in candidates if support in s), support), True, ident))
            asked = content_words(question)
            near = [s for s in candidates if support not in s and not any(fact_present(f, s) for f in facts)]
            near.sort(key=lambda s: -len(asked & content_words(s)))
            out += [Pair(question, s, False, ident) for s in near[:negatives]]
    return out + [Pair(q, s, False) for q, s in HARD]


def p_yes(server: Any, question: str, text: str) -> float:
    """P(yes) / (P(yes) + P(no)) of the reader's first token (temperature 0, one token)."""
    request = {"messages": [{"role": "system", "content": SYSTEM},
                            {"role": "user", "content": f"Text: {text}\nQuestion: {question}\n"
                                                        "Does the text state the answer to this question? "
                                                        "Reply yes or no."}],
               "temperature": 0.0, "max_tokens": 1, "logprobs": True, "top_logprobs": 10}
    top = server.handle_chat_completions(request)["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
    yes = sum(math.exp(t["logprob"]) for t in top if t["token"].strip().lower() == "yes")
    no = sum(math.exp(t["logprob"]) for t in top if t["token"].strip().lower() == "no")
    return yes / (yes + no) if yes + no else 0.5


def summary(scored: list[tuple[Pair, float]]) -> dict[str, Any]:
    pos = [p for pair, p in scored if pair.states]
    neg = [p for pair, p in scored if not pair.states]
    auc = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg) / (len(pos) * len(neg))
    return {"positives": len(pos), "negatives": len(neg), "auc": round(auc, 3),
            "hard": [round(p, 3) for pair, p in scored[-len(HARD):]],
            "gate": [{"threshold": t, "positives_kept": sum(p >= t for p in pos),
                      "negatives_rejected": sum(p < t for p in neg)} for t in THRESHOLDS]}


def main() -> None:
    from qa.config import load_settings
    from qa.llm.embedded import EmbeddedLLM
    from qa.llm.gguf import embedded_model_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args()
    settings = load_settings()
    llm = EmbeddedLLM(embedded_model_path(settings.cache_dir, settings.llm_model), ctx=2048)
    scored = []
    for pair in pairs():  # the engine's own request API: log-probabilities are not part of the LLM protocol
        scored.append((pair, p_yes(llm._server, pair.question, pair.text)))
        if not args.json:
            print(f"{'states' if pair.states else 'near  '} {scored[-1][1]:.3f}  {pair.question[:60]} | "
                  f"{pair.text[:80]}", flush=True)
    result = summary(scored)
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
