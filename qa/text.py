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


# The full stops of an abbreviation of single letters ("U.S.", "U.K", "D.C.").
_DOTTED = re.compile(r"\b([A-Za-z])\.(?=[A-Za-z]\b)")


def undotted(text: str) -> str:
    """``text`` with its abbreviations of single letters written without full stops ("U.S." -> "US.")."""
    return _DOTTED.sub(r"\1", text)


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


def _transposed(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _one_letter_more(short: str, long: str) -> bool:
    return len(long) == len(short) + 1 and any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def correct_spelling(question: str, texts: list[str]) -> str:
    """The question with each misspelt word ("thrid", "deliverd", "teh", "comittee") replaced by the
    word of ``texts`` (the retrieved passages) that it is one slip away from: a letter dropped or
    doubled, or two letters swapped. A changed letter is not corrected: "paid" is a word, not a slip
    for "said". Words the texts contain (or their stems), plurals, numbers and words under five letters
    stay as they are."""
    counts: dict[str, int] = {}
    for t in texts:
        for w in re.findall(r"[a-z]+", t.lower()):
            counts[w] = counts.get(w, 0) + 1
    known = set(counts) | STOP_WORDS
    stems = {stem(w) for w in counts}

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if len(low) < 5 or low in known or stem(low) in stems:
            return word  # short words are too often other real words ("paid" is not a slip for "aid")
        near = [w for w in counts if w.rstrip("s") != low.rstrip("s") and (
            _one_letter_more(low, w) or _one_letter_more(w, low) or _transposed(low, w))]
        if not near:
            return word
        best = max(near, key=lambda w: (counts[w], w))
        return best if word.islower() else best.capitalize() if word[0].isupper() and word[1:].islower() else word

    return re.sub(r"[A-Za-z]+", fix, question)
