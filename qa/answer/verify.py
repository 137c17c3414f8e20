"""The fact check of an answer's sentences, and the records an answer is made of.

Every number, amount, date and name of an answer sentence must occur in the evidence it cites (or
in the cited article's outlet and date line, which the model was shown); a sentence that cites
nothing, or the wrong sentence, is matched to the evidence that holds its facts. Whether that
evidence states the answer *to this question* is the model check's job (``Answerer.check``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from ..dates import MONTHS, WEEKDAYS, date_forms, named_periods, parse_date, resolve_relative, spoken_date, time_frame
from ..names import lemmatised, names, statement, typed_names
from ..records import Answer, Citation, Hit, Passage
from ..text import content_words, similar_word
from .evidence import (
    Evidence,
    candidate_sentences,
    figure_kind,
    last_sentence,
    name_kind,
    names_new,
    periods_met,
    without_periods,
)
from .facts import CITE, Quantity, name_supported, quantities, unsupported_facts
from .reader import TRIM, Claim, with_calendar_date


def _context(e: Evidence, day: bool = True) -> str:
    """The sentence with its outlet and date, as the model saw it; ``day=False``: the date's year only."""
    art = e.hit.article
    published = parse_date(art.published)
    shown = spoken_date(art.published) if day else str(published.year) if published else None
    return f"{e.text} {art.source or ''} {shown or ''}"


def _missing(claim: Claim, question: str, sources: Sequence[Evidence], given: bool = False) -> list[str]:
    """The figures and names of ``claim`` that these sentences (with their outlet and date) lack. The
    question's names are the user's words; so is a date it names ("in February 2023") that a cited
    report's publication date, shown beside the citation, falls in. A calendar date that a sentence's
    relative date stands for ("on Saturday" in a report of Monday 3 January 2022: 1 January) is held
    by it. A question that asks when is answered by a day and month its sentences state (or that a
    relative date of theirs stands for), the report's year completing them ("in early August" in a
    report of 2025): the report's own day dates the report, not the events it tells of ("The strike
    ended on 6 May" is not held by a report of 6 May that does not say so). ``given``: the question's
    figures are left out too."""
    qnames = {n.lower() for n in names(question)}
    met = {(first, last) for e in sources
           for _, first, last in periods_met(question, parse_date(e.hit.article.published), within=True)}
    for e in sources:
        published = parse_date(e.hit.article.published)
        relative = resolve_relative(e.text, published) if published else None
        if relative and not relative[2]:  # "on Saturday", "yesterday": one calendar day, not "about 40 days ago"
            met.add((relative[1], relative[1]))
    said = without_periods(claim.text, [p for p in named_periods(claim.text) if (p[1], p[2]) in met])
    text = " ".join(_context(e, day=figure_kind(question) != "time") for e in sources)
    return [f for f in unsupported_facts(said, text) if f.lower() not in qnames and not (given and _asked(f, question))]


# Attribution and dates: a report's outlet and date are shown beside its sentences.
_NOT_SAID = re.compile(r"\baccording to\b|\b(?:" + "|".join(MONTHS + WEEKDAYS) + r")\b", re.IGNORECASE)


def own_words(claim: str, question: str, sources: Sequence[Evidence]) -> bool:
    """The claim is the model's own: of the words it adds to the question (three or more), fewer than a
    third occur in the sentences it cites, in any form ("To bake sourdough bread, prepare the starter,
    mix flour and water, let the dough rise ..." citing a sentence about an oven). Names and figures
    are checked one by one (``_missing``); this catches knowledge that has neither."""
    def words(text: str) -> set[str]:
        text = _NOT_SAID.sub(" ", text)
        return {w for w in content_words(text) | content_words(lemmatised(text)) if w.isalpha()}

    asked = words(question)
    added = [w for w in words(claim) if not similar_word(w, asked)]
    if len(added) < 3:
        return False
    held = words(" ".join(_context(e) for e in sources))
    return sum(similar_word(w, held) for w in added) < len(added) / 3


