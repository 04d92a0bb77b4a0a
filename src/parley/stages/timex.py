"""Time expressions: find dates in the text and normalise them against the publication day.

Wire copy leaves dates incomplete ("November 14", "on Friday", "in early 2019"), so every
expression is resolved against ``article.published``: a yearless date or a weekday takes
the occurrence on or before the publication day when its clause is in the past tense and
the one on or after it when the clause speaks of the future.  Values are TIMEX3-style
(``2019-05-10``, ``2019-05``, ``1956``, ``195X``, ``19``, ``PAST_REF``, ``P2W``), each with
its granularity, an optional modifier (START/MID/END) and its relation to the publication
day.  The grammar is a few regular expressions; vague phrases live in ``timex.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml

from parley.model import Article, Granularity, Span, TimeExpr, TimeRelation
from parley.pipeline import Context, register

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

Tense = Literal["past", "future", "unknown"]

DATA_FILE = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "timex.yaml"

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "a hundred": 100, "a couple of": 2, "couple of": 2,
}  # fmt: skip
#: TIMEX3 duration letters; decades and centuries are written in years (P20Y), as TimeBank does
UNITS = {"minute": "TM", "hour": "TH", "day": "D", "week": "W", "month": "M", "quarter": "Q",
         "year": "Y", "decade": "Y", "century": "Y"}  # fmt: skip
UNIT_YEARS = {"decade": 10, "century": 100}
#: parts of the day in TIMEX3 values ("Friday night" -> 2019-05-10TNI)
DAY_PARTS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
#: seasons in TIMEX3 values with the month each starts in
SEASONS = {"spring": ("SP", 3), "summer": ("SU", 6), "fall": ("FA", 9), "autumn": ("FA", 9),
           "winter": ("WI", 12)}  # fmt: skip
SET_WORDS = {"hourly": "PT1H", "daily": "P1D", "weekly": "P1W", "monthly": "P1M",
             "quarterly": "P1Q", "annually": "P1Y", "yearly": "P1Y"}  # fmt: skip
QUARTERS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}
MODS = {"early": "START", "mid": "MID", "middle": "MID", "late": "END"}

_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[5-9]\d\d|20\d\d)(?![\d,.]\d)"
_MOD = r"(?:(?P<mod>early|mid|middle|late)[- ]?)"
_NUM = (
    r"(?P<num>\d+(?:\.\d+)?|a couple of|couple of|a hundred|an?|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
    r"nineteen|twenty|thirty|forty|fifty|sixty|several|a few|few|many)"
)
_UNIT = (
    r"(?P<unit>minute|hour|day|week|month|quarter|year|decade|centurie|century)s?"
    r"(?![-\s]+old\b)"  # "a 6-year-old", "52 years old": ages
)
#: TimeML spans keep approximators: "nearly two years", "at least 30 days"
_APPROX = (
    r"(?:(?P<approx>about|around|nearly|almost|roughly|some|at least|more than|less than|over|"
    r"up to|only|just)\s+)?"
)
_CLOCK = (
    r"(?:(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?:\s*(?P<ampm>[ap]\.m\.?|[ap]m\b))?"
    r"|(?P<hour12>1[0-2]|0?[1-9])\s*(?P<ampm12>[ap]\.m\.?|[ap]m\b)|(?P<named>noon|midnight|midday))"
    r"(?:\s+(?P<zone>GMT|UTC(?:[+-]\d{1,2})?|EST|EDT|CST|CDT|PST|PDT|MSK|local time))?"
)

# (kind, pattern): tried in this order; overlapping matches keep the longest, then the first
GRAMMAR: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("month_day", rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?\b"),
        ("day_month", rf"\b(?:{_WEEKDAY},?\s+)?{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR})?\b"),
        ("month_year", rf"(?i:\b{_MOD}?)(?-i:{_MONTH}),?\s+{_YEAR}\b"),
        (
            "month_rel_year",
            rf"(?-i:\b{_MONTH})\s+(?i:(?P<rel>last|this|next)\s+year)\b",
        ),
        ("month", rf"(?i:\b(?:(?P<rel>last|this|next)\s+)?{_MOD}?)(?-i:\b{_MONTH})(?!\s+\d)\b"),
        (
            "season",
            r"(?i)\b(?:(?P<rel>last|this|next|this past|this coming|the)\s+)?"
            r"(?P<season>spring|summer|fall|autumn|winter)(?:\s+(?:of\s+)?(?P<year>1[5-9]\d\d|20\d\d))?\b",
        ),
        (
            "century",
            rf"(?i)\b(?:the\s+)?{_MOD}?(?P<century>1\d|20|2\d|[1-9])(?:st|nd|rd|th)[- ]century\b",
        ),
        ("decade", rf"(?i)\b(?:the\s+)?{_MOD}?(?P<decade>1[5-9]\d|20\d)0'?s\b"),
        ("year", rf"(?i)\b{_MOD}?{_YEAR}\b"),
        (
            "weekday",
            rf"(?i:\b(?P<rel>last|next|this|the previous|the following)\s+)?(?i:{_MOD})?"
            rf"(?-i:\b{_WEEKDAY})(?i:\s+(?P<part>morning|afternoon|evening|night)s?)?\b",
        ),
        (
            "day_part",
            r"(?i)\b(?:(?P<deixis>yesterday|today|tomorrow)\s+(?P<part>morning|afternoon|evening|night)"
            r"|(?P<lastnight>last night)|(?P<tonight>tonight))\b",
        ),
        ("clock", rf"(?i)\b{_CLOCK}(?![\w:])"),
        ("ago", rf"(?i)\b{_APPROX}{_NUM}\s+{_UNIT}\s+ago\b"),
        ("shifted", rf"(?i)\b{_APPROX}{_NUM}\s+{_UNIT}\s+(?P<dir>earlier|later)\b"),
        (
            "this_unit",
            rf"(?i)\b{_MOD}?(?P<rel>earlier this|later this|this|last|next|the past|the previous|"
            r"the coming|the next|the current|the following)\s+"
            r"(?P<unit>week|month|quarter|year|decade)\b",
        ),
        (
            "quarter",
            r"(?i)\b(?:(?P<the>the)\s+)?(?:(?P<qyear>1[5-9]\d\d|20\d\d)\s+)?(?:fiscal\s+)?"
            r"(?P<nth>first|second|third|fourth|1st|2nd|3rd|4th)(?:\s+fiscal)?"
            r"(?P<sep>[- ])quarter\b"
            r"(?:\s+of\s+(?P<year>1[5-9]\d\d|20\d\d))?",
        ),
        (
            "which_quarter",
            r"(?i)\b(?P<which>the latest|the current|the last|the previous|the past|"
            r"the most recent|the year-earlier|the year-ago|the comparable year-ago|the same|"
            r"this|that|the)"
            r"\s+(?:fiscal\s+)?quarter\b(?!s)",
        ),
        (
            "set",
            r"(?i)\b(?:(?P<every>every|each|per)\s+(?P<unit>hour|day|week|month|quarter|year)"
            rf"|(?P<word>hourly|daily|weekly|monthly|quarterly|annually|yearly)"
            rf"|(?P<everyday>every|each)\s+(?-i:{_WEEKDAY}))\b",
        ),
        (
            "duration",
            rf"(?i)\b{_APPROX}(?:the\s+(?:(?:first|past|last|next|coming|previous|following)\s+)?)?"
            rf"{_NUM}[\s-]+{_UNIT}\b",
        ),
    )
)


@dataclass(frozen=True)
class VagueLexicon:
    refs: tuple[tuple[str, str], ...]  # (phrase, TIMEX3 value), longest first
    offsets: dict[str, int]


@lru_cache(maxsize=1)
def vague_lexicon(path: Path = DATA_FILE) -> VagueLexicon:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    refs = [(p.lower(), "PAST_REF") for p in data.get("past_ref", [])]
    refs += [(p.lower(), "PRESENT_REF") for p in data.get("present_ref", [])]
    refs += [(p.lower(), "FUTURE_REF") for p in data.get("future_ref", [])]
    offsets = {str(k).lower(): int(v) for k, v in (data.get("offset_days") or {}).items()}
    return VagueLexicon(tuple(sorted(refs, key=lambda r: -len(r[0]))), offsets)


@register("timex", requires=("text", "published"), provides=("timexes",), needs_doc=True)
def find_time_expressions(article: Article, context: Context) -> Article:
    """Fill ``article.timexes`` with every time expression, normalised."""
    doc = context.doc if context.doc is not None else context.nlp(article.text)
    article.timexes = extract_timexes(article.text, publication_day(article), doc)
    return article


def publication_day(article: Article) -> date | None:
    """The publication day the relative expressions are resolved against."""
    published = article.published
    if published is None or not published.value:
        return None
    try:
        if published.precision in ("minute", "day"):
            return date.fromisoformat(published.value[:10])
    except ValueError:
        return None
    return None


def extract_timexes(text: str, anchor: date | None, doc: Doc | None = None) -> list[TimeExpr]:
    """All time expressions in ``text``, resolved against ``anchor`` (the publication day)."""
    found: list[tuple[int, int, str, re.Match[str] | None]] = []
    for kind, pattern in GRAMMAR:
        for hit in pattern.finditer(text):
            found.append((hit.start(), hit.end(), kind, hit))
    lowered = text.lower()
    lexicon = vague_lexicon()
    for phrase, value in lexicon.refs:
        for start, end in _phrase_spans(lowered, phrase):
            # TIMEX3 spans leave out the preposition: "in [the near future]"
            skip = 3 if phrase.startswith("in the ") else 0
            found.append((start + skip, end, value, None))
    for phrase in lexicon.offsets:
        for start, end in _phrase_spans(lowered, phrase):
            found.append((start, end, "offset:" + phrase, None))

    kept: list[tuple[int, int, str, re.Match[str] | None]] = []
    for item in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
        if kept and item[0] < kept[-1][1]:
            continue
        kept.append(item)

    results: list[TimeExpr] = []
    for start, end, kind, match in kept:
        if kind == "quarter" and match is not None and match["sep"] == "-" and match["the"]:
            # an adjective leaves its article out: "the [third-quarter] profit"
            start = match.start("qyear") if match["qyear"] else match.start("nth")
        tense = clause_tense(doc, start) if doc is not None else "unknown"
        if doc is not None and kind == "year" and _is_a_count(doc, start):
            continue
        if doc is not None and kind == "duration" and match is not None and _is_a_rate(doc, match):
            continue
        timex = _normalise(text, start, end, kind, match, anchor, tense)
        if timex is None:
            continue
        if results and _joins_clock_and_day(text, results[-1], timex):
            timex = _clock_on_day(text, results.pop(), timex, anchor)
        results.append(timex)
    return results


def _joins_clock_and_day(text: str, first: TimeExpr, second: TimeExpr) -> bool:
    """A clock time right before a day ("9 a.m. Tuesday") is one TIMEX3 of type TIME."""
    gap = text[first.span.end : second.span.start]
    return (
        first.type == "TIME"
        and "T" in first.value
        and second.granularity == "day"
        and re.fullmatch(r"[ ,]*", gap) is not None
        and len(gap) <= 2
    )


def _clock_on_day(text: str, clock: TimeExpr, day: TimeExpr, anchor: date | None) -> TimeExpr:
    value = day.value.split("T")[0] + "T" + clock.value.split("T", 1)[1]
    return TimeExpr(
        text=text[clock.span.start : day.span.end],
        span=Span(clock.span.start, day.span.end),
        value=value,
        type="TIME",
        granularity="minute",
        relation=relation_to(value, anchor),
    )


def _phrase_spans(lowered: str, phrase: str) -> Iterator[tuple[int, int]]:
    for match in re.finditer(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", lowered):
        yield match.start(), match.end()


def _normalise(
    text: str,
    start: int,
    end: int,
    kind: str,
    match: re.Match[str] | None,
    anchor: date | None,
    tense: Tense,
) -> TimeExpr | None:
    span_text = text[start:end]

    def make(
        value: str,
        granularity: Granularity,
        type_: Literal["DATE", "TIME", "DURATION", "SET"] = "DATE",
        mod: str | None = None,
    ) -> TimeExpr:
        return TimeExpr(
            text=span_text,
            span=Span(start, end),
            value=value,
            type=type_,
            granularity=granularity,
            relation=relation_to(value, anchor),
            mod=mod,
        )

    if match is None:
        if kind.startswith("offset:"):
            days = vague_lexicon().offsets[kind.removeprefix("offset:")]
            if anchor is None:
                return make("XXXX-XX-XX", "day")
            return make((anchor + timedelta(days=days)).isoformat(), "day")
        return make(kind, "unknown")  # PAST_REF / PRESENT_REF / FUTURE_REF

    groups = match.groupdict()
    mod = MODS.get((groups.get("mod") or "").lower())
    approx = (groups.get("approx") or "").lower()
    if approx:
        mod = {"about": "APPROX", "around": "APPROX", "roughly": "APPROX", "some": "APPROX",
               "nearly": "LESS_THAN", "almost": "LESS_THAN", "less than": "LESS_THAN",
               "up to": "EQUAL_OR_LESS", "at least": "EQUAL_OR_MORE", "more than": "MORE_THAN",
               "over": "MORE_THAN"}.get(approx)  # fmt: skip

    if kind in ("month_day", "day_month"):
        month = _month_number(groups["month"])
        day = int(groups["day"])
        if groups.get("year"):
            try:
                return make(date(int(groups["year"]), month, day).isoformat(), "day")
            except ValueError:
                return None
        resolved = _resolve_yearless(month, day, anchor, tense)
        if resolved is None:
            return make(f"XXXX-{month:02d}-{day:02d}", "day")
        return make(resolved.isoformat(), "day")

    if kind == "month_year":
        month = _month_number(groups["month"])
        return make(f"{int(groups['year']):04d}-{month:02d}", "month", mod=mod)

    if kind == "month_rel_year":
        month = _month_number(groups["month"])
        if anchor is None:
            return make(f"XXXX-{month:02d}", "month")
        year = anchor.year + {"last": -1, "this": 0, "next": 1}[groups["rel"].lower()]
        return make(f"{year:04d}-{month:02d}", "month")

    if kind == "month":
        rel = (groups.get("rel") or "").lower()
        if groups["month"] == "May" and not mod and not rel:
            return None  # the modal verb "May" at a sentence start; too ambiguous alone
        month = _month_number(groups["month"])
        if anchor is None:
            return make(f"XXXX-{month:02d}", "month", mod=mod)
        if rel == "this":
            return make(f"{anchor.year:04d}-{month:02d}", "month", mod=mod)
        if rel:  # "last April": the latest April before this month; "next April" the first after
            year = anchor.year
            if rel == "last":
                year -= 1 if month >= anchor.month else 0
            else:
                year += 1 if month <= anchor.month else 0
            return make(f"{year:04d}-{month:02d}", "month", mod=mod)
        resolved = _resolve_yearless(month, 1, anchor, tense, month_only=True)
        assert resolved is not None
        return make(f"{resolved.year:04d}-{month:02d}", "month", mod=mod)

    if kind == "season":
        code, first_month = SEASONS[groups["season"].lower()]
        rel = (groups.get("rel") or "").lower()
        if groups.get("year"):
            return make(f"{groups['year']}-{code}", "quarter")
        if groups["season"].lower() == "fall" and rel in ("", "the"):
            return None  # "the fall of the government"
        if anchor is None:
            return make(f"XXXX-{code}", "quarter")
        if rel in ("this", "the", ""):
            if rel == "" or rel == "the":
                resolved = _resolve_yearless(first_month, 1, anchor, tense, month_only=True)
                year = resolved.year if resolved else anchor.year
            else:
                year = anchor.year
        elif rel in ("last", "this past"):
            year = anchor.year if first_month < anchor.month - 2 else anchor.year - 1
        else:  # next, this coming
            year = anchor.year if first_month > anchor.month else anchor.year + 1
        return make(f"{year:04d}-{code}", "quarter")

    if kind == "century":
        number = int(groups["century"])
        return make(f"{number - 1:02d}", "century", mod=mod)

    if kind == "decade":
        return make(f"{groups['decade']}X", "decade", mod=mod)

    if kind == "year":
        return make(groups["year"], "year", mod=mod)

    if kind == "weekday":
        weekday = WEEKDAYS.index(groups["weekday"].lower())
        rel = (groups.get("rel") or "").lower()
        part = DAY_PARTS.get((groups.get("part") or "").lower(), "")
        past = rel in ("last", "the previous")
        direction: Tense = (
            "past" if past else "future" if rel in ("next", "the following") else tense
        )
        suffix = f"T{part}" if part else ""
        type_: Literal["DATE", "TIME"] = "TIME" if part else "DATE"
        if anchor is None:
            return make(f"XXXX-WXX-{weekday + 1}{suffix}", "day", type_, mod=mod)
        weekday_date = _resolve_weekday(weekday, anchor, direction)
        if past and weekday_date == anchor:
            weekday_date -= timedelta(days=7)
        return make(weekday_date.isoformat() + suffix, "day", type_, mod=mod)

    if kind == "day_part":
        if groups.get("lastnight"):
            offset, part = -1, "NI"
        elif groups.get("tonight"):
            offset, part = 0, "NI"
        else:
            offset = {"yesterday": -1, "today": 0, "tomorrow": 1}[groups["deixis"].lower()]
            part = DAY_PARTS[groups["part"].lower()]
        if anchor is None:
            return make(f"XXXX-XX-XXT{part}", "day", "TIME")
        return make(f"{(anchor + timedelta(days=offset)).isoformat()}T{part}", "day", "TIME")

    if kind == "clock":
        clock = _clock_value(groups)
        if clock is None:
            return None
        on = anchor.isoformat() if anchor is not None else "XXXX-XX-XX"
        return make(f"{on}T{clock}", "minute", "TIME")

    if kind == "ago":
        amount = _amount(groups["num"])
        unit = _unit_name(groups["unit"])
        if anchor is None or amount is None or unit in ("hour", "minute"):
            return make("PAST_REF", "unknown", mod=mod)
        return make(*_shift(anchor, -amount, unit), mod=mod)

    if kind == "shifted":  # "a year earlier": resolved against the publication day, roughly
        amount = _amount(groups["num"])
        unit = _unit_name(groups["unit"])
        later = groups["dir"].lower() == "later"
        if anchor is None or amount is None or unit in ("hour", "minute"):
            return make("FUTURE_REF" if later else "PAST_REF", "unknown", mod=mod)
        return make(*_shift(anchor, amount if later else -amount, unit), mod=mod)

    if kind == "set":
        if groups.get("everyday"):
            weekday = WEEKDAYS.index(groups["weekday"].lower())
            return make(f"XXXX-WXX-{weekday + 1}", "day", "SET")
        if groups.get("word"):
            value = SET_WORDS[groups["word"].lower()]
            return make(value, "unknown", "SET")
        unit = _unit_name(groups["unit"])
        letters = UNITS[unit]
        value = f"PT1{letters[1:]}" if letters.startswith("T") else f"P1{letters}"
        return make(value, "unknown", "SET")

    if kind == "this_unit":
        rel = " ".join(groups["rel"].lower().split())
        unit = groups["unit"].lower()
        if rel in ("the past", "the coming", "the next"):
            return make(_duration_value(1, unit), _unit_granularity(unit), "DURATION")
        if anchor is None:
            return make("XXXX", _unit_granularity(unit), mod=mod)
        step = {"this": 0, "earlier this": 0, "later this": 0, "the current": 0, "last": -1,
                "the previous": -1, "next": 1, "the following": 1}[rel]  # fmt: skip
        return make(*_shift(anchor, step, unit), mod=mod)

    if kind == "quarter":
        quarter = QUARTERS[groups["nth"].lower()]
        year_text = groups.get("year") or groups.get("qyear")
        if year_text:
            return make(f"{int(year_text):04d}-Q{quarter}", "quarter")
        if anchor is None:
            return make(f"XXXX-Q{quarter}", "quarter")
        # the latest such quarter that has begun by the publication day
        year = anchor.year if (quarter - 1) * 3 + 1 <= anchor.month else anchor.year - 1
        return make(f"{year:04d}-Q{quarter}", "quarter")

    if kind == "which_quarter":
        which = " ".join(groups["which"].lower().split())
        if anchor is None:
            return make("XXXX-QX", "quarter")
        # news reports a quarter once it has closed: "the quarter" is the last completed one
        step = {"this": 0, "the current": 0, "the year-earlier": -5, "the year-ago": -5,
                "the comparable year-ago": -5, "the same": -5}.get(which, -1)  # fmt: skip
        return make(*_shift(anchor, step, "quarter"))

    if kind == "duration":
        amount = _amount(groups["num"])
        unit = _unit_name(groups["unit"])
        return make(_duration_value(amount, unit), _unit_granularity(unit), "DURATION", mod=mod)

    return None


def _month_number(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _amount(word: str) -> int | None:
    word = " ".join(word.lower().split())
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def _unit_name(raw: str) -> str:
    unit = raw.lower()
    return "century" if unit.startswith("centur") else unit


def _duration_value(amount: int | None, unit: str) -> str:
    """TIMEX3 duration: P2W, PT5H, and decades and centuries in years (P20Y)."""
    letters = UNITS[unit]
    if amount is not None and unit in UNIT_YEARS:
        amount *= UNIT_YEARS[unit]
    number = str(amount) if amount is not None else "X"
    return f"PT{number}{letters[1:]}" if letters.startswith("T") else f"P{number}{letters}"


def _clock_value(groups: dict[str, str | None]) -> str | None:
    """A clock time ("6:34", "7:15 p.m.", "10 p.m", "noon") as ``hh:mm``."""
    named = (groups.get("named") or "").lower()
    if named:
        return "24:00" if named == "midnight" else "12:00"
    ampm = (groups.get("ampm") or groups.get("ampm12") or "").lower()
    hour = int(groups.get("hour") or groups.get("hour12") or 0)
    minute = int(groups.get("minute") or 0)
    if ampm.startswith("p") and hour < 12:
        hour += 12
    elif ampm.startswith("a") and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _unit_granularity(unit: str) -> Granularity:
    return {
        "minute": "minute",
        "hour": "minute",
        "quarter": "quarter",
        "day": "day",
        "week": "week",
        "month": "month",
        "year": "year",
        "decade": "decade",
        "century": "century",
    }[unit]  # type: ignore[return-value]


def _shift(anchor: date, step: int, unit: str) -> tuple[str, Granularity]:
    """The calendar unit ``step`` units away from ``anchor`` (TIMEX3 value, granularity)."""
    if unit == "day":
        return (anchor + timedelta(days=step)).isoformat(), "day"
    if unit == "week":
        year, week, _ = (anchor + timedelta(weeks=step)).isocalendar()
        return f"{year:04d}-W{week:02d}", "week"
    if unit == "month":
        index = anchor.year * 12 + anchor.month - 1 + step
        return f"{index // 12:04d}-{index % 12 + 1:02d}", "month"
    if unit == "quarter":
        index = anchor.year * 4 + (anchor.month - 1) // 3 + step
        return f"{index // 4:04d}-Q{index % 4 + 1}", "quarter"
    if unit == "year":
        return f"{anchor.year + step:04d}", "year"
    if unit == "decade":
        return f"{(anchor.year // 10 + step):03d}X", "decade"
    return f"{anchor.year // 100 + step:02d}", "century"


def _resolve_yearless(
    month: int, day: int, anchor: date | None, tense: Tense, *, month_only: bool = False
) -> date | None:
    """The year of a yearless date: past clause -> on/before publication, future -> after."""
    if anchor is None:
        return None
    candidates = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    this_month = date(anchor.year, anchor.month, 1) if month_only else anchor
    if tense == "past":
        before = [c for c in candidates if c <= this_month]
        return max(before) if before else min(candidates)
    if tense == "future":
        after = [c for c in candidates if c >= this_month]
        return min(after) if after else max(candidates)
    return min(candidates, key=lambda c: abs((c - this_month).days))


def _resolve_weekday(weekday: int, anchor: date, direction: Tense) -> date:
    """A bare weekday: the one on/before publication unless the clause is in the future."""
    if direction == "future":
        return anchor + timedelta(days=(weekday - anchor.weekday()) % 7)
    return anchor - timedelta(days=(anchor.weekday() - weekday) % 7)


def relation_to(value: str, anchor: date | None) -> TimeRelation:
    """Whether ``value`` lies before, around or after the publication day."""
    if value == "PAST_REF":
        return "past"
    if value == "FUTURE_REF":
        return "future"
    if value == "PRESENT_REF":
        return "present"
    interval = value_interval(value)
    if anchor is None or interval is None:
        return "unknown"
    first, last = interval
    if last < anchor:
        return "past"
    if first > anchor:
        return "future"
    return "present"


def value_interval(value: str) -> tuple[date, date] | None:
    """The first and last day a TIMEX3 date value covers (None for vague/duration values)."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\w:]+", value):  # a time of day
            value = value[:10]
        season = re.fullmatch(r"(\d{4})-(SP|SU|FA|WI)", value)
        if season:
            first_month = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[season.group(2)]
            first = date(int(season.group(1)), first_month, 1)
            year, month = (
                (first.year + 1, 3) if first_month == 12 else (first.year, first_month + 3)
            )
            return first, date(year, month, 1) - timedelta(days=1)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value)
            return day, day
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = int(value[:4]), int(value[5:])
            first = date(year, month, 1)
            following = date(year + month // 12, month % 12 + 1, 1)
            return first, following - timedelta(days=1)
        if re.fullmatch(r"\d{4}-W\d{2}", value):
            first = date.fromisocalendar(int(value[:4]), int(value[6:]), 1)
            return first, first + timedelta(days=6)
        if re.fullmatch(r"\d{4}-Q[1-4]", value):
            year, quarter = int(value[:4]), int(value[6])
            first = date(year, quarter * 3 - 2, 1)
            following = date(year + quarter // 4, quarter * 3 % 12 + 1, 1)
            return first, following - timedelta(days=1)
        if re.fullmatch(r"\d{4}", value):
            return date(int(value), 1, 1), date(int(value), 12, 31)
        if re.fullmatch(r"\d{3}X", value):
            start = int(value[:3]) * 10
            return date(start, 1, 1), date(start + 9, 12, 31)
        if re.fullmatch(r"\d{2}", value):
            start = int(value) * 100
            return date(max(start, 1), 1, 1), date(start + 99, 12, 31)
    except ValueError:
        return None
    return None


# ------------------------------------------------------------------------------ parse helpers


def clause_tense(doc: Doc, char_offset: int) -> Tense:
    """The tense of the clause holding the character at ``char_offset``."""
    token = _token_at(doc, char_offset)
    if token is None:
        return "unknown"
    verb = _governing_verb(token)
    if verb is None:
        return "unknown"
    return verb_tense(verb)


def verb_tense(verb: Token) -> Tense:
    """Past, future or unknown for a verb, from its auxiliaries and tag."""
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    aux_lemmas = {a.lemma_.lower() for a in auxes}
    aux_words = {a.lower_ for a in auxes}
    if aux_lemmas & {"will", "shall"} or "'ll" in aux_words:
        return "future"
    if (
        "to" in aux_words
        and verb.dep_ in ("ROOT", "xcomp", "ccomp", "advcl")
        and verb.head.lemma_
        in (
            verb.lemma_,
            "be",
            "plan",
            "intend",
            "expect",
            "hope",
            "agree",
            "decide",
            "prepare",
            "schedule",
            "set",
            "due",
            "go",
        )
    ):
        return "future"
    if verb.tag_ in ("VBD",) or aux_words & {"was", "were", "had", "did"}:
        return "past"
    if verb.tag_ == "VBN" and aux_lemmas & {"have", "be"}:
        return "past"
    if verb.tag_ == "VBN" and verb.dep_ in ("acl",):
        return "past"
    if aux_lemmas & {"would"}:
        return "unknown"
    return "unknown"


def _token_at(doc: Doc, char_offset: int) -> Token | None:
    span = doc.char_span(char_offset, char_offset + 1, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span[0]


def _governing_verb(token: Token) -> Token | None:
    current = token
    for _ in range(30):
        if current.pos_ in ("VERB", "AUX") and current.dep_ not in ("prep", "amod"):
            return current
        if current.head is current:
            return None
        current = current.head
    return None


def _is_a_rate(doc: Doc, match: re.Match[str]) -> bool:
    """A rate ("$500 million a year", "four flights a week") is not a duration."""
    if match["num"].lower() not in ("a", "an") or match["approx"]:
        return False
    if match.group(0).lower().startswith("the"):
        return False
    token = _token_at(doc, match.start("num"))
    if token is None or token.i == 0:
        return False
    before = doc[token.i - 1]
    return before.pos_ in ("NUM", "NOUN", "PROPN") or before.like_num


def _is_a_count(doc: Doc, char_offset: int) -> bool:
    """A four-digit number that counts things ("2000 people") is not a year."""
    token = _token_at(doc, char_offset)
    if token is None:
        return False
    return token.dep_ == "nummod" and token.head.tag_ == "NNS" and token.head.i > token.i
