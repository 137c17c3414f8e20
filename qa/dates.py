"""Dates as readers say them, time in questions, and relative dates in articles."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_date(published: str | None) -> date | None:
    """The date of an ISO date or datetime string; None when there is no usable date."""
    if not published:
        return None
    for text in (published[:19], published[:10]):
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            continue
    return None


_PUBLISHED_FORMATS = ("%H:%M %d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y/%m/%d", "%Y/%m/%d/%H:%M", "%Y-%m-%d",
                      "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%B %d, %Y", "%b %d, %Y", "%d %B %Y",
                      "%a, %d %b %Y %H:%M:%S %Z", "%a, %d %b %Y %H:%M:%S %z")


def parse_published(value: Any) -> str | None:
    """An article's publication date, in the forms news sources write it, as ISO 8601: "2025-08-23" for a
    date, "2025-08-23T17:15" (plus the offset it states, never converted) for a time; None when there is no
    usable date. A number is a Unix timestamp (local time).

    ISO strings and a fixed list of formats come first; a form they miss ("5 Jan 2023", "Jan. 5, 2023
    10:30 AM") is read by python-dateutil when it names a whole date that cannot be read two ways."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value)).isoformat(timespec="minutes")
    s = str(value).strip()
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        return dt.isoformat(timespec="minutes") if (dt.hour or dt.minute or "T" in s) else dt.date().isoformat()
    except ValueError:
        pass
    for fmt in _PUBLISHED_FORMATS:
        try:
            dt = datetime.strptime(s, fmt)
        except ValueError:
            continue
        return dt.isoformat(timespec="minutes") if "%H" in fmt else dt.date().isoformat()
    return _parse_loose(s)


def _parse_loose(s: str) -> str | None:
    """python-dateutil's reading of ``s``, or None where it lacks the year, month or day ("May 2023",
    "Monday") or can be read two ways: day-first and month-first ("05/01/2023"; a leading year means
    Y-M-D), or an offset after a zone name ("GMT+2", which dateutil reads as two hours behind)."""
    if not re.search(r"\d", s) or re.search(r"(?i)\b(gmt|utc)\s*[+-]\s*\d", s):
        return None
    from dateutil import parser

    def offset(_name: str | None, seconds: int | None) -> int | None:
        return seconds  # a stated offset is kept; a zone name alone ("EST") is dropped, as %Z drops it

    try:
        first = parser.parse(s, default=datetime(2000, 1, 1, 0, 0), tzinfos=offset)
        other = parser.parse(s, default=datetime(2001, 2, 2, 1, 1), tzinfos=offset)
        day_first = parser.parse(s, default=datetime(2000, 1, 1, 0, 0), tzinfos=offset, dayfirst=True)
    except (ValueError, OverflowError):
        return None
    if first.date() != other.date() or (first != day_first and not re.match(r"\d{4}\D", s)):
        return None
    return str(first.isoformat(timespec="minutes")) if first.hour == other.hour else str(first.date().isoformat())


def spoken_date(published: str | date | None) -> str | None:
    """"2025-08-23T17:15:00" -> "23 August 2025"; None when there is no usable date."""
    d = published if isinstance(published, date) else parse_date(published)
    return f"{d.day} {d:%B %Y}" if d else None


def date_forms(d: date) -> list[str]:
    """Ways a text writes this date ("23 August 2025", "August 23, 2025", "23.08.2025", ...)."""
    return [f"{d.day} {d:%B %Y}", f"{d:%B} {d.day}, {d.year}", f"{d:%B} {d.day} {d.year}", f"{d:%d.%m.%Y}",
            d.isoformat()]