def _asked(fact: str, question: str) -> bool:
    """``fact`` is a figure that the question gives."""
    asked = quantities(question)
    return bool(quantities(fact)) and all(any(q.matches(a) for a in asked) for q in quantities(fact))


def supporting(claim: Claim, question: str, evidence: Sequence[Evidence], given: bool = False) -> list[int]:
    """The evidence sentences (1-based) that support ``claim``: the ones it cites when they hold all
    its figures and names (names the question itself uses are allowed; with ``given``, its figures
    too) and are not missing most of its words (``own_words``), else the sentence sharing most of its
    words alone or with a second that holds the rest, else none."""
    cited = [i for i in dict.fromkeys(claim.cites) if 1 <= i <= len(evidence)]
    if cited and not _missing(claim, question, [evidence[i - 1] for i in cited], given) and \
            not own_words(claim.text, question, [evidence[i - 1] for i in cited]):
        # A cited sentence that gives figures the claim does not (another report's value) and that
        # the claim does not need is not its source: "9,300 returned [1][2]" where [1] says 27,640.
        for i in list(cited):
            rest = [j for j in cited if j != i]
            if rest and _other_figures(claim.text, evidence[i - 1].text) and \
                    not _missing(claim, question, [evidence[j - 1] for j in rest], given):
                cited = rest
        return cited
    words = content_words(claim.text)
    if not words or not evidence:
        return []
    # The sentences as the model read them: with the calendar date of a relative one, for "when".
    when = figure_kind(question) == "time"
    seen = [with_calendar_date(e) if when else e.text for e in evidence]
    ranked = sorted(range(1, len(evidence) + 1),
                    key=lambda i: (-_overlap(claim.text, seen[i - 1], question), -evidence[i - 1].score))
    best = ranked[0]
    if _overlap(claim.text, seen[best - 1], question) >= 0.5:
        if not _missing(claim, question, [evidence[best - 1]], given):
            return [best]
        # The second sentence from the same article if one will do, and one without another figure.
        article = evidence[best - 1].hit.article.id
        for i in sorted(ranked[1:], key=lambda i: (evidence[i - 1].hit.article.id != article,
                                                   _other_figures(claim.text, evidence[i - 1].text))):
            if not _missing(claim, question, [evidence[best - 1], evidence[i - 1]], given):
                return [best, i]
    if given:  # any two that together share half its words (the best by words may only repeat the question)
        for n, i in enumerate(ranked):
            for j in ranked[n + 1:]:
                pair = [evidence[i - 1], evidence[j - 1]]
                if _overlap(claim.text, f"{pair[0].text} {pair[1].text}", question) >= 0.5 and \
                        not _missing(claim, question, pair, given):
                    return [i, j]
    return []


def _figures(text: str) -> list[Quantity]:
    """The amounts and counts of ``text``, not its dates."""
    return quantities(without_periods(text, named_periods(text)))


def _other_figures(claim: str, sentence: str) -> bool:
    """``sentence`` gives figures, none of them the claim's."""
    theirs = _figures(sentence)
    ours = _figures(claim)
    return bool(theirs) and not any(t.matches(o) for t in theirs for o in ours)


def restating(claim: Claim, question: str, evidence: list[Evidence],
              passages_of: Callable[[str], Sequence[Passage]]) -> list[int]:
    """Support for a claim that repeats the question's own figures beside its answer ("Jupiter has 92
    moons after 12 new moons were found"): one or two evidence sentences hold everything but the
    question's figures, and sentences elsewhere in the same articles state those. They are appended
    to ``evidence`` and cited too, so that every fact of the answer is in a cited sentence. The
    answer's own figures get no such search."""
    base = supporting(claim, question, evidence, given=True)
    rest = _missing(claim, question, [evidence[i - 1] for i in base]) if base else []
    if not rest:
        return []
    size = len(evidence)
    added: list[int] = []
    for e in [evidence[i - 1] for i in base]:
        for extra in _stating(rest, e.hit, passages_of):
            same = [i for i, x in enumerate(evidence, 1) if x.hit.article.id == extra.hit.article.id
                    and x.start == extra.start]
            if not same:
                evidence.append(extra)
            added.append(same[0] if same else len(evidence))
            if not _missing(claim, question, [evidence[i - 1] for i in base + added]):
                return list(dict.fromkeys(base + added))
    del evidence[size:]
    return []


