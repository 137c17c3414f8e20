"""Follow-up questions made standalone by rules, without a model call.

Rules come first (the 0.5B model could not rewrite: 0 of 4 gold dialogues). They cover the common
shapes: pronouns that refer to the person named before ("he" -> "Giuseppe Cavo Dragone": the person
the last answer introduced, rather than one its question already named), "its" -> the organisation or
place the last answer introduced ("Colossal's"), "the second one" -> "the
second PURL package", and elliptical questions ("And the first one?", "And in 2025?") that repeat the
previous question with one part replaced. Anything else is joined to the previous
question, and the answerer asks the reader model to rewrite it (``qa.answer``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..names import people, typed_names
from .facts import ORDINAL_WORDS

_ORDINALS = "|".join((*ORDINAL_WORDS, "last", "next", "previous"))
_PERSON_PRONOUNS = {"he": "", "him": "", "she": "", "her": "", "his": "'s"}
_ELLIPSIS = re.compile(r"^\s*(and|what about|how about|and what about|what of)\b[\s,]*", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(he|him|she|her|his|it|its|they|them|their|this|that|these|those|one|ones)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(19|20)\d\d\b")


def needs_history(question: str) -> bool:
    words = re.findall(r"[\w']+", question.lower())
    return bool(_ELLIPSIS.match(question) or _PRONOUN.search(question) or len(words) <= 3)


def _person(question: str, answer: str) -> str | None:
    """Whom "he" or "she" in a follow-up means: the first person the last answer introduces (after
    "Who voted present?", the one who did), else the last person named in the answer or the question."""
    before, named = people(question), people(answer)
    asked = [p.lower() for p in before]
    new = [p for p in named if not any(p.lower() in a or a in p.lower() for a in asked)]
    if new:
        return new[0]
    for found in (named, before):
        if found:
            return found[-1]
    return None


def _named_thing(question: str, answer: str) -> str | None:
    """What "its" in a follow-up means: the first organisation or place the last answer introduces
    (after "Which company wants to bring back the dodo?", the company that does), else the first name
    it introduces (the small tagger takes a lone "Colossal" for a person)."""
    asked = question.lower()
    new = [(n, kind) for n, kind in typed_names(answer) if n.lower() not in asked]
    return next((n for n, kind in new if kind in ("organisation", "place", "")), new[0][0] if new else None)


def _topic(question: str) -> str | None:
    """The thing a question counts or enumerates: 'How many PURL packages' -> 'PURL package'."""
    m = re.search(rf"\b(?:(?i:how many)|the (?:{_ORDINALS}))\s+((?:[A-Z][\w-]*\s+)*[a-z][\w-]*)", question)
    if not m:
        return None
    phrase = m.group(1)
    return re.sub(r"(?<=[a-z])s$", "", phrase) if not phrase.endswith("ss") else phrase


def rewrite(question: str, history: Sequence[tuple[str, str]]) -> str:
    """Return ``question`` made standalone using the last turns (question, answer)."""
    if not history or not needs_history(question):
        return question
    prev_q, prev_a = history[-1]
    q = question.strip()
    ellipsis = _ELLIPSIS.match(q)
    if ellipsis:
        rest = q[ellipsis.end():].rstrip("?").strip()
        out = prev_q
        ordinal = re.search(rf"\b({_ORDINALS})\b", rest, re.IGNORECASE)
        year = _YEAR.search(rest)
        replaced = False
        if ordinal and re.search(rf"\b({_ORDINALS})\b", out, re.IGNORECASE):
            out = re.sub(rf"\b({_ORDINALS})\b", ordinal.group(1).lower(), out, count=1, flags=re.IGNORECASE)
            replaced = True
        if year and _YEAR.search(out):
            out = _YEAR.sub(year.group(0), out, count=1)
            replaced = True
        if replaced:
            return out
        return f"{prev_q} {q}"
    out = q
    topic = _topic(prev_q)
    if topic:
        out = re.sub(rf"\b(the (?:{_ORDINALS}))\s+one\b", rf"\1 {topic}", out, flags=re.IGNORECASE)
    person = _person(prev_q, prev_a)
    if person:
        def sub(m: re.Match[str]) -> str:
            return person + _PERSON_PRONOUNS[m.group(1).lower()]
        out = re.sub(r"\b(he|him|she|her|his)\b", sub, out, flags=re.IGNORECASE)
    if re.search(r"\bits\b", out, re.IGNORECASE) and (thing := _named_thing(prev_q, prev_a)):
        out = re.sub(r"\bits\b", f"{thing}'s", out, flags=re.IGNORECASE)
    if out != q and not _PRONOUN.search(out.replace(" one ", " ")):
        return out
    return f"{prev_q} {out}" if out == q else out
