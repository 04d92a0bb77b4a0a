"""Publication dating: the date an article was published, and how we know.

In order of trust:

1. **metadata** — a date given with the input (HTML meta, JSONL ``published``, feed
   entry, the caller), parsed with its zone;
2. **explicit** — a timestamp header in the scrape ("October 08, 2015, 6:34 UTC+3"),
   or a dateline that carries its year; with no zone given, the outlet's default
   zone from ``settings.outlet_timezones`` is assumed and said so;
3. **inferred** — a yearless dateline ("MOSCOW, May 10. /TASS/.") whose year is
   deduced from the text: the latest dated reference reported as past bounds it
   from below (an article cannot be older than what it reports), candidate years
   run from there to two years later, and a weekday named for the event in the
   first paragraph ("talks ... on Friday") must fall on the dateline day or the
   day before; offices held, when the knowledge base can say, rule out years in
   which a named official did not hold the office;
4. **undecided** — several years (or none) remain: ``value`` is None and the
   candidates are listed.  A yearless date never silently gets the current year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from parley.model import Article, DateCandidate, PublicationDate
from parley.pipeline import Context, register
from parley.settings import Settings
from parley.stages.clean import TIMESTAMP_REASON, match_dateline

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: candidate years: the latest reported year up to this many years later
YEAR_WINDOW = 2
#: the lead is the first paragraph with at least this many words
LEAD_MIN_WORDS = 12
#: a weekday named for the event may fall this many days before the dateline day
MAX_EVENT_LAG_DAYS = 1

_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November"
    r"|December)"
)
_TIMESTAMP = re.compile(
    _MONTH + r" (?P<day>\d{1,2}), (?P<year>\d{4})"
    r"(?:,? (?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?: ?(?:UTC|GMT) ?(?P<offset>[+-]\d{1,2}(?::?\d{2})?))?)?"
)
_FULL_DATE = re.compile(_MONTH + r" (?P<day>\d{1,2}),? (?P<year>1[5-9]\d\d|20\d\d)\b")
_DAY_FIRST_DATE = re.compile(r"\b(?P<day>\d{1,2}) " + _MONTH + r",? (?P<year>1[5-9]\d\d|20\d\d)\b")
_MONTH_YEAR = re.compile(_MONTH + r",? (?P<year>1[5-9]\d\d|20\d\d)\b")
#: a bare year counts only after a word that makes it a date ("in 1956", "the 1960 treaty")
_YEAR = re.compile(
    r"\b(?:[Ii]n|[Ss]ince|of|from|until|by|[Tt]he|early|mid|late|before|after|year)[- ]"
    r"(?P<year>1[5-9]\d\d|20\d\d)(?![\d%]|s\b|-)"
)
_WEEKDAY = re.compile(
    r"(?<!last )(?<!next )(?<!this )(?<!coming )"
    r"\bon (?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_FUTURE_BEFORE = re.compile(
    r"\b(?:will|shall|plans?|planned|scheduled|expected|next|upcoming|intends?|due)\b(?:\W+\w+){0,8}\W*$",
    re.IGNORECASE,
)
_FUTURE_SENTENCE = re.compile(
    r"\b(?:will|shall|to be held|is to|are to|plans?|scheduled|expected|next)\b", re.IGNORECASE
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"”]?\s+(?=[\"“A-Z])")


@dataclass(frozen=True)
class Reference:
    """A dated reference in the text, reported as past: the article is not older."""

    text: str
    year: int
    month: int | None = None
    day: int | None = None

    def earliest(self) -> date:
        """The first day the referenced period covers."""
        return date(self.year, self.month or 1, self.day or 1)


@register("dating", requires=("text", "dateline"), provides=("published",))
def date_article(article: Article, context: Context) -> Article:
    """Resolve ``article.published`` from metadata, a timestamp or the dateline."""
    article.published = resolve_date(article, context.settings, context)
    return article


def resolve_date(article: Article, settings: Settings, context: Any = None) -> PublicationDate:
    notes: list[str] = []
    if article.published_given:
        found = _from_metadata(article, settings)
        if found is not None:
            return found
        notes.append(
            f"metadata date {article.published_given!r} not understood; looked in the text"
        )
    found = _from_timestamp(article, settings)
    if found is None:
        found = _from_dateline(article, settings, context)
    found.evidence[:0] = notes
    return found


# --------------------------------------------------------------------------- zones


def outlet_zone(article: Article, settings: Settings) -> tuple[str | None, str]:
    """The zone assumed for a timestamp without one, and why."""
    for name in (article.agency, article.outlet):
        if name and name in settings.outlet_timezones:
            zone = settings.outlet_timezones[name]
            return zone, f"no zone given: {name} default {zone} assumed (settings.outlet_timezones)"
    if settings.default_timezone:
        return (
            settings.default_timezone,
            f"no zone given: default {settings.default_timezone} assumed",
        )
    return None, "no zone given and no outlet default: local time of unknown zone"


def _zone_from_offset(offset: str) -> str:
    sign, digits = offset[0], offset[1:].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "00")
    return f"{sign}{int(hours):02d}:{minutes}"


def _tzinfo(zone: str | None) -> timezone | None:
    if zone is None:
        return None
    sign = -1 if zone.startswith("-") else 1
    hours, minutes = zone[1:].split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


# --------------------------------------------------------------------------- metadata


def _from_metadata(article: Article, settings: Settings) -> PublicationDate | None:
    given = (article.published_given or "").strip()
    parsed = _parse_datetime(given)
    if parsed is None:
        return None
    has_time = bool(re.search(r"\d{1,2}:\d{2}", given))
    evidence = [f"publication date given in the input's metadata: {given!r}"]
    if not has_time:
        zone, _ = outlet_zone(article, settings)
        evidence.append("date only, no time given")
        return PublicationDate(parsed.date().isoformat(), "day", "metadata", zone, evidence)
    if parsed.tzinfo is None:
        zone, why = outlet_zone(article, settings)
        evidence.append(why)
        parsed = parsed.replace(tzinfo=_tzinfo(zone))
    else:
        offset = parsed.utcoffset() or timedelta(0)
        zone = _format_offset(offset)
    return PublicationDate(parsed.isoformat(), "minute", "metadata", zone, evidence)


def _format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _parse_datetime(value: str) -> datetime | None:
    """ISO 8601 first, then free-form dates that name a year (RFC 822 feeds, "May 10, 2019")."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    if not re.search(r"\b\d{4}\b", value):
        return None  # no year: never let a parser fill in the current one
    import dateparser

    return dateparser.parse(value, settings={"REQUIRE_PARTS": ["day", "month", "year"]})