def _stating(figures: Sequence[str], hit: Hit, passages_of: Callable[[str], Sequence[Passage]]) -> list[Evidence]:
    """Sentences of ``hit``'s article (as ``candidate_sentences`` gives them), in article order, each
    holding one of these figures not held by an earlier one."""
    art = hit.article
    wanted = {f: quantities(f) for f in figures}
    out: list[Evidence] = []
    for e in candidate_sentences([Hit(passage=p, article=art, rank=hit.rank, fused=hit.fused)
                                  for p in passages_of(art.id)]):
        have = quantities(e.text)
        held = [f for f, qs in wanted.items() if all(any(q.matches(h) for h in have) for q in qs)]
        if held:
            out.append(e)
            for f in held:
                del wanted[f]
        if not wanted:
            break
    return out


def another_time(claim: str, question: str, quoted: bool = False) -> bool:
    """A figure dated to another time than the one the question asks about: "reached 62% in 2022" for
    the share of the vote in January 2023. Only for questions that ask for a figure ("when" is answered
    by another date by nature), and for a sentence ``quoted`` as the answer to any question (a fallback:
    "Newton-John celebrates at a charity walk in Melbourne in 2013" does not say where her memorial was,
    after her death in August 2022); for "when", only a period that runs on or began before bounds the
    answer ("When will the cuts announced in January 2023 end?" is answered by "in March 2023"). The
    time asked about is the one the question's last sentence names (before it, a follow-up's context:
    "Which chief executive announced job cuts in January 2023? How many people does his company
    employ?"); a bound ("by the end of August 2025") names none, and a
    period that runs on ("since 2020", "after its debut in 2021") or began before ("until 2027") meets
    any later or earlier one. A claim's period given for comparison ("up from 62% in 2022") is not the
    claim's time, and a claim that names no date, month or year is not held to one."""
    kind = figure_kind(question)
    if not quoted and kind not in ("quantity", "count", "money"):
        return False
    frame = time_frame(question, date.today())
    last = last_sentence(question.replace(frame.phrase, " ") if frame.before else question)
    asked = [_open_ended(last, words, first, end) for words, first, end in named_periods(last)]
    if kind == "time":
        asked = [(a, b) for a, b in asked if a == date.min or b == date.max]
    told = [_open_ended(claim, words, first, end) for words, first, end in named_periods(claim)
            if not _COMPARED.search(claim[:claim.find(words)])]
    return bool(asked and told) and not any(a <= d and c <= b for a, b in asked for c, d in told)


# "since the company's September 2021 debut", "until early 2027": a period that runs on (or began before).
_SINCE = re.compile(r"\b(?:since|after|following|starting|beginning)\s+(?:[\w'’-]+\s+){0,4}$", re.IGNORECASE)
_UNTIL = re.compile(r"\b(?:until|till|through|before|by|up to|ahead of|prior to)\s+(?:[\w'’-]+\s+){0,4}$",
                    re.IGNORECASE)
_COMPARED = re.compile(r"\b(?:(?:up|down|rising|falling|rose|fell|increased|decreased) from|compared (?:with|to)|"
                       r"than|previous|previously|earlier|last)\b[^.;]{0,40}$", re.IGNORECASE)


def _open_ended(text: str, words: str, first: date, last: date) -> tuple[date, date]:
    """The days a period of ``text`` covers: "since September 2021" runs on to any later day, "until
    2027" from any earlier one."""
    before = text[:text.find(words)]
    if _SINCE.search(before):
        return first, date.max
    if _UNTIL.search(before):
        return date.min, last
    return first, last


