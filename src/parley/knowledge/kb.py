"""The actor knowledge base: countries, governments, ministries, organisations, people.

Read from editable YAML files (``countries.yaml``, ``organisations.yaml``,
``people.yaml``, ``titles.yaml``) so that a user can correct an office date or add
a minister without touching code.  Every entry becomes a :class:`parley.model.Actor`;
lookups fold case, accents and common transliteration variants ("Sergei" = "Sergey"),
and offices carry dates so that "Japan's foreign minister" can be resolved for the
day an article was written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from parley.errors import KnowledgeError
from parley.model import Actor, Office

KB_FILES = ("countries.yaml", "organisations.yaml", "people.yaml", "titles.yaml", "cues.yaml")
ACTOR_KINDS = ("person", "country", "government", "ministry", "organisation", "group")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class Country:
    iso3: str
    cameo: str
    name: str
    aliases: list[str] = field(default_factory=list)
    adjectives: list[str] = field(default_factory=list)
    demonyms: list[str] = field(default_factory=list)
    capital: str | None = None
    metonyms: list[str] = field(default_factory=list)
    successor: str | None = None

    @property
    def government_id(self) -> str:
        return f"{self.iso3}-GOV"


@dataclass
class CueWords:
    """Words that introduce reported speech (``cues.yaml``)."""

    verbs: frozenset[str] = frozenset()
    phrasal: dict[str, str] = field(default_factory=dict)
    chain_heads: frozenset[str] = frozenset()
    according_to: frozenset[str] = frozenset()
    not_speakers: frozenset[str] = frozenset()


@dataclass
class Vocabulary:
    """Words for offices, roles and pronouns (``titles.yaml``)."""

    #: lower-case form -> office class ("top diplomat" -> "foreign minister")
    office_forms: dict[str, str] = field(default_factory=dict)
    counterpart: list[str] = field(default_factory=list)
    person_nouns: list[str] = field(default_factory=list)
    #: lower-case form -> actor kind ("ministry" -> "ministry")
    organisation_nouns: dict[str, str] = field(default_factory=dict)
    #: lemma of a collective noun -> CAMEO role code ("police" -> "COP")
    group_nouns: dict[str, str] = field(default_factory=dict)
    #: words for the speaker's side inside a quotation ("we", "our")
    speaker_plural: frozenset[str] = frozenset()
    #: pronoun -> gender ("he" -> "male")
    pronouns: dict[str, str] = field(default_factory=dict)
    transliteration: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    def office_class(self, title: str) -> str | None:
        """The office class a title names, or None ("Top Diplomat" -> "foreign minister")."""
        return self.office_forms.get(" ".join(title.lower().split()))


def iso_bounds(value: str) -> tuple[str, str]:
    """First day of a partial ISO date and first day after it ("2018" -> 2018-01-01, 2019-01-01)."""
    parts = value.split("-")
    if len(parts) == 1:
        return f"{value}-01-01", f"{int(value) + 1:04d}-01-01"
    if len(parts) == 2:
        year, month = int(parts[0]), int(parts[1])
        nxt = f"{year + 1:04d}-01-01" if month == 12 else f"{year:04d}-{month + 1:02d}-01"
        return f"{value}-01", nxt
    return value, value


def holds_at(office: Office, day: str) -> bool:
    """True when ``office`` was held on ``day`` (start inclusive, end exclusive).

    A partial end date ("2018") counts to the end of that period.
    """
    if office.start and day < iso_bounds(office.start)[0]:
        return False
    if office.end:
        start_of_end, after_end = iso_bounds(office.end)
        limit = after_end if start_of_end != after_end else start_of_end
        if day >= limit:
            return False
    return True


class Knowledge:
    """All actors known in advance, indexed for lookup by any alias."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.countries: dict[str, Country] = {}
        self.actors: dict[str, Actor] = {}
        self.gender: dict[str, str] = {}
        self.surnames: dict[str, str] = {}  # person id -> surname as written
        self.portfolio: dict[str, str] = {}  # ministry id -> office class
        #: capital city (folded) -> government id; a place unless used as an agent
        self.capitals: dict[str, str] = {}
        #: country adjective or demonym (folded) -> ISO-3
        self.adjectives: dict[str, str] = {}
        self.vocabulary = Vocabulary()
        self.cues = CueWords()
        self.source: dict[str, str] = {}  # actor id -> file it came from
        self.problems: list[str] = []
        self._index: dict[str, list[str]] = defaultdict(list)
        self._surname_index: dict[str, list[str]] = defaultdict(list)
        self._load()

    # ------------------------------------------------------------------ lookup

    def fold(self, name: str) -> str:
        """A name's lookup key: lower case, no accents, transliteration variants folded."""
        text = unicodedata.normalize("NFKD", name)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
        text = text.replace("’", "'").replace(".", "")
        if text.startswith("the "):
            text = text[4:]
        for pattern, replacement in self.vocabulary.transliteration:
            text = pattern.sub(replacement, text)
        return " ".join(text.split())

    def candidates(self, name: str) -> list[Actor]:
        """Every actor one of whose names folds to the same key as ``name``."""
        return [self.actors[i] for i in self._index.get(self.fold(name), [])]

    def lookup(self, name: str) -> Actor | None:
        """The one actor called ``name`` (any alias or spelling), or None if none or several."""
        found = self.candidates(name)
        return found[0] if len(found) == 1 else None

    def by_surname(self, surname: str) -> list[Actor]:
        return [self.actors[i] for i in self._surname_index.get(self.fold(surname), [])]

    def country_of_adjective(self, word: str) -> str | None:
        """ISO-3 of a country adjective, demonym or name ("Japanese" -> JPN)."""
        return self.adjectives.get(self.fold(word))

    def ministry_of(self, country: str, office_class: str) -> Actor | None:
        for actor_id, portfolio in self.portfolio.items():
            actor = self.actors[actor_id]
            if actor.country == country and portfolio == office_class:
                return actor
        return None

    def office_holders_at(
        self, title_or_code: str, country: str | None, date: str | dt.date
    ) -> list[Actor]:
        """People holding an office on ``date``: by title in any listed form
        ("foreign minister", "top diplomat") or by actor code ("JPNGOV")."""
        day = date.isoformat() if isinstance(date, dt.date) else str(date)[:10]
        wanted = self.vocabulary.office_class(title_or_code)
        holders = []
        for actor in self.actors.values():
            if actor.kind != "person" or (country and actor.country != country):
                continue
            for office in actor.offices:
                if wanted is not None:
                    matches = self.vocabulary.office_class(office.title) == wanted
                else:
                    matches = office.code == title_or_code
                if matches and holds_at(office, day):
                    holders.append(actor)
                    break
        return holders

    def offices_at(self, actor_id: str, date: str) -> list[Office]:
        actor = self.actors.get(actor_id)
        if actor is None:
            return []
        return [o for o in actor.offices if holds_at(o, date[:10])]

    def stale_offices(self, today: str | dt.date, max_years: int) -> list[tuple[Actor, Office]]:
        """Offices with no end date that started more than ``max_years`` before ``today``:
        candidates for review, since office holders change and data files age."""
        day = today if isinstance(today, dt.date) else dt.date.fromisoformat(str(today)[:10])
        try:
            cutoff = day.replace(year=day.year - max_years).isoformat()
        except ValueError:  # 29 February
            cutoff = day.replace(year=day.year - max_years, day=28).isoformat()
        stale = []
        for actor in self.actors.values():
            for office in actor.offices:
                if office.end is None and office.start and iso_bounds(office.start)[0] < cutoff:
                    stale.append((actor, office))
        return stale

    # ------------------------------------------------------------------ validation

    def validate(self) -> None:
        """Raise :class:`KnowledgeError` listing every bad entry (file and entry named)."""
        problems = list(self.problems)
        for actor in self.actors.values():
            where = f"{self.source.get(actor.id, '?')}: entry {actor.name!r}"
            if actor.kind not in ACTOR_KINDS:
                problems.append(f"{where}: unknown kind {actor.kind!r}")
            if actor.country and actor.country not in self.countries:
                problems.append(f"{where}: unknown country {actor.country!r}")
            for office in actor.offices:
                if not office.title or not office.code:
                    problems.append(f"{where}: an office needs a title and a code")
                for label, value in (("start", office.start), ("end", office.end)):
                    if value is not None and not _valid_date(value):
                        problems.append(
                            f"{where}: office {office.title!r} has bad {label} {value!r}"
                        )
                if (
                    office.start and office.end and _valid_date(office.start)
                    and _valid_date(office.end)
                    and iso_bounds(office.end)[1] <= iso_bounds(office.start)[0]
                ):
                    problems.append(f"{where}: office {office.title!r} ends before it starts")
                if office.organisation and office.organisation not in self.actors:
                    problems.append(
                        f"{where}: office {office.title!r} names unknown organisation "
                        f"{office.organisation!r}"
                    )
        if problems:
            raise KnowledgeError(
                f"knowledge base in {self.directory} has {len(problems)} problem(s); "
                "fix these entries:\n  " + "\n  ".join(problems)
            )

    # ------------------------------------------------------------------ loading

    def _read(self, filename: str) -> Any:
        path = self.directory / filename
        if not path.is_file():
            self.problems.append(f"{filename}: file missing from {self.directory}")
            return None
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            self.problems.append(f"{filename}: not valid YAML: {exc}")
            return None

    def _load(self) -> None:
        self._load_vocabulary(self._read("titles.yaml") or {})
        self._load_countries(self._read("countries.yaml") or [])
        self._load_organisations(self._read("organisations.yaml") or {})
        self._load_people(self._read("people.yaml") or [])
        self._load_cues(self._read("cues.yaml") or {})

    def _load_cues(self, data: dict[str, Any]) -> None:
        def words(key: str) -> frozenset[str]:
            return frozenset(str(w).lower() for w in data.get(key) or [])

        self.cues = CueWords(
            verbs=words("verbs"),
            phrasal={str(k): str(v) for k, v in (data.get("phrasal") or {}).items()},
            chain_heads=words("chain_heads"),
            according_to=words("according_to"),
            not_speakers=words("not_speakers"),
        )
        if not self.cues.verbs:
            self.problems.append("cues.yaml: `verbs` must list at least one speech verb")

    def _load_vocabulary(self, data: dict[str, Any]) -> None:
        vocab = self.vocabulary
        for office_class, forms in (data.get("offices") or {}).items():
            vocab.office_forms[office_class.lower()] = office_class
            for form in forms or []:
                vocab.office_forms[str(form).lower()] = office_class
        vocab.counterpart = [str(w).lower() for w in data.get("counterpart") or []]
        vocab.person_nouns = [str(w).lower() for w in data.get("person_nouns") or []]
        for kind, forms in (data.get("organisation_nouns") or {}).items():
            for form in forms or []:
                vocab.organisation_nouns[str(form).lower()] = kind
        vocab.pronouns = {str(k).lower(): str(v) for k, v in (data.get("pronouns") or {}).items()}
        vocab.speaker_plural = frozenset(
            str(w).lower() for w in data.get("speaker_plural") or [])
        vocab.group_nouns = {
            str(k).lower(): str(v).upper() for k, v in (data.get("group_nouns") or {}).items()
        }
        for n, rule in enumerate(data.get("transliteration") or []):
            try:
                vocab.transliteration.append((re.compile(rule[0]), rule[1]))
            except (re.error, IndexError, TypeError) as exc:
                self.problems.append(f"titles.yaml: transliteration rule {n + 1}: {exc}")

    def _entry_ok(self, filename: str, entry: Any, required: tuple[str, ...]) -> bool:
        if not isinstance(entry, dict):
            self.problems.append(f"{filename}: entry {entry!r} is not a mapping")
            return False
        missing = [key for key in required if not entry.get(key)]
        if missing:
            name = entry.get("name") or entry.get("id") or entry
            self.problems.append(f"{filename}: entry {name!r} lacks {', '.join(missing)}")
            return False
        return True

    def _add(self, actor: Actor, filename: str, names: list[str]) -> None:
        if actor.id in self.actors:
            self.problems.append(f"{filename}: entry {actor.name!r} repeats id {actor.id!r}")
            return
        self.actors[actor.id] = actor
        self.source[actor.id] = filename
        for name in [actor.name, *names]:
            key = self.fold(name)
            if key and actor.id not in self._index[key]:
                self._index[key].append(actor.id)

    def _load_countries(self, entries: list[Any]) -> None:
        for entry in entries:
            if not self._entry_ok("countries.yaml", entry, ("iso3", "cameo", "name")):
                continue
            country = Country(
                iso3=entry["iso3"], cameo=entry["cameo"], name=entry["name"],
                aliases=list(entry.get("aliases") or []),
                adjectives=list(entry.get("adjectives") or []),
                demonyms=list(entry.get("demonyms") or []),
                capital=entry.get("capital"),
                metonyms=list(entry.get("metonyms") or []),
                successor=entry.get("successor"),
            )
            self.countries[country.iso3] = country
            self._add(
                Actor(country.iso3, country.name, "country", country.iso3, country.cameo,
                      aliases=country.aliases),
                "countries.yaml", country.aliases,
            )
            for word in [country.name, *country.aliases, *country.adjectives, *country.demonyms]:
                self.adjectives.setdefault(self.fold(word), country.iso3)
            gov_names = [f"{form} government" for form in [*country.adjectives, country.name]]
            gov_names += [f"{country.name}'s government", f"government of {country.name}"]
            metonyms = [m for m in country.metonyms if m != country.capital]
            self._add(
                Actor(country.government_id, f"Government of {country.name}", "government",
                      country.iso3, f"{country.cameo}GOV", aliases=gov_names + metonyms),
                "countries.yaml", gov_names + metonyms,
            )
            if country.capital and country.capital in country.metonyms:
                self.capitals[self.fold(country.capital)] = country.government_id
        for country in self.countries.values():
            if country.successor and country.successor not in self.countries:
                self.problems.append(
                    f"countries.yaml: entry {country.name!r}: "
                    f"unknown successor {country.successor!r}"
                )

    def _load_organisations(self, data: dict[str, Any]) -> None:
        for gov_id, names in (data.get("government_aliases") or {}).items():
            actor = self.actors.get(gov_id)
            if actor is None:
                self.problems.append(f"organisations.yaml: government_aliases: unknown {gov_id!r}")
                continue
            for name in names or []:
                actor.aliases.append(name)
                key = self.fold(name)
                if gov_id not in self._index[key]:  # "the X" and "X" fold alike
                    self._index[key].append(gov_id)
        for entry in data.get("organisations") or []:
            if not self._entry_ok("organisations.yaml", entry, ("id", "name", "kind")):
                continue
            actor = Actor(
                entry["id"], entry["name"], entry["kind"], entry.get("country"), entry.get("code"),
                aliases=list(entry.get("aliases") or []),
            )
            self._add(actor, "organisations.yaml", actor.aliases)
            if entry.get("portfolio"):
                self.portfolio[actor.id] = str(entry["portfolio"])

    def _load_people(self, entries: list[Any]) -> None:
        for entry in entries:
            if not self._entry_ok("people.yaml", entry, ("id", "name")):
                continue
            offices = []
            for raw in entry.get("offices") or []:
                if not isinstance(raw, dict):
                    self.problems.append(
                        f"people.yaml: entry {entry['name']!r}: office {raw!r} is not a mapping"
                    )
                    continue
                offices.append(Office(
                    title=str(raw.get("title") or ""), code=str(raw.get("code") or ""),
                    start=_date_text(raw.get("start")), end=_date_text(raw.get("end")),
                    organisation=raw.get("organisation"),
                ))
            actor = Actor(
                entry["id"], entry["name"], "person", entry.get("country"),
                offices[-1].code if offices else None,
                aliases=list(entry.get("aliases") or []), offices=offices,
            )
            self._add(actor, "people.yaml", actor.aliases)
            if entry.get("gender"):
                self.gender[actor.id] = str(entry["gender"])
            surname = str(entry.get("surname") or actor.name.split()[-1])
            self.surnames[actor.id] = surname
            self._surname_index[self.fold(surname)].append(actor.id)


def _date_text(value: Any) -> str | None:
    """YAML reads 2019-05-10 as a date and 2018 as an int; keep ISO text."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _valid_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        start, _ = iso_bounds(value)
        dt.date.fromisoformat(start)
    except ValueError:
        return False
    return True