# --------------------------------------------------------------------------- explicit


def _from_timestamp(article: Article, settings: Settings) -> PublicationDate | None:
    """The timestamp header kept by cleaning ("December 07, 2018, 16:37")."""
    for line in article.removed:
        if line.reason != TIMESTAMP_REASON:
            continue
        found = _TIMESTAMP.search(line.text)
        if not found:
            continue
        day = date(int(found["year"]), MONTHS[found["month"].lower()], int(found["day"]))
        evidence = [f"timestamp header on line {line.line_no}: {found.group(0)!r}"]
        evidence += _dateline_agreement(article, day)
        zone: str | None
        if found["hour"] is None:
            zone, _ = outlet_zone(article, settings)
            return PublicationDate(day.isoformat(), "day", "explicit", zone, evidence)
        if found["offset"]:
            zone = _zone_from_offset(found["offset"])
            evidence.append(f"zone {zone} given in the timestamp")
        else:
            zone, why = outlet_zone(article, settings)
            evidence.append(why)
        moment = datetime(
            day.year,
            day.month,
            day.day,
            int(found["hour"]),
            int(found["minute"]),
            tzinfo=_tzinfo(zone),
        )
        return PublicationDate(moment.isoformat(), "minute", "explicit", zone, evidence)
    return None


def _dateline_agreement(article: Article, day: date) -> list[str]:
    dateline = match_dateline(f"{article.dateline} x") if article.dateline else None
    if dateline is None or dateline.month is None or dateline.day is None:
        return []
    same = MONTHS[dateline.month.lower().rstrip(".")] == day.month and dateline.day == day.day
    verdict = "agrees" if same else "DISAGREES (timestamp kept)"
    return [f"dateline {article.dateline!r} {verdict}"]


# --------------------------------------------------------------------------- dateline


def _from_dateline(article: Article, settings: Settings, context: Any) -> PublicationDate:
    dateline = match_dateline(f"{article.dateline} x") if article.dateline else None
    zone, _ = outlet_zone(article, settings)
    if dateline is None or dateline.month is None or dateline.day is None:
        return PublicationDate(
            None,
            "unknown",
            "undecided",
            zone,
            ["no metadata date, timestamp or dated dateline found"],
        )
    month, day = MONTHS[dateline.month.lower().rstrip(".")], dateline.day
    if dateline.year is not None:
        value = date(dateline.year, month, day).isoformat()
        return PublicationDate(
            value, "day", "explicit", zone, [f"dateline {article.dateline!r} gives the year"]
        )
    return infer_year(article, month, day, zone, context)