# The question's own asking word, at the start of its last sentence ("In which city ...?", "To whom
# ...?"), not a relative clause ("What did the woman who won say?").
_ASKS_NAME = re.compile(r"^\W*(?:(?:in|to|by|from|for|with|of|at|on|under)\s+)?(?:who|whom|whose|which)\b(?!\s+of\b)",
                        re.IGNORECASE)


def gives_name(text: str, question: str) -> bool:
    """A question that asks who, or which one ("Which hacking group ...?"), is not answered by a text
    whose names, figures and months all come from the question: "the Ronin Network" does not answer
    "Which group was blamed for the theft from the Ronin Network?". A text that names nothing ("an
    anonymous ticket holder") may answer it, and any text answers other questions. A month or a day of
    the week answers only a question that asks about time."""
    last = last_sentence(question)
    if name_kind(last) is None or not _ASKS_NAME.search(last):
        return True
    found = typed_names(text)
    figures = quantities(text)
    months = _calendar_words(text)
    if not found and not figures and not months:
        return True
    return names_new(text, question) or _new_figure(question, figures) or \
        bool(_ASKS_TIME.search(question) and months - _calendar_words(question))


# A question that asks about time too: a month or a day of the week may answer it ("Which company
# announced the cuts, and when?", "Which month was the concert held in?"), and no other name question
# ("Which type of warplane shot down the balloon?" is not answered by "Saturday afternoon").
_ASKS_TIME = re.compile(r"\bwhen\b|\b(?:year|month|day|date|week|time)s?\b", re.IGNORECASE)
# Words that say when: days of the week, months, times of day.
_TIME_OF = re.compile(r"\b(?:" + "|".join(MONTHS + WEEKDAYS) + r"|morning|afternoon|evening|night|noon|midnight|"
                      r"today|tonight|yesterday|overnight|weekend)s?\b", re.IGNORECASE)


def _new_figure(question: str, figures: Sequence[Quantity]) -> bool:
    """One of these figures is not the question's own."""
    asked = quantities(question)
    return any(not any(q.matches(a) for a in asked) for q in figures)


def adds_to(question: str, short: str) -> bool:
    """An answer says something the question does not: a figure, or a word it does not use, in any
    form ("Why did Jupiter lose ...?" is not answered by "Jupiter lost ..."). A time adds nothing to a
    question that does not ask about time ("Which type of warplane ...?" is not answered by "a U.S.
    warplane; Saturday afternoon")."""
    if not _ASKS_TIME.search(question):  # it holds every question figure_kind calls "time"
        short = _TIME_OF.sub(" ", without_periods(short, named_periods(short)))
    if _new_figure(question, quantities(short)):
        return True
    asked = content_words(lemmatised(question))
    named = content_words(" ".join(names(short)))
    new = {w for w in content_words(lemmatised(short)) - asked if w in named or not _doer(w, asked)}
    return bool(content_words(short) - content_words(question)) and bool(new)


def _doer(word: str, asked: set[str]) -> bool:
    """``word`` names whoever does what a word asked about says ("hackers" for "Which hacking group?",
    "the organisers" for "Who organised it?"): it says nothing new."""
    return word.endswith("er") and (word[:-2] in asked or word[:-1] in asked)


def holds(text: str, short: str) -> bool:
    """``text`` holds the short answer: its figures and names, else most of its words; and where both
    name months (or days of the week), the short answer's are among the text's (a month alone is
    neither a figure nor a name: "Microsoft; in January" is not held by "... in March")."""
    wanted_q = quantities(short)
    wanted_n = names(short)
    if wanted_q or wanted_n:
        have = quantities(text)
        held = all(any(w.matches(h) for h in have) for w in wanted_q) and \
            all(name_supported(n, text) for n in wanted_n)
    else:
        words = content_words(short)
        held = bool(words) and len(words & content_words(text)) >= len(words) / 2
    wanted, named = _calendar_words(short), _calendar_words(text)
    return held and all(wanted & kind <= named or not named & kind for kind in (_MONTH_SET, _WEEKDAY_SET))