@dataclass(frozen=True)
class TimeFrame:
    """What a question says about time: the publication dates that can answer it, and whether it
    asks for the state of things now ("so far", "latest"), which puts the newest articles first."""

    after: date | None = None
    before: date | None = None
    latest: bool = False
    phrase: str = field(default="", compare=False)  # the words that said so ("by 5 July 2026")
    # The latest month or day the question names without bounding it ("back in February 2026"):
    # reports published then come first, without excluding later ones (see ``time_frame``).
    during: tuple[date, date] | None = field(default=None, compare=False)

    def distance(self, published: str | None) -> int:
        """Days from ``during`` to a publication date: 0 within it or up to two weeks after (the
        reports of its events), more before or later; 0 for all when there is no ``during``."""
        day = parse_date(published) if self.during else None
        if self.during is None or day is None:
            return 0
        start, end = self.during
        if day < start:
            return (start - day).days
        return max(0, (day - end).days - 14)

    def without_phrase(self, question: str) -> str:
        """The question without its time bound, to search and check names with ("How large was the
        fire by 5 July 2026?" -> "How large was the fire?"): articles do not repeat the bound."""
        if not self.phrase or (self.before is None and self.after is None):
            return question
        return re.sub(r"\s+([?.!,;])", r"\1", question.replace(self.phrase, "", 1)).strip() or question


_LATEST = re.compile(r"\b(so far|to date|(right )?now|currently|current|at present|presently|latest|most recent|"
                     r"newest|still|yet|these days|as of today|up to now|until now|thus far)\b", re.IGNORECASE)
_MONTH = r"(" + "|".join(MONTHS) + r")"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_MONTH},? (\d{{4}})\b|"
                             rf"\b{_MONTH} (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})\b", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b{_MONTH},? (\d{{4}})\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_UNTIL = (r"\b(?:(?:at|by) the (?:end|close) of|(?:at the )?end of|by|before|until|till|up to|as of|as at|"
          r"at(?= the (?:start|beginning|middle) of))\s+(?:the )?")


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


# Part of a month: "early June" is its first ten days, "mid-May" (or "the middle of May") the next ten,
# "late August" the rest; "the start of June" is its early part, "the end of" is dealt with by _UNTIL.
_PART = re.compile(r"(?:(early|mid|late)[- ]|(?:the )?(start|beginning|middle) of )(?=[a-z])", re.IGNORECASE)
_PART_DAYS = {"early": (1, 10), "start": (1, 10), "beginning": (1, 10), "mid": (11, 20), "middle": (11, 20),
              "late": (21, 31)}
_MONTH_ALONE = re.compile(r"\b(" + "|".join(m.title() for m in MONTHS) + r")\b(?!,? \d)")  # "may" is a verb


def _period(text: str, today: date | None = None) -> tuple[date, date, int] | None:
    """The first and last day of the date, month or year that ``text`` begins with, and where it ends.
    With ``today``, also a part of a month ("mid-May 2026", "early June") and a month without its year
    ("by the end of May"): the last such month up to today."""
    part = _PART.match(text) if today else None
    if part:
        whole = _period(text[part.end():], today)
        if whole is None or whole[0].day != 1 or whole[1] != _month_end(whole[0]):
            return None  # a part of a month only ("early 2026" is left alone)
        start, end = _PART_DAYS[(part.group(1) or part.group(2)).lower()]
        return whole[0].replace(day=start), whole[0].replace(day=min(end, whole[1].day)), part.end() + whole[2]
    m = _DAY_MONTH_YEAR.match(text)
    if m:
        day, month, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
        try:
            d = date(int(year), MONTHS.index(month.lower()) + 1, int(day))
        except ValueError:
            return None
        return d, d, m.end()
    m = _MONTH_YEAR.match(text)
    if m:
        first = date(int(m.group(2)), MONTHS.index(m.group(1).lower()) + 1, 1)
        return first, _month_end(first), m.end()
    m = _YEAR.match(text)
    if m:
        return date(int(m.group(1)), 1, 1), date(int(m.group(1)), 12, 31), m.end()
    if today is not None and (m := _MONTH_ALONE.match(text)):
        number = MONTHS.index(m.group(1).lower()) + 1
        month = date(today.year - (number > today.month), number, 1)
        return month, _month_end(month), m.end()
    return None