def infer_year(
    article: Article, month: int, day: int, zone: str | None, context: Any = None
) -> PublicationDate:
    """The year of a yearless dateline, from what the text reports (see module doc)."""
    evidence = [f"dateline {article.dateline!r} has no year"]
    text = "\n\n".join(part for part in (article.standfirst or "", article.text) if part)
    past, future = dated_references(text)
    found = _infer_from(article, month, day, zone, context, past, future, evidence)
    bare_years = [ref for ref in past if ref.month is None]
    if found.method == "undecided" and bare_years and not _candidates_left(found):
        # no year fits: a bare year ("a visit ... in 2020") may look ahead without saying so
        retry = [*evidence, f"no year fits; retried without bare years ({_texts(bare_years)})"]
        dated_refs = [ref for ref in past if ref.month is not None]
        if dated_refs:
            return _infer_from(article, month, day, zone, context, dated_refs, [], retry)
    return found


def _candidates_left(found: PublicationDate) -> bool:
    return not found.evidence[-1].endswith("candidates left: none")


def _texts(refs: list[Reference]) -> str:
    return ", ".join(repr(ref.text) for ref in refs)


def _infer_from(
    article: Article,
    month: int,
    day: int,
    zone: str | None,
    context: Any,
    past: list[Reference],
    future: list[Reference],
    evidence: list[str],
) -> PublicationDate:
    label = f"{date(2000, month, 1):%B} {day}"
    evidence = list(evidence)
    for ref in future:
        evidence.append(f"{ref.text!r} looks ahead, not used as a bound")
    if not past:
        evidence.append("no dated reference in the text bounds the year")
        return PublicationDate(None, "unknown", "undecided", zone, evidence)
    latest = max(past, key=Reference.earliest)
    floor = max(ref.year for ref in past)
    evidence.append(f"latest dated reference {latest.text!r}: the article is not older")
    weekdays = lead_weekdays(article)
    rejected: list[DateCandidate] = []
    same_day: list[date] = []
    lagged: list[date] = []
    for year in range(floor, floor + YEAR_WINDOW + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            rejected.append(DateCandidate(f"{year}", f"{label} does not exist in {year}"))
            continue
        reason = _contradiction(candidate, past, weekdays, article, context)
        if reason:
            rejected.append(DateCandidate(candidate.isoformat(), reason))
            continue
        lag = min((_lag(candidate, w) for w in weekdays), default=0)
        (lagged if lag else same_day).append(candidate)
    if weekdays:
        evidence.append(
            f"first paragraph names the event day: on {', '.join(w.title() for w in weekdays)}"
        )
    chosen: date | None = None
    if len(same_day) + len(lagged) == 1:
        chosen = (same_day + lagged)[0]
    elif weekdays and len(same_day) == 1:
        chosen = same_day[0]
        for other in lagged:
            rejected.append(
                DateCandidate(
                    other.isoformat(),
                    (
                        f"{other:%A}: fits only if the event was the day before the dateline; "
                        f"{chosen.year} puts it on the dateline day itself"
                    ),
                )
            )
    if chosen is None:
        remaining = sorted(same_day + lagged)
        listed = ", ".join(d.isoformat() for d in remaining) or "none"
        evidence.append(f"year undecided; candidates left: {listed}")
        return PublicationDate(None, "unknown", "undecided", zone, evidence, rejected)
    if lagged and chosen not in lagged:
        evidence.append(
            f"{chosen.year} preferred within {floor}..{floor + YEAR_WINDOW}: "
            "the named weekday falls on the dateline day itself"
        )
    else:
        evidence.append(f"only {chosen.year} is consistent within {floor}..{floor + YEAR_WINDOW}")
    if zone:
        evidence.append(f"a calendar day in the outlet's zone {zone}")
    return PublicationDate(chosen.isoformat(), "day", "inferred", zone, evidence, rejected)


def _contradiction(
    candidate: date, past: list[Reference], weekdays: list[str], article: Article, context: Any
) -> str | None:
    for ref in past:
        if ref.earliest() > candidate:
            return f"the text reports {ref.text!r} as past, which is after {candidate:%B %d, %Y}"
    if weekdays:
        # the latest event the lead names falls on the dateline day or the day before
        lag = min(_lag(candidate, weekday) for weekday in weekdays)
        if lag > MAX_EVENT_LAG_DAYS:
            named = " or ".join(f"'on {w.title()}'" for w in weekdays)
            return (
                f"{candidate:%B %d, %Y} is a {candidate:%A}: {named} in the first "
                f"paragraph would be {lag} days earlier"
            )
    return office_contradiction(article, candidate, context)


def _lag(candidate: date, weekday: str) -> int:
    """Days from the last ``weekday`` on or before ``candidate`` to ``candidate``."""
    return (candidate.weekday() - WEEKDAYS.index(weekday)) % 7


def dated_references(text: str) -> tuple[list[Reference], list[Reference]]:
    """Dated references (full dates, month-year, bare years) in ``text``, split into
    those reported as past and those that look ahead ("will come ... in early 2019")."""
    past: list[Reference] = []
    future: list[Reference] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_FULL_DATE, _DAY_FIRST_DATE, _MONTH_YEAR, _YEAR):
        for found in pattern.finditer(text):
            start, end = found.span()
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            groups = found.groupdict()
            ref = Reference(
                found.group(0),
                int(groups["year"]),
                MONTHS[groups["month"].lower()] if groups.get("month") else None,
                int(groups["day"]) if groups.get("day") else None,
            )
            sentence_start = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
            before = text[sentence_start:start]
            (future if _FUTURE_BEFORE.search(before) else past).append(ref)
    return past, future