_MONTH_SET = frozenset(m.capitalize() for m in MONTHS)
_WEEKDAY_SET = frozenset(d.capitalize() for d in WEEKDAYS)
_ABBREVIATED = {"Jan": "January", "Feb": "February", "Mar": "March", "Apr": "April", "Jun": "June", "Jul": "July",
                "Aug": "August", "Sep": "September", "Sept": "September", "Oct": "October", "Nov": "November",
                "Dec": "December", "Mon": "Monday", "Tue": "Tuesday", "Tues": "Tuesday", "Wed": "Wednesday",
                "Thu": "Thursday", "Thur": "Thursday", "Thurs": "Thursday", "Fri": "Friday", "Sat": "Saturday",
                "Sun": "Sunday"}
# Capitalised ("may" is a verb); an abbreviation only with its full stop or a day after it ("Jan. 5", "Sept 12").
_CALENDAR = re.compile(r"\b(?:(" + "|".join(sorted(_MONTH_SET | _WEEKDAY_SET)) + r")\b|(" +
                       "|".join(sorted(_ABBREVIATED, key=len, reverse=True)) + r")(?:\.|(?= \d)))")


def _calendar_words(text: str) -> set[str]:
    """The months and days of the week ``text`` names, spelt out ("Jan. 5" names January)."""
    return {full or _ABBREVIATED[short] for full, short in _CALENDAR.findall(text)}


def holding(short: str, used: Sequence[Evidence]) -> Evidence | None:
    """The first of these sentences, else of the rest of their passages, that holds the short answer."""
    taken = {(e.hit.article.id, e.start) for e in used}
    around = [e for e in candidate_sentences(list({id(e.hit): e.hit for e in used}.values()))
              if (e.hit.article.id, e.start) not in taken]
    return next((e for e in [*used, *around] if holds(e.text, short)), None)


def copied(short: str, text: str) -> bool:
    """The short answer is words copied from ``text`` (letter case, spacing and the quotes and full stop
    around it aside)."""
    def plain(s: str) -> str:
        return " ".join(s.replace("’", "'").split()).lower()

    words = plain(short).strip(TRIM)
    return bool(words) and words in plain(text)


def agrees(claim: str, short: str, question: str) -> bool:
    """The answer says what the short re-read says: it holds the re-read's answer, and names nothing
    of the kind the re-read answers with (places, people, ...) that the re-read and the question
    leave out (the slot asked for: "the second package" was financed by Denmark, Finland and Sweden,
    not also by Germany). A name of another kind is context ("Dragone said ..."), and so is every name
    when the re-read answers with figures alone; when it names something of no known kind, every name
    of the answer is held to it."""
    kinds = {kind for _, kind in typed_names(short)}
    checked = [n for n, kind in typed_names(claim) if "" in kinds or kind in kinds or (kinds and not kind)]
    return _holds_parts(claim, short, question) and all(name_supported(n, f"{short} {question}") for n in checked)


def _holds_parts(claim: str, short: str, question: str) -> bool:
    """The answer holds the re-read's answer; or, when the re-read answers several slots ("Nadella;
    221,000": who, and how many), it holds the last, which the question does not already say, and
    leaves out only names of another kind than those it holds: an answer may say less than the
    re-read, never something else. A list of one kind ("Denmark; Finland; Sweden") is held whole, and a
    left-out date, figure or phrase ("in January", "job cuts") is not left out lightly."""
    if holds(claim, short):
        return True
    parts = [p.strip() for p in short.split(";") if p.strip()]
    if len(parts) < 2 or not holds(claim, parts[-1]) or not adds_to(question, parts[-1]):
        return False
    held = [p for p in parts if holds(claim, p)]
    kinds = {k for p in held for k in _slot_kinds(p)}
    return all(_name_alone(p) and not _slot_kinds(p) & kinds for p in parts if p not in held)


def _slot_kinds(part: str) -> set[str]:
    """What a part of a short answer gives: kinds of names ("person", "place", ...), and "figure"."""
    return {kind or "name" for _, kind in typed_names(part)} | ({"figure"} if quantities(part) else set())