_PERIOD_START = re.compile(rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTH}|{_MONTH}|19\d\d|20\d\d)\b|"
                           r"\b(?:early|mid|late)[- ](?=[a-z])|\bthe (?:start|beginning|middle) of (?=[a-z])",
                           re.IGNORECASE)


# A number alone is a year where a year is expected: after these words ("in 2023", "the 2023 election"),
# or before punctuation ("elected in May, 2023."); "About 2000 people" is a count.
_BEFORE_YEAR = {"in", "of", "since", "by", "during", "until", "till", "from", "the", "before", "after", "early",
                "late", "mid", "year", "spring", "summer", "autumn", "fall", "winter", "and", "or", "to",
                "day", "eve"}  # "New Year's Day 2022", "Christmas Eve 2023"


def named_periods(text: str, today: date | None = None) -> list[tuple[str, date, date]]:
    """The dates, months and years that ``text`` names ("December 31, 2022", "August 2022", "in 2023"), each
    as (its words, its first day, its last day). With ``today``, also parts of months ("mid-May 2026") and
    months without their year ("back in February": the last February up to today)."""
    out = []
    pos = 0
    while m := _PERIOD_START.search(text, pos):
        period = _period(text[m.start():], today)
        if period and m.group(0).isdigit():  # a bare year: only where a year is expected
            before = text[:m.start()].split()[-1:]
            after = text[m.start() + period[2]:m.start() + period[2] + 1]
            if not ((before and before[0].lower().strip("(\"'") in _BEFORE_YEAR) or after in ("", ",", ".", ";",
                                                                                              ":", "?", "!", ")")):
                period = None
        if period:
            out.append((text[m.start():m.start() + period[2]], period[0], period[1]))
            pos = m.start() + period[2]
        else:
            pos = m.end()
    return out


def time_frame(question: str, today: date) -> TimeFrame:
    """The time a question is about, relative to ``today``.

    "by the end of August 2025", "before 1 May 2026", "as of March 2026", "by mid-May", "at the start of
    June": published up to then (a month without its year is the last such month up to today; "early",
    "mid" and "late" are its first, second and last ten days).
    "last week", "last month", "this year", "yesterday", "today": published since then.
    "two weeks ago", "a month ago": the reports of that day first.
    "so far", "now", "latest": the newest first. Otherwise no bound: an undated article still counts.
    A year or month alone ("in 2024") names when something happened, which a later article may
    report, so it does not restrict. A month or day does put the reports of that time first (``during``;
    the latest one named: "the shirt worn in June 1986, sold in May 2022" is about May 2022); a year does
    not: its totals come in the articles of the years after it."""
    q = question.lower()
    latest = bool(_LATEST.search(q))
    for m in re.finditer(_UNTIL + r"(.{0,40})", question, re.IGNORECASE):
        if period := _period(m.group(1), today):
            phrase = question[m.start():m.start(1) + period[2]]
            return TimeFrame(before=min(period[1], today), latest=True, phrase=phrase)
    monday = today - timedelta(days=today.weekday())
    since = None
    if re.search(r"(?<!usa )\btoday\b|\bthis morning\b|\btonight\b", q):  # "USA Today" is an outlet
        since = today
    elif re.search(r"\byesterday\b", q):
        since = today - timedelta(days=1)
    elif re.search(r"\b(this|past) week\b", q):
        since = monday if "this week" in q else today - timedelta(days=7)
    elif re.search(r"\blast week\b", q):
        since = monday - timedelta(days=7)
    elif re.search(r"\b(this|past) month\b", q):
        since = today.replace(day=1) if "this month" in q else today - timedelta(days=31)
    elif re.search(r"\blast month\b", q):
        since = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    elif re.search(r"\b(this|past) year\b", q):
        since = date(today.year, 1, 1) if "this year" in q else today - timedelta(days=366)
    if since:
        return TimeFrame(after=since, latest=True)
    if not latest and (ago := _AGO.search(question)):  # "a month ago": the reports of that day first
        day = today - timedelta(days=_count(ago.group(1)) * _UNIT_DAYS[ago.group(2).lower()])
        return TimeFrame(during=(day, day), phrase=ago.group(0))
    # A year's figures are reported after it ends, by any later article: only months and days bound.
    periods = [] if latest else [p for p in named_periods(question, today) if (p[2] - p[1]).days <= 31]
    if not periods:
        return TimeFrame(latest=latest)
    words, start, end = max(periods, key=lambda p: p[2])
    at = question.find(words)
    # "back in February 2026" is a time; "the 2023 election" names a thing, and keeps its words.
    lead = re.search(r"\b(?:back |earlier |later )?(?:in|during|on)\s+$", question[:at])
    return TimeFrame(latest=latest, during=(start, end), phrase=question[lead.start():at + len(words)] if lead else "")


