"""The grader's own reading of answers: amounts, dates and names, written apart from the bot's.

The grader never imports the graded code's helpers (``qa.answer``, ``qa.dates``, ``qa.names``): a
shared helper makes the same mistake on both sides, and the score cannot see it. This module is
small on purpose; it reads what gold facts and answers write:

- amounts: "$1.5 billion" = "one and a half billion dollars" = "1.5bn" = "USD 1,500 million";
  "99%" = "99 percent"; "EUR 500 million" = "€500m" (a currency must agree when both give one);
- dates: the ways a text writes a calendar day ("23 August 2025", "August 23, 2025", "Aug. 23",
  "23.08.2025", "2025-08-23"), and the day a relative date of a report stands for ("on Tuesday" in a
  Thursday report, "yesterday", "two days ago");
- names: runs of capitalised words ("Corriere della Sera", "Giuseppe Cavo Dragone", "PURL"), not the
  first word of a sentence when it is a common word;
- the form of an answer's text: quotation marks in pairs, and sentences that end in a word, not in "in.".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

# ----------------------------------------------------------------------------- words


def words(text: str) -> str:
    """Lower case, punctuation to single spaces, one space each side (for " phrase " tests)."""
    return " " + " ".join(re.findall(r"[^\W_]+", text.lower())) + " "


# ----------------------------------------------------------------------------- amounts

_SMALL = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                     "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_SCALE = {"hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "mn": 1e6, "m": 1e6,
          "billion": 1e9, "bn": 1e9, "bln": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12}
_CURRENCY = {"$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "€": "EUR", "eur": "EUR",
             "euro": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
             "¥": "JPY", "yen": "JPY", "hryvnia": "UAH", "hryvnias": "UAH", "uah": "UAH"}
_WORD_NUMBER = "|".join(sorted([*_SMALL, *_TENS], key=len, reverse=True))
_AMOUNT = re.compile(
    r"(?P<pre>us\$|\$|€|£|¥|\b(?:usd|eur|gbp|uah)\s?)?"
    rf"(?P<num>\d[\d,]*(?:\.\d+)?|(?:(?:a|an|one|two|three|four|five)\s+and\s+a\s+half)"
    rf"|\b(?:{_WORD_NUMBER})(?:[\s-](?:{_WORD_NUMBER}))?\b)"
    r"(?P<pct>\s?(?:%|percent\b|per\s?cent\b))?"
    r"(?:\s?(?P<scale>hundred|thousand|million|billion|trillion|mln|bln|bn|mn|tn|k|m|b)\b"
    r"(?P<half>\s+and\s+a\s+half)?)?"
    r"(?P<post>\s+(?:us\s+)?(?:dollars?|euros?|pounds?|yen|hryvnias?|usd|eur|gbp|uah)\b)?",
    re.IGNORECASE)


@dataclass(frozen=True)
class Amount:
    value: float
    currency: str | None = None
    percent: bool = False
    text: str = field(default="", compare=False)

    def same(self, other: Amount) -> bool:
        return abs(self.value - other.value) <= 1e-9 * max(abs(self.value), 1.0) and self.percent == other.percent \
            and (self.currency is None or other.currency is None or self.currency == other.currency)


def _number(raw: str) -> float | None:
    raw = raw.lower().replace("-", " ")
    if m := re.fullmatch(r"(a|an|one|two|three|four|five)\s+and\s+a\s+half", raw):
        return {"a": 1, "an": 1}.get(m.group(1), _SMALL.get(m.group(1), 0)) + 0.5
    if re.fullmatch(r"\d[\d,]*(?:\.\d+)?", raw):
        try:
            return float(raw.replace(",", ""))
        except ValueError:
            return None
    total = 0
    for w in raw.split():
        if w not in _SMALL and w not in _TENS:
            return None
        total += _SMALL.get(w, 0) + _TENS.get(w, 0)
    return float(total)


def amounts(text: str) -> list[Amount]:
    """The numbers of ``text`` with their scale, currency and percent sign."""
    out = []
    for m in _AMOUNT.finditer(text):
        value = _number(m.group("num"))
        scale = (m.group("scale") or "").lower()
        digits = m.group("num")[0].isdigit()
        if value is None or (scale in ("m", "b", "k") and not digits):
            continue
        if not digits and m.group("num").lower() == "one" and not (scale or m.group("pct") or m.group("pre")):
            continue  # "the second one"
        if scale:
            value *= _SCALE[scale]
            if m.group("half"):
                value += 0.5 * _SCALE[scale]
        cur = (m.group("pre") or m.group("post") or "").strip().lower().replace("us ", "")
        out.append(Amount(value, _CURRENCY.get(cur) if cur else None, bool(m.group("pct")), m.group(0).strip()))
    return out


def fact_present(forms: Sequence[str], text: str) -> bool:
    """One accepted form of a fact occurs in ``text``. A form that is an amount is compared by value, with
    the currency and percent sign it gives ("$1.5 billion" is in "one and a half billion dollars", not in
    "EUR 1.5 billion"; "99%" is not in "99 countries"; "76.3" is in "76.3%"); a date or any other form as
    words (case and punctuation aside)."""
    said = words(text)
    for form in forms:
        wanted = amounts(form)
        if wanted and not re.search(r"\b(?:" + "|".join(MONTHS) + r")\b", form, re.IGNORECASE):
            if all(any(w.same(a) or (not w.percent and w.same(replace(a, percent=False))) for a in amounts(text))
                   for w in wanted):
                return True
        elif words(form) in said:
            return True
    return False


# ----------------------------------------------------------------------------- dates

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_of(iso: str | None) -> date | None:
    """The calendar day of an ISO date or date-time ("2025-08-23T17:15"); None when there is none."""
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso[:19]).date()
    except ValueError:
        try:
            return date.fromisoformat(iso[:10])
        except ValueError:
            return None


def spoken(d: date | None) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}" if d else ""


def mentions_day(text: str, d: date) -> bool:
    """``text`` gives this day: "23 August (2025)", "23rd of August", "August 23", "Aug. 23", "23.08.2025",
    "2025-08-23"."""
    month = MONTHS[d.month - 1]
    short = month[:3] + r"\.?" if len(month) > 3 else month
    name = rf"(?:{month}|{short})"
    return bool(re.search(rf"\b{d.day}(?:st|nd|rd|th)?\s+(?:of\s+)?{name}\b|\b{name}\s+{d.day}(?:st|nd|rd|th)?\b",
                          text, re.IGNORECASE)) or f"{d:%d.%m.%Y}" in text or d.isoformat() in text


_COUNT = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1}


def relative_day(sentence: str, published: date) -> date | None:
    """The calendar day the first relative date of a report's sentence stands for: a weekday ("on
    Tuesday": the last one before the report's day), "yesterday", "today", "N days ago" (also "about 40
    days ago": an answer may give the day it stands for, as around that day); None when it names none."""
    m = re.search(r"\b(yesterday|today|tonight)\b|\b(?:on |last |this past )?(" + "|".join(WEEKDAYS) + r")\b|"
                  r"\b(about |around |nearly |almost |some )?(\d{1,2}|one|two|three|four|five|six|seven|a) "
                  r"(day|week)s? (?:ago|earlier)\b", sentence, re.IGNORECASE)
    if m is None:
        return None
    if m.group(1):
        return published - timedelta(days=1) if m.group(1).lower() == "yesterday" else published
    if m.group(2):
        back = (published.weekday() - WEEKDAYS.index(m.group(2).title())) % 7
        return published - timedelta(days=back or 7)
    n = int(m.group(4)) if m.group(4).isdigit() else _COUNT[m.group(4).lower()]
    return published - timedelta(days=n * (7 if m.group(5).lower() == "week" else 1))