def _name_alone(part: str) -> bool:
    """The part is names and nothing else: no figure, no date, no other word ("in January")."""
    found = names(part)
    return bool(found) and not quantities(part) and not content_words(part) - content_words(" ".join(found))


def _overlap(claim: str, text: str, question: str = "") -> float:
    """The share of the claim's words in ``text``: of the words it adds to the question, when it adds two
    or more (the question's own words, repeated in the answer, do not find its source)."""
    words = content_words(claim)
    added = words - content_words(question)
    words = added if len(added) >= 2 else words
    return len(words & content_words(text)) / max(len(words), 1)


def citation(n: int, e: Evidence) -> Citation:
    art = e.hit.article
    return Citation(n=n, article_id=art.id, title=art.title, source=art.source, published=art.published, url=art.url,
                    quote=e.text, start=e.start, end=e.end, score=round(e.score, 4), passage_id=e.hit.passage.id,
                    passage_text=e.hit.passage.text, passage_start=e.hit.passage.start, page=art.page_of(e.start))


def with_reports(answer: Answer, reports: Sequence[tuple[Evidence, str]]) -> Answer:
    """The answer with what other reports give for the same figure (``(sentence, short answer)``,
    each from another article), newest first, each with its outlet, date and citation: "The latest
    report, Example Wire on 14 October 2025, gives $2.4 billion [1]. As of 23 August 2025, ... [2]."
    Reports of the answer's own date (another outlet) follow it."""
    # The answer's date is that of the articles its figures come from.
    figures = _figures(answer.text)
    holding = [c for c in answer.citations if any(q.matches(f) for q in _figures(c.quote) for f in figures)]
    own = max((d for c in holding or answer.citations if (d := parse_date(c.published))), default=None)
    parts: list[tuple[date | None, int, Evidence | None, str]] = [(own, 0, None, answer.text)]
    for report, short in reports:
        answer.citations.append(citation(len(answer.citations) + 1, report))
        # A figure is given ("gives 4,812 patients"); a clause is said ("says the list is 4,812 long").
        said = statement(short)
        text = f"says {lower_first(said)}" if said else f"gives {lower_first(short)}"
        parts.append((parse_date(report.hit.article.published), len(answer.citations), report, text))
    parts.sort(key=lambda p: (-(p[0] or date.min).toordinal(), p[1]))  # newest first; the answer first on its day
    out = []
    for i, (d, n, e, text) in enumerate(parts):
        if e is None:
            out.append(text)
            continue
        outlet = e.hit.article.source or "another article"
        if i == 0:  # newer than the answer
            out.append(f"The latest report, {outlet}{f' on {spoken_date(d)}' if d else ''}, {text} [{n}].")
        else:
            out.append(f"{outlet[:1].upper()}{outlet[1:]}{f' ({spoken_date(d)})' if d else ''} {text} [{n}].")
    answer.text = " ".join(out)
    return renumber(answer)


def unblended(question: str, parts: Sequence[tuple[str, list[int]]], evidence: Sequence[Evidence]) -> Answer | None:
    """An answer of one sentence that runs the figures of reports of different dates together ("has
    raised €5.8 million, €3.4 million and €1.2 million [1][2][3]", one figure from each day's report)
    is a blend, not an answer: the newest report's sentence is quoted and each earlier figure follows
    it with its outlet and date (``with_reports``). None when it is not one: a sentence that dates the
    earlier figures itself ("up from €3.4 million on 19 September [2]"), or whose reports give two of
    its figures each (a list of different things: "$500 million and $300 million [1], $200 million [2]")."""
    if len(parts) != 1:
        return None
    (text, sources), = parts
    figures = _listed(text)
    if len(figures) < 2:
        return None
    # Each cited article, newest first, with the claim's figures that its cited sentences give.
    held: dict[str, tuple[date, Evidence, list[Quantity]]] = {}
    for i in sources:
        e = evidence[i - 1]
        day = parse_date(e.hit.article.published)
        mine = [f for f in figures if any(f.matches(q) for q in _figures(e.text))]
        if day is None or not mine:
            continue
        _, first, before = held.get(e.hit.article.id, (day, e, []))
        held[e.hit.article.id] = (day, first, before + [f for f in mine if f not in before])
    reports = sorted(held.values(), key=lambda r: r[0], reverse=True)
    if len({day for day, _, _ in reports}) < 2 or any(len(r[2]) > 1 for r in reports) \
            or any(mentions_date(text, day) for day, _, _ in reports[1:]):
        return None
    answer = quote(question, reports[0][1], evidence)
    shown = list(reports[0][2])
    earlier = []
    for _, e, (figure,) in reports[1:]:
        if not any(figure.matches(s) for s in shown):
            shown.append(figure)
            earlier.append((e, figure.text))
    return with_reports(answer, earlier)


