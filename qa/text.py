"""Words: one list of stop words, normalisation and crude stemming, shared by every stage."""

from __future__ import annotations

import re

# Words that carry no topic: function words, question words, and the words people use to ask
# about articles ("according", "say", "report").
STOP_WORDS = frozenset("""
a an the this that these those there their they them then than it its is are was were be been being
i we you he she his her our your my me us him who whom whose what which when where why how
and or but so yet nor for of in on at to from by with without about above after before since
during under over into onto per as if while although though because do does did done has have had
not no yes all any some each every both either neither many much more most other another such
according also however meanwhile still just only even again already now today yesterday tomorrow
will would can could should may might must shall here far total overall
say said says tell told reported report reports article articles source sources passage passages
""".split())


def normalise_words(text: str) -> str:
    """Lower case, punctuation to spaces, padded with one space each side (for " word " tests)."""
    return " " + re.sub(r"[^\w]+", " ", text.lower()).strip() + " "


def stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """Lower-cased, crudely stemmed words that carry meaning (no stop words)."""
    return {stem(w) for w in normalise_words(text).split() if w not in STOP_WORDS and len(w) > 1}


def similar_word(word: str, words: set[str]) -> bool:
    """``word`` occurs in ``words``, or nearly (one typo or a plural, for words of 5+ letters)."""
    if word in words:
        return True
    if len(word) < 5:
        return False
    return any(abs(len(w) - len(word)) <= 1 and w[:2] == word[:2] and _edit_distance_le1(word, w) for w in words)


def _edit_distance_le1(a: str, b: str) -> bool:
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:] or (len(a) == len(b) and a[i + 1:] == b[i + 1:])