def without_period(question: str) -> str:
    """The question without the time it names but does not bound ("How many were on the list back in
    February 2026?" -> "How many were on the list?"): a second read of one article's text, which
    seldom repeats the month it was published in, answers that."""
    frame = time_frame(question, date.today())
    if frame.during is None or not frame.phrase or frame.during[0] == frame.during[1]:
        return question  # a day ("on 31 December 2022") is what articles write
    shorter = re.sub(r"\s{2,}", " ", question.replace(frame.phrase, "", 1))
    return re.sub(r"\s+([?.!,;])", r"\1", shorter).strip() or question


_RELATIVE = re.compile(r"\b(?:(?:on|last|this past) )?(" + "|".join(WEEKDAYS) + r")\b|\b(yesterday)\b|"
                       r"\b(?:(about|around|nearly|almost|some|roughly) )?(\d{1,3}|one|two|three|four|five|six|seven|"
                       r"eight|nine|ten) (day|week)s? (ago|earlier)\b|"
                       r"\b(today|tonight|this (?:morning|afternoon|evening))\b", re.IGNORECASE)
_SMALL = {w: i for i, w in enumerate("one two three four five six seven eight nine ten".split(), 1)}
# "two weeks ago" in a question: counted back from today.
# Not years: "founded 20 years ago" names when a thing began, not the reports to read.
_AGO = re.compile(r"\b(an?|\d{1,3}|" + "|".join(_SMALL) + r") (day|week|month)s? ago\b", re.IGNORECASE)
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}


def _count(word: str) -> int:
    """"3", "three" or "a" as a number."""
    return int(word) if word.isdigit() else 1 if word.lower() in ("a", "an") else _SMALL[word.lower()]


def resolve_relative(text: str, published: date) -> tuple[str, date, bool] | None:
    """The first relative date of ``text`` ("on Tuesday", "yesterday", "about 40 days ago") as a
    calendar date counted back from the article's publication date: (the words, the date, whether it
    is approximate). "Today" and "this morning" are the day of publication, when the text names no
    other relative date. A weekday is the last such day up to publication: news names the day of the
    week for that day's events too ("on Saturday" in a report published on a Saturday is that day,
    "last Saturday" the one before)."""
    today = None
    for m in _RELATIVE.finditer(text):
        if m.group(7):  # "said today that the fire started on Tuesday": the other date is the event's
            today = today or (m.group(0), published, False)
            continue
        if m.group(1):
            back = (published.weekday() - WEEKDAYS.index(m.group(1).lower())) % 7
            if not back and m.group(0).lower().startswith(("last", "this past")):
                back = 7
            return m.group(0), published - timedelta(days=back), False
        if m.group(2):
            return m.group(0), published - timedelta(days=1), False
        days = _count(m.group(4)) * (7 if m.group(5).lower() == "week" else 1)
        return m.group(0), published - timedelta(days=days), bool(m.group(3))
    return today