def _listed(text: str) -> list[Quantity]:
    """The figures of ``text`` listed side by side ("€5.8 million, €3.4 million and €1.2 million"): not
    "251 sailings in 20 days"."""
    figures = _figures(text)
    out: list[Quantity] = []
    at = 0
    spans = []
    for q in figures:
        start = text.find(q.text, at)
        if start < 0:
            return []
        spans.append((start, start + len(q.text)))
        at = start + len(q.text)
    for k in range(1, len(figures)):
        if re.fullmatch(r"\s*(?:,|,?\s*and|,?\s*or)\s*", text[spans[k - 1][1]:spans[k][0]]) and \
                not re.search(r"\bbetween\s*$", text[:spans[k - 1][0]]):  # not a range: "between 300 and 400"
            out += [q for q in figures[k - 1:k + 1] if q not in out]
    return out


def renumber(answer: Answer) -> Answer:
    """Citations numbered in the order the text first uses them."""
    order: dict[int, int] = {}
    for m in CITE.finditer(answer.text):
        for n in re.findall(r"\d+", m.group(1)):
            order.setdefault(int(n), len(order) + 1)
    answer.text = CITE.sub(lambda m: m.group(0)[:m.start(1) - m.start() - 1]  # the space before it, if any
                           + "".join(f"[{order.get(int(n), int(n))}]" for n in re.findall(r"\d+", m.group(1))),
                           answer.text)
    for c in answer.citations:
        c.n = order.get(c.n, c.n)
    answer.citations.sort(key=lambda c: c.n)
    return answer


def compose(question: str, parts: Sequence[tuple[str, list[int]]], evidence: Sequence[Evidence], mode: str,
            lead: str = "") -> Answer:
    """The answer text with citation marks [n] numbered in order of first use, and the citations."""
    numbering: dict[int, int] = {}
    citations: list[Citation] = []
    out = []
    for text, sources in parts:
        marks = []
        for i in sources:
            if i not in numbering:
                numbering[i] = len(numbering) + 1
                e = evidence[i - 1]
                art = e.hit.article
                citations.append(Citation(
                    n=numbering[i], article_id=art.id, title=art.title, source=art.source,
                    published=art.published, url=art.url, quote=e.text, start=e.start, end=e.end,
                    score=round(e.score, 4), passage_id=e.hit.passage.id, passage_text=e.hit.passage.text,
                    passage_start=e.hit.passage.start, page=art.page_of(e.start)))
            marks.append(f"[{numbering[i]}]")
        text = text.rstrip()
        end = "" if text.endswith((".", "!", "?", "”", '"')) else "."
        out.append(f"{text}{end} {''.join(marks)}")
    return Answer(question=question, text=lead + " ".join(out), refused=False, citations=citations, mode=mode,
                  lead=lead)


def mentions_date(text: str, d: date) -> bool:
    """``text`` gives this day ("23 August", "August 23", "23.08.2025", "2025-08-23")."""
    month = f"{d:%B}"
    return bool(re.search(rf"\b{d.day}(st|nd|rd|th)? (of )?{month}\b|\b{month} {d.day}\b", text, re.IGNORECASE)) \
        or any(form in text for form in date_forms(d)[3:])


