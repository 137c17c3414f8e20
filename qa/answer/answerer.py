"""Grounded answers, step by step: condense -> retrieve -> gate -> evidence -> generate -> check -> cite.

1. A follow-up is made standalone (rules, then the reader model when the rules cannot).
2. Time in the question ("by the end of August 2025", "last week") bounds the publication dates,
   counted from today or ``as_of``; "so far", "latest" rank the newest articles first.
   Hybrid retrieval (a misspelt word is corrected to the word the retrieved passages use, and the
   search repeated); only articles that mention every name, figure and ordinal of the question
   count; their sentences are ranked, the passages re-ranked by their best sentence (a third
   ranking in the reciprocal-rank fusion), and the best sentences become the evidence. Sentences
   that instruct an AI (``qa.guard``) are never evidence.
3. Nothing relevant, or a name the articles never mention: a refusal before any generation.
4. The reader model answers in one or two sentences citing the numbered evidence (streamed).
5. Check: each sentence's figures and names must be in the evidence it cites, and a second read of
   the cited passages alone ("answer in a few copied words") must agree with the answer: the
   cited text states *this* answer to *this* question. A sentence dated to another time than the
   question names ("62% in 2022" for the vote of January 2023) fails too (and is not quoted, whatever
   the question asks), and a "who" or "which" question is answered only by something it does not name
   itself. What fails is dropped; when
   nothing is left, the best sentence is quoted if a re-read finds the answer in it (or a read of all
   the evidence passages finds it, in words copied from a lesser one), else the answer is a refusal
   with the closest passages.
6. Dated: each sentence says as of when (its cited article's date); for a figure, other articles
   among the evidence that give a different one are added with outlet and date, the newest first
   (also when the model ran several days' figures together in one sentence: ``unblended``);
   a relative date asked about ("on Monday") is given as a calendar date counted from its report.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date

from ..config import Settings
from ..dates import TimeFrame, named_periods, time_frame, without_period
from ..llm import LLM, LLMUnavailable, Message, complete
from ..records import Answer, Hit, Progress
from ..retrieve import Filters, Retriever, published_window, within
from ..text import content_words, correct_spelling
from . import condense, reader, verify
from .evidence import (
    FIGURES,
    Evidence,
    answers_kind,
    covering_hits,
    distinct,
    figure_kind,
    holds_figure,
    name_kind,
    names_new,
    rerank,
    with_neighbours,
    without_periods,
)
from .facts import CITE, counted, quantities, same_thing
from .verify import (
    adds_to,
    agrees,
    compose,
    dated,
    derived_dates,
    holds,
    quote,
    refusal,
    supporting,
    unblended,
    with_reports,
)

log = logging.getLogger(__name__)
NEIGHBOURS_OF = 4  # the best passages whose neighbours (the passage before and after) are read too
REREAD_TOKENS = 24  # a few copied words; a reply cut off in a word is asked for again with room to end
MAX_QUESTION_CHARS = 2000  # a question, or a turn of its history; longer is pasted text, not a question


class Answerer:
    def __init__(self, settings: Settings, retriever: Retriever, llm_factory: Callable[[], LLM]) -> None:
        self.settings = settings
        self.retriever = retriever
        self._llm_factory = llm_factory
        self._llm: LLM | None = None
        self._llm_lock = threading.Lock()

    @property
    def llm(self) -> LLM:
        with self._llm_lock:  # two first questions at once must not load two models
            if self._llm is None:
                llm = self._llm_factory()
                prime = getattr(llm, "prime", None)
                if prime is not None:  # the in-process model: its slots start with our instructions read
                    prime([self.prompt("warm up", []), reader.extract_messages("warm up", [])])
                self._llm = llm
            return self._llm

    def preload(self) -> None:
        """Start loading the LLM in the background, so that it loads while the question is retrieved."""
        def load() -> None:
            try:
                _ = self.llm
            except LLMUnavailable:
                pass  # the question's own use of the model reports it

        threading.Thread(target=load, daemon=True, name="llm-preload").start()

    def warm_up(self) -> None:
        """Load the embedding model, the name finder and the LLM now (start-up), not at the first question."""
        from ..names import warm_up

        self.retriever.similarity("warm up", [])
        warm_up()
        try:
            llm = self.llm
            if getattr(llm, "prime", None) is None:  # a server of the user's: let it cache our prefix
                complete(llm, self.prompt("warm up", []), max_tokens=1)
        except LLMUnavailable as err:
            log.warning("LLM unavailable at start-up: %s", err)

    # ------------------------------------------------------------------ public API
    def ask(self, question: str, history: Sequence[tuple[str, str]] = (), filters: Filters | None = None,
            as_of: date | None = None) -> Answer:
        answer = None
        for item in self.stream(question, history, filters, as_of):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    def stream(self, question: str, history: Sequence[tuple[str, str]] = (), filters: Filters | None = None,
               as_of: date | None = None) -> Iterator[str | Progress | Answer]:
        """Yield :class:`Progress` notes, the model's draft as it is generated, then the checked
        :class:`Answer` (whose text may differ from the draft: unsupported sentences are removed).
        ``as_of`` is "today" (default: the real date): only articles published by then count, and
        "so far", "last week" or "by the end of August" are read from it."""
        t0 = time.perf_counter()
        question = question.strip()
        if not question:
            yield Answer(question=question, text="Please ask a question.", refused=True, mode="refused")
            return
        if len(question) > MAX_QUESTION_CHARS:
            yield Answer(question=question, refused=True, mode="refused",
                         text=f"The question is too long ({len(question):,} characters; at most "
                              f"{MAX_QUESTION_CHARS:,}). Please ask it in fewer words.")
            return
        history = [(q[:MAX_QUESTION_CHARS], a[:MAX_QUESTION_CHARS])
                   for q, a in list(history)[-self.settings.history_turns:]]
        timings: dict[str, float] = {}
        error = None
        try:
            standalone = self.condense(question, history)
        except LLMUnavailable as err:
            error = str(err)
            standalone = " ".join([q for q, _ in history[-1:]] + [question])
        if history:
            timings["condense"] = _ms(t0)
        t1 = time.perf_counter()
        frame = time_frame(standalone, as_of or date.today())
        filters = within(filters or Filters(), frame)
        if as_of:  # nothing published after "today"
            filters = within(filters, TimeFrame(before=as_of))
        n = self.retriever.article_count()
        yield Progress("searching", f"searching {n:,} article{'s' if n != 1 else ''}…")
        asked = frame.without_phrase(standalone)  # "by 5 July 2026" is a filter, not words to find
        found = self.retriever.search(asked, k=self.settings.retrieve_k, filters=filters)
        corrected = correct_spelling(asked, [h.passage.text for h in found])
        if corrected != asked:  # "thrid" -> "third": search again with the words the articles use
            standalone = correct_spelling(standalone, [h.passage.text for h in found])
            asked = corrected
            found = self.retriever.search(asked, k=self.settings.retrieve_k, filters=filters)
        hits, missing = covering_hits(asked, found)
        hits, evidence, ranked = self.select_evidence(asked, hits, frame.latest, frame)
        timings["retrieve"] = _ms(t1)

        def finish(answer: Answer) -> Answer:
            answer.question = question
            answer.standalone_question = standalone
            answer.hits = answer.hits or hits
            answer.error = answer.error or error
            timings["total"] = _ms(t0)
            timings.setdefault("generate", 0.0)
            answer.timings_ms = {k: round(v, 1) for k, v in timings.items()}
            return answer

        reason = self.refusal_reason(evidence, missing)
        if reason and (window := published_window(filters)):
            reason = f"{reason} ({window})"
        if reason:
            yield finish(refusal(question, reason, hits or found[:self.settings.top_k]))
            return
        yield Progress("reading", f"reading {len(evidence)} passage{'s' if len(evidence) != 1 else ''}…")
        t2 = time.perf_counter()
        draft = ""
        try:
            for delta in self.llm.stream(self.prompt(standalone, evidence), max_tokens=self.settings.llm_max_tokens):
                if not draft:
                    timings["first_token"] = _ms(t0)
                draft += delta
                yield delta
            timings["generate"] = _ms(t2)
            t3 = time.perf_counter()
            answer = self.verify(standalone, draft, evidence)
            answer = self.other_reports(standalone, answer, ranked)
            if not answer.refused and figure_kind(standalone) == "time" and (note := derived_dates(answer)):
                answer.text = f"{answer.text} {note}"
            timings["check"] = _ms(t3)
        except LLMUnavailable as err:
            log.warning("LLM unavailable: %s", err)
            timings["generate"] = _ms(t2)
            answer = self.retrieval_only(standalone, evidence, str(err))
        yield finish(answer)

    # ------------------------------------------------------------------ steps
    def condense(self, question: str, history: Sequence[tuple[str, str]]) -> str:
        """Rewrite a follow-up into a standalone question: the rules of ``qa.answer.condense`` first, the
        reader model when they could only prepend the previous question."""
        if not history:
            return question
        ruled = condense.rewrite(question, history)
        if self.settings.condense != "llm" or ruled == question or not ruled.startswith(history[-1][0]):
            return ruled
        lines = complete(self.llm, reader.condense_messages(question, history), max_tokens=60)
        candidate = (lines.strip().strip('"').splitlines() or [""])[0].strip()
        convo = " ".join(f"{q} {a}" for q, a in history)
        # A model that answers instead of rewriting, or drops the question's words, is not trusted.
        if candidate.endswith("?") and len(candidate) <= 3 * len(question) + 120 and \
                content_words(question) <= content_words(candidate) | content_words(convo):
            return candidate
        return ruled

    def select_evidence(self, question: str, hits: Sequence[Hit], latest: bool = False,
                        frame: TimeFrame | None = None) -> tuple[list[Hit], list[Evidence], list[Evidence]]:
        """The ``top_k`` passages best for the question, of those found and those beside the best few
        (re-ranked by their best sentence, and by date when it asks for the latest or names a time);
        their sentences most relevant to it, the evidence (best first, newest article first when it
        asks for the latest, reports of the time it names first); and all their sentences ranked."""
        newest_first = (latest and self.settings.recency != "off") or self.settings.recency == "always"
        frame = frame if self.settings.recency != "off" else None
        hits = with_neighbours(hits, self.retriever.store.passages_of, NEIGHBOURS_OF)
        hits, sentences = rerank(question, hits, self.retriever.similarity, newest_first, frame)
        hits = hits[:self.settings.top_k]
        kept = {h.passage.id for h in hits}
        ranked = [e for e in sentences if e.hit.passage.id in kept]
        evidence = distinct(ranked, self.settings.evidence_sentences)
        if newest_first:  # the model reads the newest report first (stable: best first within a date)
            evidence.sort(key=lambda e: e.hit.article.published or "", reverse=True)
        elif frame is not None and frame.during:  # the reports of the time asked about first
            evidence.sort(key=lambda e: frame.distance(e.hit.article.published))
        return hits, evidence, ranked

    def refusal_reason(self, evidence: Sequence[Evidence], missing: Sequence[str]) -> str | None:
        if missing:
            return f"the articles found do not mention {', '.join(missing)}"
        if not evidence:
            return "nothing in the articles matches the question"
        if max(e.score for e in evidence) < self.settings.min_relevance:
            return "nothing in the articles is close enough to the question"
        return None

    def prompt(self, question: str, evidence: Sequence[Evidence]) -> list[Message]:
        return reader.reader_messages(question, evidence)

    def reread(self, question: str, evidence: Sequence[Evidence]) -> str | None:
        """Ask the question again over the passages that hold these sentences (a sentence alone can
        lack its subject: "There are three packages"), for a few copied words; None when the model
        finds no answer there, or only echoes the question ("What kind of weapons ...?" -> "weapons")."""
        passages = list(dict.fromkeys(e.hit.passage.text for e in evidence))
        # The month asked about is the articles' date, which their text seldom repeats.
        messages = reader.extract_messages(without_period(question), passages)
        short = complete(self.llm, messages, max_tokens=REREAD_TOKENS).strip()
        if reader.cut_short(short, passages):  # "Yes, the list ... is still growing, and it is 4,81"
            short = complete(self.llm, messages, max_tokens=4 * REREAD_TOKENS).strip()
        if reader.says_unknown(short) or not adds_to(question, short):
            return None
        return short

    def verify(self, question: str, draft: str, evidence: Sequence[Evidence]) -> Answer:
        """Keep the draft's sentences whose facts are in the evidence they cite, when a re-read of their
        passages agrees with them (or invents its answer: no second opinion). Otherwise quote the sentence
        of those passages that holds the re-read's answer, or the best one that a re-read finds it in."""
        log.info("draft: %r", draft)
        evidence = list(evidence)  # sentences elsewhere in a cited article may be added (``restating``)
        if reader.says_unknown(draft):  # a second opinion on the best sentence, else a refusal
            return self.extractive(question, evidence)
        kept: list[tuple[str, list[int]]] = []
        for claim in reader.parse_draft(draft):
            if not claim.text or (not content_words(claim.text) and not claim.cites):
                continue
            support = supporting(claim, question, evidence) or \
                verify.restating(claim, question, evidence, self.retriever.store.passages_of)
            if support and verify.another_time(claim.text, question):
                log.info("dropped sentence about another time: %s", claim.text)
            elif support:
                kept.append((claim.text, support))
            else:
                log.info("dropped unsupported sentence: %s", claim.text)
        kind = figure_kind(question)
        if kind in ("count", "money") and not holds_figure(" ".join(t for t, _ in kept), kind, question):
            kept = []  # "how many employees?" is not answered by "20% fewer", nor "how much money?" by "251 sailings"
        if not adds_to(question, " ".join(t for t, _ in kept)):
            kept = []  # "Off which Florida city did it splash down?" is not answered by "in Florida"
        if kind is None and not verify.gives_name(" ".join(t for t, _ in kept), question):
            kept = []  # "Which group was blamed for the theft from Ronin Network?" is not answered by "Ronin Network"
        if kept:
            used = [evidence[i - 1] for i in dict.fromkeys(i for _, src in kept for i in src)]
            short = self.reread(question, used)
            text = " ".join(t for t, _ in kept)
            log.info("re-read %r for %r", short, text)
            passages = " ".join(dict.fromkeys(e.hit.passage.text for e in used))
            agreed = short is not None and agrees(text, short, question)
            if short and (agreed or not holds(passages, short)):
                log.info("kept: %s", "the re-read agrees" if agreed else "the re-read is not in the passages")
                return unblended(question, kept, evidence) or \
                    compose(question, dated(kept, evidence), evidence, mode="generated")
            if short and (found := verify.holding(short, used)) and _quotable(short, found, kind, question):
                return quote(question, found, evidence)
        return self.extractive(question, evidence)

    def other_reports(self, question: str, answer: Answer, sentences: Sequence[Evidence]) -> Answer:
        """News changes and outlets disagree: for a question about a quantity, the best sentence of up
        to two other retrieved articles in which a re-read finds a different figure is added, dated
        (newest first). ``sentences``: those of the retrieved passages, best first."""
        kind = figure_kind(question)
        plain = CITE.sub("", without_periods(answer.text, named_periods(answer.text)))  # not its dates, nor [1]
        figures = quantities(plain)
        wanted = name_kind(question)
        if kind is None and figures and (wanted is None or not names_new(answer.text, question, wanted)):
            kind = "quantity"  # "What's the latest tally ...?", "Where do numbers stand?" answered with a figure
        if answer.refused or kind not in FIGURES:
            return answer
        given = quantities(answer.text)
        # What each figure counts, of the answer and of the question ("How many patients ...?").
        things = [(f, counted(plain, f) | content_words(_counted_in(question))) for f in figures]
        # The articles the answer's figures come from (not one cited only for a name in it).
        seen = {c.article_id for c in answer.citations
                if any(q.matches(f) for q in quantities(c.quote) for f in figures)} or \
            {c.article_id for c in answer.citations}
        reports: list[tuple[Evidence, str]] = []
        tries = 3  # re-reads: each is a model call
        for e in sentences:
            art = e.hit.article
            if art.id in seen or e.score < self.settings.min_quote_relevance or \
                    not holds_figure(e.text, kind, question) or \
                    (things and not any(same_thing(q, e.text, things) for q in quantities(e.text))):
                continue  # an article's sentence with a figure of something else leaves its other sentences
            seen.add(art.id)
            tries -= 1
            short = self.reread(question, [e])
            found = quantities(short) if short and holds(e.text, short) else []
            if short and found and not any(f.matches(g) for f in found for g in given) and \
                    (not things or all(same_thing(q, e.text, things)
                                       for f in found for q in quantities(e.text) if q.matches(f))):
                reports.append((e, short.rstrip(".")))
            if len(reports) == 2 or not tries:
                break
        return with_reports(answer, reports) if reports else answer

    def extractive(self, question: str, evidence: Sequence[Evidence]) -> Answer:
        """The best evidence sentence (or the second best) whose passage a re-read finds the answer in:
        the sentence of that passage that holds it, quoted; else a refusal."""
        kind = figure_kind(question)
        fitting = [e for e in evidence if e.score >= self.settings.min_quote_relevance
                   and (kind is None or holds_figure(e.text, kind, question))]
        best_first = sorted(fitting, key=lambda e: -e.score)
        for best in best_first[:2]:  # the two best: a second chance, not a search
            short = self.reread(question, [best])
            log.info("re-read %r of the sentence %r", short, best.text)
            if short and (found := verify.holding(short, [best])) and _quotable(short, found, kind, question):
                return quote(question, found, evidence)
        if len(best_first) > 2:  # the answer may stand in a lesser sentence: one read of all their passages
            short = self.reread(question, best_first)
            log.info("re-read %r of %d sentences", short, len(best_first))
            read = {(e.hit.article.id, e.start) for e in best_first[:2]}  # their own re-reads found nothing
            # A search, not a second opinion: the reply must be words copied from the sentence it finds
            # ("9,300"), not the model's own ("It was discovered." for "Why did Jupiter lose 12 moons?").
            if short and (found := verify.holding(short, best_first[2:])) and verify.copied(short, found.text) and \
                    (found.hit.article.id, found.start) not in read and _quotable(short, found, kind, question):
                return quote(question, found, evidence)
        return refusal(question, "no passage found states the answer", [e.hit for e in evidence])

    def retrieval_only(self, question: str, evidence: Sequence[Evidence], error: str) -> Answer:
        """The model is down: the most relevant sentence, quoted and labelled as such."""
        notice = f"The language model is unavailable ({error})."
        if not evidence:
            answer = refusal(question, "nothing in the articles matches the question", [])
            answer.text = f"{notice} {answer.text}"
        else:
            answer = quote(question, max(evidence, key=lambda e: e.score), evidence, mode="retrieval-only")
            answer.text = f"{notice} The best passage: {answer.text}"
        answer.notice = notice
        answer.error = error
        return answer


def _quotable(short: str, found: Evidence, kind: str | None, question: str) -> bool:
    """The sentence that holds a re-read's answer may be quoted as the answer: the re-read gives the
    kind of answer asked for (a figure of the kind, a name the question does not give), and the
    sentence is of the time asked about."""
    return answers_kind(short, kind, question, found.text) and \
        (kind is not None or verify.gives_name(short, question)) and \
        not verify.another_time(found.text, question, quoted=True)


def _counted_in(question: str) -> str:
    """What a "how many" question counts: "How many patients has it put in hospital?" -> "patients"."""
    m = re.search(r"\bhow many ([a-z][\w-]*)", question, re.IGNORECASE)
    return m.group(1) if m else ""


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0