# ----------------------------------------------------------------------------- names

# Words that begin sentences and headlines in capitals without naming anything.
_COMMON = set("""a an the this that these those there it its he she they we i you his her their our as at by
for from in into of on to with and or but if when while after before since during under over about
according so yet also however meanwhile still just only even again already now today yesterday
who whom whose what which where why how all any some each every both either neither no not yes
many much more most other another such is are was were be been has have had do does did will would
can could should may might must shall here latest report reports reported said says according
""".split())
_LINK = {"of", "de", "della", "del", "di", "da", "la", "le", "von", "van", "der", "&", "for", "the"}
_TOKEN = re.compile(r"[A-Za-z][\w'’.-]*|[.!?;:,()“”\"]")


def names(text: str) -> list[str]:
    """Runs of capitalised words (with "of", "della" ... inside them), in order, without repeats: the
    people, places, organisations and titles a text names. Not a month, a weekday, nor the first word
    of a sentence when it is a common word."""
    out: list[str] = []
    run: list[str] = []
    start = True

    def flush() -> None:
        while run and run[-1].lower() in _LINK:
            run.pop()
        if run:
            name = " ".join(run).rstrip(".")
            if name not in out:
                out.append(name)
        run.clear()

    for tok in _TOKEN.findall(text):
        if not tok[0].isalpha():  # punctuation ends a name; a full stop, colon or quote starts a sentence
            flush()
            start = start or tok in ".!?;:“\""
            continue
        bare = re.sub(r"['’]s$", "", tok).rstrip(".")
        capital = bare[:1].isupper() and bare not in MONTHS and bare not in WEEKDAYS
        if capital and not (start and bare.lower() in _COMMON) and not (not run and bare.lower() in _COMMON):
            run.append(bare)
        elif run and tok.lower() in _LINK:
            run.append(tok)
        else:
            flush()
        start = False
    flush()
    return out


def name_in(name: str, text: str) -> bool:
    """Each word of ``name`` occurs in ``text`` as a word (case aside; a plural or possessive too)."""
    said = words(text)
    return all(f" {w} " in said or f" {w}s " in said or (w.endswith("s") and f" {w[:-1]} " in said)
               for w in words(name).split())


def unsupported(claim: str, evidence: str) -> list[str]:
    """The amounts and names of ``claim`` that ``evidence`` does not hold."""
    claim = re.sub(r"\[\d+(?:\s*,\s*\d+)*\]", " ", claim)
    held = amounts(evidence)
    out = [a.text for a in amounts(claim) if not any(a.same(h) for h in held)]
    return out + [n for n in names(claim) if not name_in(n, evidence)]


# ----------------------------------------------------------------------------- the text's form

# Words a finished sentence does not end on ("... as stated in. [1]").
_DANGLING = set("""a an the and or but of in on at to by for from with as than that which whose is are was were
be been has have had its their his her our this these those""".split())


def form_problems(text: str) -> list[str]:
    """What reads as broken in an answer's text: double quotation marks that do not pair up, and
    sentences that end on a word that cannot end one (or on no word at all). [n] markers are ignored."""
    body = re.sub(r"\s*\[\d+(?:\s*,\s*\d+)*\]", "", text).strip()
    out = []
    if body.count("“") != body.count("”") or body.count('"') % 2:
        out.append("unpaired quotation marks")
    for sentence in re.split(r"(?<=[.!?])[”’\"]?\s+", body):
        tokens = re.findall(r"[^\W_][\w'’%$.,-]*", sentence)
        last = tokens[-1].rstrip(".,").lower() if tokens else ""
        if not last or last in _DANGLING:
            out.append(f"a sentence that ends on {last or 'no word'!r}: {sentence[-40:]!r}")
    return out