def lower_first(text: str) -> str:
    """``text`` to follow a comma: its first letter in lower case unless it begins a name or an acronym."""
    first = text.split(" ", 1)[0]
    keep = first.isupper() or any(first in n.split() for n in names(text))
    return text if keep else text[:1].lower() + text[1:]


def dated(parts: Sequence[tuple[str, list[int]]], evidence: Sequence[Evidence]) -> list[tuple[str, list[int]]]:
    """Each sentence begins "As of <date>," with its cited articles' newest publication date, unless
    it gives that date itself or the sentence before it was dated the same: news changes, and a
    figure is true as of its report (an earlier report's date in it is not the sentence's date)."""
    out, last = [], None
    for text, sources in parts:
        # The sentence's figures date it: a sentence cited only for a name does not.
        holding = [i for i in sources if not _other_figures(text, evidence[i - 1].text)
                   and _figures(evidence[i - 1].text)] if _figures(text) else []
        days = [d for i in holding or sources if (d := parse_date(evidence[i - 1].hit.article.published))]
        newest = max(days, default=None)
        if newest and newest != last and not mentions_date(text, newest):
            text = f"As of {spoken_date(newest)}, {lower_first(text)}"
        last = newest or last
        out.append((text, sources))
    return out


def relative_date(c: Citation) -> tuple[str, date, bool] | None:
    """The relative date in a citation's quote ("on Tuesday", "about 40 days ago") as (its words, the
    calendar date counted from the article's publication date, approximate?); None when it has none."""
    published = parse_date(c.published)
    return resolve_relative(c.quote, published) if published else None


def derived_dates(answer: Answer) -> str:
    """A sentence that turns a relative date of the cited text into a calendar date, saying it was
    derived from the report's date; "" when there is none."""
    notes = []
    for c in answer.citations:
        found = relative_date(c)
        if found and not mentions_date(answer.text, found[1]):
            words, day, approx = found
            notes.append(f"“{words}” in the report of {spoken_date(c.published)} is {'around ' if approx else ''}"
                         f"{spoken_date(day)} [{c.n}].")
    return " ".join(dict.fromkeys(notes))


def quote(question: str, e: Evidence, evidence: Sequence[Evidence], mode: str = "extractive") -> Answer:
    """The sentence itself, quoted and attributed: a fallback that reads as one. A sentence from
    elsewhere in the evidence's passages joins the evidence, so that it can be cited."""
    evidence = list(evidence) if e in evidence else [*evidence, e]
    art = e.hit.article
    date = spoken_date(art.published)
    lead = f"{art.source or 'The article'}{f' ({date})' if date else ''} reports: "
    return compose(question, [(f"“{nested_quote(e.text)}”", [evidence.index(e) + 1])], evidence, mode=mode,
                   lead=lead)


def nested_quote(text: str) -> str:
    """A sentence as it reads inside double quotation marks: its own double quotes become single ones,
    and a quotation that began before the sentence (or goes on after it) is opened (or closed) at its
    edge, so every mark has its pair: ``"The third ... month," he said.`` reads
    ``‘The third ... month,’ he said.``"""
    out: list[str] = []
    depth = unopened = 0
    for i, ch in enumerate(text):
        if ch not in '"“”':
            out.append(ch)
        elif ch == "“" or (ch == '"' and (i == 0 or text[i - 1].isspace() or text[i - 1] in "([—–-")):
            depth += 1
            out.append("‘")
        else:
            depth, unopened = (depth - 1, unopened) if depth else (0, unopened + 1)
            out.append("’")
    return "‘" * unopened + "".join(out) + "’" * depth


def refusal(question: str, reason: str, hits: Sequence[Hit]) -> Answer:
    text = f"The articles don't say: {reason}."
    if hits:
        text += " The closest passages are shown with this answer."
    return Answer(question=question, text=text, refused=True, hits=list(hits), mode="refused")
