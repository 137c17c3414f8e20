"""Evidence: the sentences of the retrieved passages that may answer the question, and the gate
that keeps questions about things no retrieved article mentions from being answered at all."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .. import guard
from ..dates import MONTHS, WEEKDAYS, TimeFrame, named_periods, parse_date
from ..ingest.chunk import sentence_spans
from ..names import names, typed_names
from ..records import Hit, Passage
from ..retrieve import RRF_K
from ..text import content_words, normalise_words, similar_word, undotted
from .facts import CURRENCY_NAMES, ORDINAL_WORDS, quantities, without_measures


@dataclass
class Evidence:
    """A sentence of a retrieved passage that may support an answer."""

    hit: Hit
    start: int  # offsets in the article
    end: int
    text: str
    score: float  # relevance to the question
    context: str = ""  # the sentence before it in the article: "this" in "this primarily concerns ..."


def candidate_sentences(hits: Sequence[Hit]) -> list[Evidence]:
    """Every sentence of the hits that asserts something: not a question, not a photo credit, and
    not text that instructs an AI or tells the reader what to answer (see ``qa.guard``)."""
    out: list[Evidence] = []
    seen: set[tuple[str, int]] = set()
    for hit in hits:
        art, p = hit.article, hit.passage
        previous = ""
        # From a little before the passage, so that its first sentence has its predecessor too.
        for a, b in with_lists(art.text, sentence_spans(art.text, max(0, p.start - 400), p.end)):
            text = art.text[a:b]
            context, previous = previous, text
            if a < p.start or (art.id, a) in seen or text.rstrip("\"'”’ ").endswith("?") or is_credit(text) \
                    or guard.is_flagged(art.text, a, b):
                continue
            seen.add((art.id, a))
            out.append(Evidence(hit, a, b, text, 0.0, context))
    return out


# A credit line under a photo: names joined by slashes, nothing else ("Jens Meyer/AP", "Ahmad Sahel
# Arman/AFP/Getty Images", "Tyler Hicks/The New York Times/Redux").
_CREDIT = re.compile(r"[A-Z][\w.'’&-]*(?:[ /]+(?:[A-Z0-9][\w.'’&-]*|of|via|the|de|for|and))*")


def is_credit(text: str) -> bool:
    """Each part between slashes a short name (not "AC/DC Announce New Tour Dates"), and no full stop."""
    bare = text.strip(" \n\"'“”‘’")
    if "/" not in bare or bare.endswith(".") or not _CREDIT.fullmatch(bare):
        return False
    return all(part[:1].isupper() and len(part.split()) <= 4 for part in re.split(r"\s*/+\s*", bare))


def distinct(sentences: Sequence[Evidence], n: int) -> list[Evidence]:
    """The first ``n`` sentences, skipping any that repeats one already taken: the same words and
    figures (a headline syndicated by several outlets, or repeated on several days)."""
    out: list[Evidence] = []
    for e in sentences:
        words = content_words(e.text)
        figures = sorted(q.value for q in quantities(e.text))
        if not any(figures == sorted(q.value for q in quantities(o.text)) and
                   len(words & (seen := content_words(o.text))) >= 0.8 * len(words | seen) for o in out):
            out.append(e)
        if len(out) == n:
            break
    return out


def with_lists(text: str, spans: Sequence[tuple[int, int]], items: int = 8, item_chars: int = 120
               ) -> list[tuple[int, int]]:
    """Sentences, with a sentence that introduces a list ("The companies that cut the most jobs
    include:") extended over the short lines that follow it ("Meta: 11,000", "Amazon: 10,000"): apart,
    neither says what the list is of."""
    out = []
    for k, (a, b) in enumerate(spans):
        if text[a:b].endswith(":"):
            for c, d in spans[k + 1:k + 1 + items]:
                if d - c > item_chars or text[c:d].endswith(":"):
                    break
                b = d
        out.append((a, b))
    return out


def rank(question: str, sentences: list[Evidence], similarity: Callable[[str, Sequence[str]], list[float]],
         n: int) -> list[Evidence]:
    """The ``n`` sentences most relevant to the question: meaning (cosine of the sentence, or its mean
    with that of the sentence read after the one before it, which often holds its subject) plus the
    share of the question's words they contain, plus a little when they hold the kind of figure asked
    for. Best first."""
    if not sentences:
        return []
    windows = [f"{e.context} {e.text}".strip() for e in sentences]
    sims = similarity(question, [e.text for e in sentences] + windows)
    qwords = content_words(question)
    kind = figure_kind(question)
    for i, e in enumerate(sentences):
        # The sentence before can lend meaning, not take over: at most half of the window's score.
        sim = max(sims[i], (sims[i] + sims[len(sentences) + i]) / 2)
        overlap = len(qwords & content_words(e.text)) / max(len(qwords), 1)
        e.score = sim + 0.3 * overlap + (0.1 if kind and holds_figure(e.text, kind, question) else 0.0)
    # Best first: small models lean on what they read first (measured on the dev split: in article
    # order the 1.5B model answered "How much has PURL delivered so far?" from the 2025 aid total).
    ranked = sorted(sentences, key=lambda e: -e.score)
    if kind is None and (wanted := name_kind(question)) is not None:
        # The same little for a name of the kind asked that the question does not already name (the
        # names are tagged for the best sentences only: a few milliseconds each).
        for e in ranked[:_NAMED]:
            if names_new(e.text, question, wanted):
                e.score += 0.1
        ranked = sorted(ranked, key=lambda e: -e.score)
    return ranked[:n]


_NAMED = 20  # sentences whose names are tagged for the kind of name asked for


def with_neighbours(hits: Sequence[Hit], passages_of: Callable[[str], Sequence[Passage]], n: int) -> list[Hit]:
    """The hits and the passages either side of the ``n`` best (an answer often sits in the paragraph
    after the one that matched: "The cuts come ..., the company's CEO Satya Nadella said" follows
    "Microsoft announced 10,000 job cuts"). A neighbour enters as the last of the hits; its sentences
    then compete with the others' (``rerank``)."""
    out = list(hits)
    if not hits:
        return out
    have = {h.passage.id for h in hits}
    last = min(h.fused for h in hits)
    for h in sorted(hits, key=lambda h: h.rank)[:n]:
        for p in passages_of(h.article.id):
            if abs(p.index - h.passage.index) == 1 and p.id not in have:
                have.add(p.id)
                out.append(Hit(passage=p, article=h.article, rank=len(out) + 1, fused=last))
    return out


def rerank(question: str, hits: Sequence[Hit], similarity: Callable[[str, Sequence[str]], list[float]],
           newest_first: bool = False, frame: TimeFrame | None = None) -> tuple[list[Hit], list[Evidence]]:
    """The hits in a better order, and all their sentences ranked (best first).

    A passage of 400 characters is a blurred target for one embedding; its best sentence (scored by
    :func:`rank`) is a sharper one. That sentence order is a third ranking, fused with the dense
    and BM25 rankings the way they were fused with each other (reciprocal rank, same constant), so
    no weight is tuned. A question about the latest state of things adds a fourth ranking, by
    publication date, newest first; one that names a time ("back in February 2026") a ranking by
    how near its publication is to that time. Ranks are renumbered: a hit's rank is its place in
    what the reader is offered."""
    sentences = rank(question, candidate_sentences(hits), similarity, len(hits) * 40)
    place: dict[str, int] = {}
    for e in sentences:
        place.setdefault(e.hit.passage.id, len(place) + 1)
    unplaced = len(place) + 1  # a passage with no sentence to offer (only questions, or flagged text)
    fused = {h.passage.id: h.fused + 1.0 / (RRF_K + place.get(h.passage.id, unplaced)) for h in hits}
    if newest_first:
        dates = sorted({h.article.published or "" for h in hits}, reverse=True)
        for h in hits:
            fused[h.passage.id] += 1.0 / (RRF_K + dates.index(h.article.published or "") + 1)
    elif frame is not None and frame.during:
        near = sorted({frame.distance(h.article.published) for h in hits})
        for h in hits:
            fused[h.passage.id] += 1.0 / (RRF_K + near.index(frame.distance(h.article.published)) + 1)
    ordered = sorted(hits, key=lambda h: -fused[h.passage.id])
    for i, h in enumerate(ordered, 1):
        h.rank = i
    return ordered, sentences


_MONTHS = MONTHS + WEEKDAYS
_TIME = re.compile(r"\b(1[89]\d\d|20\d\d|\d{1,2}:\d{2}|ago|yesterday|today|tonight|tomorrow|"
                   r"last (week|month|year)|next (day|week|month|year)|(early|mid|late|middle of the) ?\w*|"
                   + "|".join(_MONTHS) + r")\b", re.IGNORECASE)
_AGE = re.compile(r"\b(\d{1,3}[- ]years?[- ]old|aged \d{1,3}|age of \d{1,3}|\d{1,3}, )", re.IGNORECASE)


def last_sentence(text: str) -> str:
    """The last sentence of a question: the question itself, after any context a follow-up carries."""
    spans = sentence_spans(text)
    return text[spans[-1][0]:spans[-1][1]] if spans else text


def asked_part(question: str) -> str:
    """The question a text asks last: a follow-up joined to the question before it ("How much did the
    gala raise? When was it held?") asks for a time, not money."""
    last = last_sentence(question)
    return last if last.rstrip().endswith("?") else question


def figure_kind(question: str) -> str | None:
    """The kind of figure a question asks for ("count": how many; "money": how much money, how much
    did it cost or raise; "quantity": how much, what share; "age", "time"), or None. Of a follow-up
    joined to the question before it, the kind the follow-up asks for."""
    q = asked_part(question).lower()
    if re.search(r"\bhow old\b|\bwhat age\b", q):
        return "age"
    if _MONEY.search(q):
        return "money"
    if re.search(r"\bhow many\b(?! (?:percent|per cent)\b)", q):
        return "count"
    if re.search(r"\bhow (much|many|big|large|long|far|high)\b|\b(what|which) (share|percentage|percent|proportion|"
                 r"number|amount|value|sum|total)\b", q):
        return "quantity"
    if re.search(r"^\s*when\b|\b(what|which) (year|date|day|month|time)\b|\bwhen (was|did|were|is|will)\b", q):
        return "time"
    return None


def name_kind(question: str) -> frozenset[str] | None:
    """The kinds of name (see ``qa.names.typed_names``) that may answer a question: someone for "who",
    a place for "where", any name for "which" or "what" thing ("Which team ...?", "What hospital ...?");
    None when it asks for no name. The empty set: any kind."""
    q = asked_part(question).lower()
    if re.search(r"\b(who|whom|whose)\b", q):
        return frozenset({"person", "organisation", ""})
    if re.search(r"^\s*where\b|\bwhere (is|was|were|did|does|do|will|are)\b", q):
        return frozenset({"place", ""})
    if re.search(r"\b(which|what) (?!kind|type|sort|is|was|were|are|did|does|do|will|has|have|had|can|could|"
                 r"would|should|happened|caused|made|led)[a-z]+\b", q):
        return frozenset()
    return None


def names_new(text: str, question: str, kinds: frozenset[str] = frozenset()) -> bool:
    """``text`` names something (of one of these kinds; any when none) that the question does not
    ("U.S." is the question's "US")."""
    asked = set(normalise_words(undotted(question)).split())
    return any(not set(normalise_words(undotted(n)).split()) <= asked and (not kinds or k in kinds)
               for n, k in typed_names(text))


def holds_figure(text: str, kind: str, question: str = "") -> bool:
    if kind == "quantity":
        return bool(quantities(text))
    if kind == "money":  # an amount in a currency: not "251 sailings"
        return any(q.currency for q in quantities(text))
    if kind == "count":  # a number of things ("twice", "dozens"): not a share, not money, not a year or a
        # date, not a measure ("How many rail cars?" is not answered by "50 miles"), unless it is what the
        # question counts ("How many days?")
        text = without_measures(without_periods(text, named_periods(text)), question)
        return bool(_COUNT_WORDS.search(text)) or any(not q.percent and q.currency is None for q in quantities(text))
    if kind == "age":
        return bool(_AGE.search(text))
    return bool(_TIME.search(text))


def answers_kind(short: str, kind: str | None, question: str = "", sentence: str = "") -> bool:
    """A short answer is of the kind the question asks for: "how many employees?" is not answered by
    "20%", nor "how much?" by a name; nor "how many rail cars?" by the "50" of "50 miles" in the
    ``sentence`` it is found in."""
    if kind not in FIGURES:
        return True
    if not holds_figure(short, kind, question):
        return False
    if kind != "count" or not sentence:
        return True
    figures = quantities(short)  # none for "dozens"
    counts = quantities(without_measures(sentence, question))
    return not figures or any(f.matches(c) for f in figures for c in counts)


FIGURES = ("quantity", "count", "money")  # the kinds answered by a number
# Money is asked for as money ("how much money", "how many dollars") or by a verb of price that ends its
# clause ("How much did it cost?", "How much did Musk pay for Twitter?", "How much is it worth?"); not by
# "how much time did she spend", "how much did the Fed raise interest rates" or "how much did costs rise".
_MONEY = re.compile(
    r"\bhow much (?:money|cash)\b|\bhow many (?:" + "|".join(CURRENCY_NAMES) + r")\b"
    r"|\bhow much (?:did|does|do|is|was|were|are|will|would|could|can|has|have|had)\b.*"
    r"\b(?:cost|pay|paid|spend|spent|raise|raised|earn|earned|sell for|sold for|fetch|fetched|worth)\b"
    r"(?=\s*(?:$|[?.,!;]|(?:for|on|in|to|from|at|by|over|per|so far|last|this|each|altogether)\b))")


_POSSESSIVE = re.compile(r"['’]s\b")
_COUNT_WORDS = re.compile(r"\b(once|twice|thrice|dozens?|scores of|hundreds|thousands|millions|no one|nobody|"
                          r"none)\b", re.IGNORECASE)
# An ordinal that ranks names no thing: "came (in) second", "ranks third", "finished fourth",
# "second-placed", "in third place", "second-most", "third largest".
_ORDINAL = re.compile(r"\b([a-z]+)\b(?![- ](?:most|least|best|worst|[a-z]+est|place|placed)\b)")
_RANKED_BY = re.compile(r"\b(?:came|come|comes|coming|finished|finish|finishes|finishing|placed|ranked|rank|"
                        r"ranks|ranking)(?: in)? $")


def _unranked_ordinals(question: str) -> list[str]:
    text = question.lower()
    return [m.group(1) for m in _ORDINAL.finditer(text)
            if m.group(1) in ORDINAL_WORDS and not _RANKED_BY.search(text[:m.start()])]


def _mentions(name: list[str], sequence: list[str], words: set[str]) -> bool:
    """The words of a name occur in the text side by side, in order, each exactly or nearly (a typo,
    a plural): "Harbour Line" is not mentioned by an article with "harbor" in one place and "line" in
    another. Digits are left to the figure check ("Super Bowl 57" and "Super Bowl LVII"). A name of
    four words or more may be two names run together by the tagger ("Baseball Writers' Hall of Fame"):
    each of its two parts of two words or more is then mentioned on its own."""
    name = [w for w in name if not w.isdigit()]
    if not all(similar_word(w, words) for w in name):
        return False
    if len(name) < 2:
        return True
    return _side_by_side(name, sequence) or any(
        _side_by_side(name[:k], sequence) and _side_by_side(name[k:], sequence) for k in range(2, len(name) - 1)
        if not {name[0], name[k - 1], name[k], name[-1]} & set(_LINK_WORDS))  # not "Bank of" + "New York"


def _side_by_side(name: list[str], sequence: list[str]) -> bool:
    return any(all(similar_word(w, {sequence[i + j]}) for j, w in enumerate(name))
               for i in range(len(sequence) - len(name) + 1) if similar_word(name[0], {sequence[i]}))


def periods_met(question: str, published: date | None, within: bool = False) -> list[tuple[str, date, date]]:
    """The dates, months and years named in ``question`` ("in January 2023") that an article published on
    ``published`` reports: it appeared from a week before to a year after them (``within``: during them,
    so that the date shown beside it says so)."""
    before, after = (timedelta(0), timedelta(0)) if within else (timedelta(days=7), timedelta(days=366))
    return [(words, first, last) for words, first, last in named_periods(question)
            if published and first - before <= published <= last + after]


def without_periods(text: str, periods: Sequence[tuple[str, date, date]]) -> str:
    """``text`` with the words of these dates left out (their figures are not counts or amounts)."""
    for words, _, _ in periods:
        text = text.replace(words, " ")
    return text


def missing_terms(question: str, text: str, published: date | None = None, outlet: str = "") -> list[str]:
    """The names, figures and ordinals of ``question`` that ``text`` does not mention (names matched
    without case, a typo or a plural allowed). A date, month or year the question names ("in January
    2023") is also met by the article's publication date (``periods_met``): such an article reports it,
    and may say "on Saturday" or "last year" instead. The article's ``outlet`` names itself ("the
    Interfax-Ukraine report", "USA TODAY's report" of usatoday.com) though its text rarely does."""
    # "baseball's Hall of Fame" mentions "Baseball Hall of Fame": a possessive's "s" is left out.
    sequence = normalise_words(_POSSESSIVE.sub("", f"{outlet}\n{text}")).split()
    words = set(sequence)
    missing = [n for n in names(question)
               if not _mentioned(n, sequence, words, text) and not _names_outlet(n, outlet)
               and not _initials_met(n, text)]
    asked = without_periods(question, periods_met(question, published))
    missing += [q.text for q in quantities(asked) if not any(q.matches(e) for e in quantities(text))]
    # An ordinal names a thing ("the fifth package"), unless it ranks (``_ORDINAL``).
    missing += [w for w in _unranked_ordinals(question) if w not in words]
    return list(dict.fromkeys(missing))


def _mentioned(name: str, sequence: list[str], words: set[str], text: str) -> bool:
    """``_mentions``; and a name of three words or more that begins with a one-word place is the place
    and the name it qualifies, run together by the tagger ("Illinois Mega Millions": "Illinois" and "Mega
    Millions"), each mentioned on its own: the rest not as the tail of another name ("Ohio State
    University" is not met by "Kent State University in Ohio")."""
    if _mentions(normalise_words(_POSSESSIVE.sub("", name)).split(), sequence, words):
        return True
    first, *rest = _POSSESSIVE.sub("", name).split()
    if len(rest) < 2 or typed_names(first) != [(first, "place")] or \
            not _mentions(normalise_words(first).split(), sequence, words):
        return False
    tail = " ".join(rest)
    for m in re.finditer(r"\b" + r"\s+".join(re.escape(w) for w in rest) + r"\b", text, re.IGNORECASE):
        around = text[max(0, m.start() - 60):m.end()]
        if not any(n.lower().endswith(tail.lower()) and len(n) > len(tail) and not n.startswith(first)
                   for n in names(around)):
            return True
    return False


def _initials_met(name: str, text: str) -> bool:
    """An acronym and the name it abbreviates are one name: "AP" is mentioned by "Associated Press",
    "U.S." by "US" or "United States", and "European Union" by "EU". Capitals are compared as written."""
    bare = name.replace(" ", "")
    if re.fullmatch(r"(?:[A-Z]\.?){2,6}", bare):
        letters = bare.replace(".", "")
        written = r"\.?".join(letters) + r"\.?"
        spelled = _LINK.join(f"{c}[a-z]+" for c in letters)
        return bool(re.search(rf"(?<![\w.])(?:{written}|{spelled})(?![\w])", text))
    words = [w for w in name.split() if w not in _LINK_WORDS]
    if 2 <= len(words) <= 6 and all(w[:1].isupper() and w[1:].islower() for w in words):
        written = r"\.?".join(w[0] for w in words) + r"\.?"
        return bool(re.search(rf"(?<![\w.]){written}(?![\w])", text))
    return False


_LINK_WORDS = ("of", "the", "and", "for", "&")
_LINK = r"(?:\s+(?:of|the|and|for|&))*\s+"


def _names_outlet(name: str, outlet: str) -> bool:
    """``name`` is the outlet's name written another way ("USA TODAY" for usatoday.com)."""
    squeeze = re.sub(r"[^a-z0-9]", "", _POSSESSIVE.sub("", name).lower())
    return len(squeeze) >= 3 and squeeze in re.sub(r"[^a-z0-9]", "", outlet.lower())


def covering_hits(question: str, hits: Sequence[Hit]) -> tuple[list[Hit], list[str]]:
    """The hits whose article mentions all the question's names, figures and ordinals ("How much did
    Poland give to PURL?" is not answered from an article about Poland alone), and, when there are
    none, the terms that the closest article lacks."""
    covering, least = [], None
    by_article: dict[str, list[str]] = {}
    for h in hits:
        if h.article.id not in by_article:  # several hits may share an article
            by_article[h.article.id] = missing_terms(question, h.article.text, parse_date(h.article.published),
                                                     h.article.source or "")
        missing = by_article[h.article.id]
        if not missing:
            covering.append(h)
        elif least is None or len(missing) < len(least):
            least = missing
    return covering, ([] if covering or least is None else least)
