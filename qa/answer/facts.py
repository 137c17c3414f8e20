"""Facts in text: numbers (with scale and currency), years and proper names, normalised so that
"1.5 billion", "one and a half billion" and "$1.5bn" compare equal, as do "EUR 500 million" and
"€500m". The answer check (``qa.answer``) requires every fact of an answer sentence to occur in a
passage that the sentence cites."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..names import names
from ..text import content_words, normalise_words

__all__ = ["CITE", "ORDINAL_WORDS", "Quantity", "counted", "name_supported", "names", "normalise_words", "quantities",
           "same_thing", "unsupported_facts", "without_measures"]

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
          "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
          "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6,
           "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9, "bln": 1e9, "trillion": 1e12, "tn": 1e12,
           "dozen": 12}
# Currency names as written after an amount, and the currencies they may mean ("kroner": Danish or
# Norwegian; several countries write "pesos" or "rupees").
CURRENCY_NAMES = {
    "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "pound": "GBP", "pounds": "GBP",
    "hryvnia": "UAH", "hryvnias": "UAH", "ruble": "RUB", "rubles": "RUB", "rouble": "RUB", "roubles": "RUB",
    "yen": "JPY", "yuan": "CNY", "renminbi": "CNY", "rupee": "INR|PKR|LKR|NPR", "rupees": "INR|PKR|LKR|NPR",
    "franc": "CHF|XOF|XAF", "francs": "CHF|XOF|XAF", "peso": "MXN|ARS|PHP|COP|CLP", "pesos": "MXN|ARS|PHP|COP|CLP",
    "rand": "ZAR", "lira": "TRY", "reais": "BRL", "afghani": "AFN", "afghanis": "AFN",
    "naira": "NGN", "shekel": "ILS", "shekels": "ILS", "dirham": "AED|MAD", "dirhams": "AED|MAD",
    "riyal": "SAR|QAR", "riyals": "SAR|QAR", "zloty": "PLN", "zlotys": "PLN", "krona": "SEK", "kronor": "SEK",
    "krone": "DKK|NOK", "kroner": "DKK|NOK", "baht": "THB", "ringgit": "MYR"}
# ISO 4217 codes as written after or before an amount ("100,000 AFN", "CHF 5 million"), in capitals only
# ("the 2019 RAND study" holds no money).
_ISO_CODES = ("USD", "EUR", "GBP", "UAH", "RUB", "JPY", "CNY", "INR", "KRW", "CHF", "CAD", "AUD", "NZD", "MXN",
              "BRL", "ZAR", "NGN", "ILS", "AED", "SAR", "PLN", "SEK", "NOK", "DKK", "THB", "MYR", "AFN",
              "PKR", "EGP", "HKD", "SGD")
_CURRENCY_WORDS = {**CURRENCY_NAMES, **{c.lower(): c for c in _ISO_CODES},
                   "$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY|CNY", "₹": "INR", "₩": "KRW",
                   "rs": "INR|PKR|LKR|NPR"}
ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")

_NUMWORD = "|".join(sorted(list(_UNITS) + list(_TENS), key=len, reverse=True))
_SCALEWORD = r"hundred|thousand|million|billion|trillion|dozen|mln|bln|bn|tn|mn|k|m|b"
_ISO = "|".join(_ISO_CODES)
_CUR_PRE = rf"(?:US\$|\$|€|£|¥|₹|₩|(?-i:\b(?:{_ISO})\s?|\bRs\.?\s?))"
# Names in lower case (a capital only for the common three: "5 Million Dollars" in a title, not "1943 Rand").
_CUR_POST = (r"(?:\s+(?:US\s+)?(?-i:(?:[Dd]ollars?|[Ee]uros?|[Pp]ounds?|"
             + "|".join(sorted(CURRENCY_NAMES, key=len, reverse=True)) + rf"|{_ISO})\b))")

_NUMBER = re.compile(
    rf"(?P<cur>{_CUR_PRE})?"
    rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?"
    rf"|(?:(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+and\s+a\s+half)"
    rf"|(?:\b(?:{_NUMWORD})(?:[\s-](?:{_NUMWORD}))?\b)|half(?:\s+a)?)"
    rf"(?P<pct>\s?(?:%|percent\b|per\s+cent\b))?"
    rf"(?:\s?(?P<scale>(?:{_SCALEWORD})\b)(?:\s+(?:and\s+a\s+half))?)?"
    rf"(?P<cur2>{_CUR_POST})?",
    re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    value: float
    currency: str | None
    percent: bool
    text: str

    def matches(self, other: Quantity) -> bool:
        if abs(self.value - other.value) > 1e-9 * max(abs(self.value), 1.0):
            return False
        if self.percent != other.percent:
            return False
        return (self.currency is None or other.currency is None
                or not set(self.currency.split("|")).isdisjoint(other.currency.split("|")))


def _word_value(s: str) -> float | None:
    s = s.lower().replace("-", " ").strip()
    m = re.fullmatch(r"(a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+and\s+a\s+half", s)
    if m:
        return (1 if m.group(1) in ("a", "an") else _UNITS[m.group(1)]) + 0.5
    if s in ("half", "half a"):
        return 0.5
    total = 0
    for w in s.split():
        if w in _UNITS:
            total += _UNITS[w]
        elif w in _TENS:
            total += _TENS[w]
        else:
            return None
    return float(total)


# Units of measure: a figure with one is a distance, a weight, a span of time ..., not a number of things.
_MEASURE_UNIT = (r"(?:square |cubic )?(?:miles?|kilomet(?:er|re)s?|km|met(?:er|re)s?|feet|foot|ft|inch(?:es)?|yards?|"
                 r"acres?|hectares?|tons?|tonnes?|kilo(?:gram)?s?|kg|grams?|lbs?|gallons?|lit(?:er|re)s?|degrees?|mph|"
                 r"seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|centur(?:y|ies))")
_MEASURE = re.compile(rf"\b(?:\d[\d,.]*|(?:{_NUMWORD})(?:[- ](?:{_NUMWORD}))?)(?:\s+(?:{_SCALEWORD}))?"
                      rf"(?:\s*-\s*|\s+)(?P<unit>{_MEASURE_UNIT})\b", re.IGNORECASE)


def without_measures(text: str, asked: str = "") -> str:
    """``text`` without its measures ("50 miles", "a 12-year-old", "five days"), except those in the unit
    that ``asked`` counts ("How many days ...?" keeps "40 days")."""
    counted = re.search(r"\bhow many ((?:\w+ ){0,2}\w+)", asked, re.IGNORECASE)
    wanted = set(normalise_words(counted.group(1)).split()) if counted else set()

    def unit_words(unit: str) -> set[str]:
        words = set(normalise_words(unit).split())
        return words | {w[:-1] for w in words if w.endswith("s")} | {w + "s" for w in words}

    return _MEASURE.sub(lambda m: m.group(0) if unit_words(m.group("unit")) & wanted else " ", text)


def quantities(text: str) -> list[Quantity]:
    """Numbers in ``text`` with their scale, currency and percent sign, as comparable values."""
    out = []
    for m in _NUMBER.finditer(text):
        raw = m.group("num")
        if re.fullmatch(r"[\d,.]+", raw):
            try:
                value = float(raw.replace(",", ""))
            except ValueError:
                continue
        else:
            word = _word_value(raw)
            if word is None:
                continue
            value = word
        scale = (m.group("scale") or "").lower()
        if scale in ("m", "b", "k") and not re.fullmatch(r"[\d,.]+", raw):
            scale = ""  # "one m..." is not a million
        if scale:
            value *= _SCALES[scale]
            if re.search(r"and\s+a\s+half\s*$", m.group(0), re.IGNORECASE):
                value += 0.5 * _SCALES[scale]
        cur = (m.group("cur") or m.group("cur2") or "").strip().lower().replace("us ", "")
        currency = _CURRENCY_WORDS.get(cur.split()[-1].rstrip(".")) if cur else None
        if raw.lower() in ("one", "a", "an", "half") and not (scale or m.group("pct") or cur):
            continue  # "the second one", "half of them": not a figure
        if not raw.strip().isdigit() and value == 0 and not scale:
            continue
        out.append(Quantity(value, currency, bool(m.group("pct")), m.group(0).strip()))
    return out


def counted(text: str, figure: Quantity) -> frozenset[str]:
    """What a figure of ``text`` counts or measures: the words right after it, up to two and up to a
    stop word or punctuation, crudely stemmed ("13 patients have ..." -> {"patient"}, "71 confirmed
    cases" -> {"confirm", "case"}); empty when none follows ("has reached 4,812, the board was told")."""
    at = text.find(figure.text)
    if at < 0:
        return frozenset()
    following = re.match(r"(?:\s+[A-Za-z][\w-]*){1,2}", text[at + len(figure.text):])
    out: set[str] = set()
    for word in following.group(0).split() if following else []:
        if not (stems := content_words(word)):
            break
        out |= stems
    return frozenset(out)


def same_thing(figure: Quantity, text: str, given: list[tuple[Quantity, frozenset[str]]]) -> bool:
    """A figure of ``text`` may be another report's value of one of the ``given`` figures (each with what
    it counts): a sum of money for money, a share for a share, a number of the same things for a number
    of things when both say what they count (not "71 cases" for "13 patients in hospital")."""
    things = counted(text, figure)
    return any(bool(figure.currency) == bool(g.currency) and figure.percent == g.percent and
               (not things or not words or bool(things & words)) for g, words in given)


def name_supported(name: str, evidence: str) -> bool:
    """A name occurs in the evidence (case-insensitive, whole word; a possessive or a plural too)."""
    ev = normalise_words(evidence)
    w = normalise_words(name).strip()
    if not w:
        return True
    return all(f" {part} " in ev or f" {part}s " in ev or (part.endswith("s") and f" {part[:-1]} " in ev)
               for part in w.split())


CITE = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def unsupported_facts(claim: str, evidence: str) -> list[str]:
    """The numbers and names of ``claim`` that ``evidence`` does not contain."""
    claim = CITE.sub("", claim)
    missing = []
    ev_q = quantities(evidence)
    for q in quantities(claim):
        if not any(q.matches(e) for e in ev_q):
            missing.append(q.text)
    for n in names(claim):
        if not name_supported(n, evidence):
            missing.append(n)
    return missing