def lead_weekdays(article: Article) -> list[str]:
    """Weekdays named for the event in the first paragraph ("talks ... on Friday"),
    skipping sentences that look ahead ("will be held ... on Thursday")."""
    if not article.paragraphs:
        return []
    # the lead: the first paragraph that reads as a sentence (not a stray caption line)
    texts = article.paragraph_texts()
    lead = next((t for t in texts if len(t.split()) >= LEAD_MIN_WORDS), texts[0])
    found: list[str] = []
    for sentence in _SENTENCE_SPLIT.split(lead):
        for match in _WEEKDAY.finditer(sentence):
            clause = re.split(r"[,;:]", sentence[: match.start()])[-1]
            if _FUTURE_SENTENCE.search(clause):
                continue  # "will be held ... on Thursday": a day ahead, not the event
            weekday = match["weekday"].lower()
            if weekday not in found:
                found.append(weekday)
    return found


#: "<Country adjective> <Title> <Given name> <Surname>": "Japanese Foreign Minister Taro Kono"
_TITLED_NAME = re.compile(
    r"(?<!former )(?<!then-)(?<!then )(?<!ex-)\b[A-Z][a-z]+(?: [A-Z][a-z]+){3,6}\b"
)


def office_contradiction(article: Article, candidate: date, context: Any) -> str | None:
    """A named official who did not hold the named office on ``candidate``, when the
    knowledge base can tell; None when it cannot (the knowledge is optional here).

    Only the title, standfirst and first paragraph are read: background paragraphs
    name people with the titles they held at the time of the events they recount."""
    if context is None:
        return None
    try:
        knowledge = context.knowledge
    except Exception:  # a missing or broken knowledge base never decides a date
        return None
    custom = getattr(knowledge, "office_conflict", None)
    if custom is not None:
        try:
            result = custom(_lead_text(article), candidate.isoformat())
        except Exception:
            return None
        return str(result) if result else None
    try:
        return _titled_name_conflict(knowledge, _lead_text(article), candidate)
    except Exception:
        return None


def _lead_text(article: Article) -> str:
    lead = (
        article.text[article.paragraphs[0].start : article.paragraphs[0].end]
        if (article.paragraphs)
        else ""
    )
    return "\n".join(part for part in (article.title, article.standfirst or "", lead) if part)


def _titled_name_conflict(knowledge: Any, text: str, candidate: date) -> str | None:
    day = candidate.isoformat()
    for found in _TITLED_NAME.finditer(text):
        words = found.group(0).split()  # adjective, title words..., given name, surname
        office = knowledge.vocabulary.office_class(" ".join(words[1:-2]))
        actor = knowledge.lookup(" ".join(words[-2:])) if office else None
        if actor is None:
            continue
        known = [o for o in actor.offices if knowledge.vocabulary.office_class(o.title) == office]
        held = [o for o in knowledge.offices_at(actor.id, day) if o in known]
        if known and not held:
            return f"{found.group(0)!r}: {actor.name} was not {office} on {day} (knowledge base)"
    return None
