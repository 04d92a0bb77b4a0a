"""Actors stage: find who is mentioned and resolve every mention to one actor.

Recognition combines the knowledge base (spaCy ``PhraseMatcher`` over every alias,
surname, office word and country adjective) with spaCy's statistical NER for people
and organisations the knowledge base does not know; those are kept as actors with
``in_kb=False`` and a stable id derived from the name.

Resolution, in reading order:

* full names and aliases resolve directly (spelling variants are folded by the KB);
* a bare surname ("Lavrov") resolves to a person with that surname already named in
  the article, else to the one KB person of that surname in office on the article's
  date, else to the only KB person of that surname; otherwise it stays unresolved;
* an office ("Japan's foreign minister", "the Russian top diplomat") resolves to the
  office holder on the article's date; "his Japanese counterpart" takes the office of
  the person "his" refers to; a role noun ("the Russian diplomat") resolves to the most
  recent person of that country; an office directly before a name ("Russian Foreign
  Minister Sergey Lavrov") is an apposition, recorded as ``Mention.office``;
* pronouns ("he", "his") follow one salience rule: the most recent compatible person
  mentioned in the same sentence, else the most recent compatible person that was a
  grammatical subject (by the parse, or a name directly followed by its verb) in an
  earlier sentence.  Mentions inside quotation marks are
  never antecedents (the "President Putin" inside a quote is not the "he" after it);
* "the ministry" / "the government" resolve to the most recent actor of that kind;
* a capital city stands for its government ("Moscow insists") unless it is a place:
  after a locative preposition ("in Moscow") or in upper case (the dateline).

One name that cannot be resolved gives a mention with ``actor_id=None``; it never
stops the others.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from parley.model import Actor, Article, Mention, Span
from parley.nlp import sentence_starts
from parley.pipeline import Context, register

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from parley.knowledge import Knowledge

LOCATIVE = {"in", "at", "to", "from", "near", "via", "into", "outside", "toward", "towards",
            "across", "around", "visit", "inside"}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}
#: words before an office phrase that rule out the current holder
NOT_CURRENT = {"a", "an", "another", "former", "ex", "late", "previous", "future", "new", "any"}
#: label kinds that modify an office word ("Russian", "Japan's", "Kremlin")
MODIFIER_KINDS = {"ADJ", "COUNTRY", "GOV", "ORG"}
TITLE_KINDS = {"TITLE", "COUNTERPART", "ROLE"}
#: priority when two matches cover the same tokens (lower wins)
PRIORITY = {"ACTOR": 0, "TITLE": 1, "COUNTERPART": 1, "ORGNOUN": 2, "ROLE": 2, "ADJ": 3,
            "CAPITAL": 3, "SURNAME": 4, "NER": 5, "PRON": 6}


@dataclass
class Item:
    """One recognised stretch of tokens, before resolution."""

    start: int  # token index
    end: int
    kind: str  # ACTOR, SURNAME, TITLE, COUNTERPART, ROLE, ORGNOUN, ADJ, CAPITAL, NER, PRON
    value: str  # actor id, office class, ISO-3, NER label, pronoun gender, ...
    modifier_of: int | None = None  # index of the office item this item modifies
    office: str | None = None  # apposition text, for names
    country: str | None = None  # ISO-3 stated by the apposition ("Serbian President X")


@dataclass
class Seen:
    """A resolved person mention, as a candidate antecedent."""

    actor_id: str
    token: int
    sentence: int
    subject: bool
    country: str | None
    office_class: str | None


@dataclass
class Resolver:
    """The per-article state of resolution (no state outlives one article)."""

    kb: Knowledge
    doc: Doc
    day: str | None
    quoted: list[tuple[int, int]]
    actors: dict[str, Actor] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    persons: list[Seen] = field(default_factory=list)
    last_of_kind: dict[str, str] = field(default_factory=dict)
    named_surnames: dict[str, str] = field(default_factory=dict)  # folded surname -> id

    # ------------------------------------------------------------ bookkeeping

    def in_quote(self, token: int) -> bool:
        char = self.doc[token].idx
        return any(start < char < end for start, end in self.quoted)

    def add(self, item: Item, actor_id: str | None, kind: str, office: str | None = None) -> None:
        span = self.doc[item.start : item.end]
        self.mentions.append(Mention(
            Span(span.start_char, span.end_char), span.text, actor_id, kind, office
        ))
        if actor_id is None:
            return
        actor = self.actors.get(actor_id) or self.kb.actors.get(actor_id)
        if actor is None:
            return
        if actor_id not in self.actors:
            self.actors[actor_id] = _copy(actor)
            held = self.kb.offices_at(actor_id, self.day) if self.day else []
            if held:  # the code of the office held when the article was written
                self.actors[actor_id].code = held[0].code
        if actor.kind != "person":
            self.last_of_kind[actor.kind] = actor_id
            return
        if self.in_quote(item.start):
            return
        root = span.root
        after = self.doc[item.end] if item.end < len(self.doc) else None
        subject = (
            root.dep_ in SUBJECT_DEPS
            or (root.dep_ in ("conj", "appos") and root.head.dep_ in SUBJECT_DEPS)
            # the parser misses some subjects of long sentences: "..., X said"
            or (after is not None and after.pos_ in ("VERB", "AUX") and after.i > root.i)
        )
        office_class = self.kb.vocabulary.office_class(office) if office else None
        if office and office_class is None:
            office_class = _office_in(office, self.kb)
        if office_class is None and self.day:
            classes = [self.kb.vocabulary.office_class(o.title)
                       for o in self.kb.offices_at(actor_id, self.day)]
            office_class = next((c for c in classes if c), None)
        self.persons.append(Seen(actor_id, item.start, _sentence_index(self.doc, item.start),
                                 subject, actor.country, office_class))
        surname = self.kb.surnames.get(actor_id) or actor.name.split()[-1]
        self.named_surnames[self.kb.fold(surname)] = actor_id

    # ------------------------------------------------------------ antecedents

    def recent_person(
        self, token: int, *, gender: str = "any", country: str | None = None,
        office_class: str | None = None,
    ) -> str | None:
        """The salience rule: same sentence (any role), else the last earlier subject."""
        sentence = _sentence_index(self.doc, token)

        def compatible(seen: Seen) -> bool:
            if seen.token >= token:
                return False
            if gender != "any" and self.kb.gender.get(seen.actor_id, gender) != gender:
                return False
            if country and seen.country != country:
                return False
            return not (office_class and seen.office_class != office_class)

        candidates = [s for s in self.persons if compatible(s)]
        same = [s for s in candidates if s.sentence == sentence]
        if same:
            return same[-1].actor_id
        subjects = [s for s in candidates if s.subject]
        if subjects:
            return subjects[-1].actor_id
        return candidates[-1].actor_id if candidates else None


def _copy(actor: Actor) -> Actor:
    return dataclasses.replace(
        actor, aliases=list(actor.aliases),
        offices=[dataclasses.replace(o) for o in actor.offices],
    )


def _office_in(text: str, kb: Knowledge) -> str | None:
    """The office class named inside an apposition ("Russian Foreign Minister")."""
    words = text.lower().split()
    for size in range(len(words), 0, -1):
        for first in range(len(words) - size + 1):
            found = kb.vocabulary.office_class(" ".join(words[first : first + size]))
            if found:
                return found
    return None


def _sentence_index(doc: Doc, token: int) -> int:
    if not doc.has_annotation("SENT_START"):
        return 0
    return sentence_starts(doc)[token]


def quoted_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges of quoted passages, quotation marks included.

    Curly quotes pair by direction, straight quotes alternate.  A quote still open at
    the end of a paragraph ends there (the wire convention for a quotation running on
    into the next paragraph, which then opens with a fresh quotation mark).
    """
    regions = []
    start: int | None = None
    for i, char in enumerate(text):
        if char == "\n" and start is not None:
            regions.append((start, i))
            start = None
        elif char == "“" or (char == '"' and start is None):
            start = i
        elif (char == "”" or char == '"') and start is not None:
            regions.append((start, i + 1))
            start = None
    if start is not None:
        regions.append((start, len(text)))
    return regions


# ---------------------------------------------------------------- recognition


@lru_cache(maxsize=4)
def _matchers(kb: Knowledge, nlp: Any) -> tuple[Any, Any]:
    """Phrase matchers over the KB: case-insensitive for multi-word names and office
    words, case-sensitive for single words (so that "US" is not "us")."""
    from spacy.matcher import PhraseMatcher

    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    exact = PhraseMatcher(nlp.vocab, attr="ORTH")

    def add(label: str, phrases: list[str], case_sensitive: bool | None = None) -> None:
        for phrase in set(phrases):
            doc = nlp.make_doc(phrase)
            sensitive = len(doc) == 1 if case_sensitive is None else case_sensitive
            (exact if sensitive else lower).add(label, [doc])

    for actor in kb.actors.values():
        add(f"ACTOR|{actor.id}", [actor.name, *actor.aliases])
    for actor_id, surname in kb.surnames.items():
        add(f"SURNAME|{kb.fold(surname)}", [surname], case_sensitive=True)
        del actor_id
    for country in kb.countries.values():
        add(f"ADJ|{country.iso3}", country.adjectives + country.demonyms, case_sensitive=True)
        if country.capital and country.capital in country.metonyms:
            add(f"CAPITAL|{country.government_id}", [country.capital], case_sensitive=True)
    vocab = kb.vocabulary
    for form, office_class in vocab.office_forms.items():
        add(f"TITLE|{office_class}", [form], case_sensitive=False)
    add("COUNTERPART|", vocab.counterpart, case_sensitive=False)
    add("ROLE|", vocab.person_nouns, case_sensitive=False)
    for form, kind in vocab.organisation_nouns.items():
        add(f"ORGNOUN|{kind}", [form], case_sensitive=False)
    return lower, exact


def recognise(doc: Doc, kb: Knowledge, nlp: Any) -> list[Item]:
    """Every KB match, NER entity and pronoun, overlaps settled longest-first."""
    lower, exact = _matchers(kb, nlp)
    found: list[Item] = []
    for matcher in (lower, exact):
        for match_id, start, end in matcher(doc):
            kind, _, value = nlp.vocab.strings[match_id].partition("|")
            found.append(Item(start, end, kind, value))
    for ent in doc.ents:
        if ent.label_ in ("PERSON", "ORG") and "\n" not in ent.text:
            found.append(Item(ent.start, ent.end, "NER", ent.label_))
    for token in doc:
        gender = kb.vocabulary.pronouns.get(token.lower_)
        if gender and token.pos_ in ("PRON", "DET"):
            found.append(Item(token.i, token.i + 1, "PRON", gender))
    # a person name found by NER wins over a shorter KB match inside it, so that an
    # unknown "Ivan Lavrov" is not taken for "Lavrov"
    found.sort(key=lambda it: (-(it.end - it.start), PRIORITY[it.kind], it.start))
    taken: set[int] = set()
    chosen = []
    for item in found:
        tokens = set(range(item.start, item.end))
        if tokens & taken:
            continue
        taken |= tokens
        chosen.append(item)
    chosen.sort(key=lambda it: it.start)
    return [it for it in chosen if _plausible(it, doc)]


def _plausible(item: Item, doc: Doc) -> bool:
    """Drop plural office words ("foreign ministers") and lower-case title words
    that are not nouns here."""
    if item.kind in TITLE_KINDS | {"ORGNOUN"}:
        last = doc[item.end - 1]
        return last.tag_ not in ("NNS", "NNPS") and last.pos_ in ("NOUN", "PROPN")
    return True


def _link_offices(items: list[Item], doc: Doc, kb: Knowledge) -> None:
    """Mark country words that modify an office word, and appositions before names."""
    for n, item in enumerate(items):
        if item.kind not in TITLE_KINDS:
            continue
        first = item.start
        k = n - 1
        while k >= 0:
            prev = items[k]
            if not _transparent(doc[prev.end : first]):
                break
            if not _is_modifier(prev, kb):
                break
            prev.modifier_of = n
            first = prev.start
            k -= 1
        if n + 1 < len(items):
            nxt = items[n + 1]
            if _transparent(doc[item.end : nxt.start]) and _names_person(nxt, kb):
                nxt.office = " ".join(re.sub(r"[\[\]]", "", doc[first : item.end].text).split())
                nxt.country = _country_of(items, n, kb)
                item.modifier_of = n + 1


def _transparent(between: Any) -> bool:
    """Tokens that may stand between an office word and its modifier or name:
    a possessive, or the brackets of an editorial insertion ("[Russian] President")."""
    return all(t.text in ("'s", "’s", "[", "]") for t in between) and len(between) <= 2


def _is_modifier(item: Item, kb: Knowledge) -> bool:
    if item.kind in ("ADJ", "CAPITAL"):
        return True
    if item.kind == "ACTOR":
        actor = kb.actors.get(item.value)
        return actor is not None and actor.kind != "person"
    return item.kind == "NER" and item.value == "ORG"


def _names_person(item: Item, kb: Knowledge) -> bool:
    if item.kind == "SURNAME" or (item.kind == "NER" and item.value == "PERSON"):
        return True
    if item.kind == "ACTOR":
        actor = kb.actors.get(item.value)
        return actor is not None and actor.kind == "person"
    return False


# ---------------------------------------------------------------- resolution


def _country_of(items: list[Item], n: int, kb: Knowledge) -> str | None:
    for item in items:
        if item.modifier_of == n:
            if item.kind == "ADJ":
                return item.value
            actor = kb.actors.get(item.value)
            if actor is not None and actor.country:
                return actor.country
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _resolve_title(res: Resolver, items: list[Item], n: int, phrase_start: int) -> str | None:
    """An office or role phrase standing alone (no name after it)."""
    item = items[n]
    kb = res.kb
    before = res.doc[phrase_start - 1] if phrase_start else None
    if before is not None and before.lower_ in NOT_CURRENT:
        return None  # "a minister", "former foreign minister": not a known holder
    country = _country_of(items, n, kb)
    if item.kind == "COUNTERPART":
        owner = None
        if before is not None and before.lower_ in kb.vocabulary.pronouns:
            owner = next((m.actor_id for m in reversed(res.mentions)
                          if m.span.start == before.idx), None)
        if owner is None:
            owner = res.recent_person(phrase_start)
        office_class = next((s.office_class for s in reversed(res.persons)
                             if s.actor_id == owner and s.office_class), None)
        if office_class and country and res.day:
            holders = kb.office_holders_at(office_class, country, res.day)
            if len(holders) == 1:
                return holders[0].id
        return None
    if item.kind == "TITLE":
        office_class = item.value
        seen = res.recent_person(phrase_start, country=country, office_class=office_class)
        if seen:
            return seen
        if country and res.day:
            holders = kb.office_holders_at(office_class, country, res.day)
            if len(holders) == 1:
                return holders[0].id
        return None
    # a role noun: the most recent person of that country
    return res.recent_person(phrase_start, country=country)


def _resolve_surname(res: Resolver, item: Item) -> str | None:
    if item.value in res.named_surnames:
        return res.named_surnames[item.value]
    people = res.kb.by_surname(item.value)
    if res.day:
        in_office = [p for p in people if res.kb.offices_at(p.id, res.day)]
        if len(in_office) == 1:
            return in_office[0].id
    return people[0].id if len(people) == 1 else None


def _resolve_ner(res: Resolver, item: Item) -> tuple[str | None, str]:
    span = res.doc[item.start : item.end]
    text = re.sub(r"[\[\]]", "", span.text).removesuffix("'s").removesuffix("’s").strip()
    text = " ".join(text.split())
    known = res.kb.lookup(text)
    if known is not None:
        return known.id, "name"
    if item.value == "PERSON":
        words = text.split()
        if len(words) == 1:
            actor_id = res.named_surnames.get(res.kb.fold(words[0]))
            if actor_id:
                return actor_id, "surname"
            people = res.kb.by_surname(words[0])
            if len(people) == 1:
                return people[0].id, "surname"
            return None, "name"  # a lone unknown word is too often a place or a thing
        actor_id = f"unknown-person-{_slug(res.kb.fold(text))}"
        kind = "person"
    else:
        actor_id = f"unknown-org-{_slug(res.kb.fold(text))}"
        kind = "organisation"
    if not _slug(text) or not text[:1].isupper():
        return None, "name"
    if actor_id not in res.actors:
        country = item.country or _stated_country(res, item, text)
        code = None
        if country is not None:
            cameo = res.kb.countries[country].cameo
            code = f"{cameo}GOV" if item.office else cameo
        res.actors[actor_id] = Actor(
            actor_id, text, kind, country, code, in_kb=False)  # type: ignore[arg-type]
        if kind == "person" and len(text.split()) > 1:
            res.named_surnames.setdefault(res.kb.fold(text.split()[-1]), actor_id)
    return actor_id, "name"


def _stated_country(res: Resolver, item: Item, text: str) -> str | None:
    """The country an unknown name's own words or modifiers state: "Iraqi National
    Congress", "the Syrian opposition leader Ahmed X" (an adjective before the name)."""
    kb = res.kb
    span = res.doc[item.start : item.end]
    words = [t for t in span] if item.value == "ORG" else []
    words += [t for c in span.root.children
              if c.dep_ in ("amod", "compound", "nmod", "poss") and c.i < item.start
              for t in c.subtree]
    for word in words:
        country = kb.country_of_adjective(word.text)
        if country is not None and word.text[:1].isupper():
            return country
    return None


def _unnamed_official(res: Resolver, items: list[Item], n: int, start: int) -> str | None:
    """An office or role of a stated country whose holder is not known here ("a Syrian
    official", "the Iraqi foreign minister"): an unknown person of that country."""
    country = _country_of(items, n, res.kb)
    if country is None or items[n].kind == "COUNTERPART":
        return None
    head = res.doc[items[n].end - 1]
    role = items[n].value or head.lemma_.lower()
    actor_id = f"unknown-{country}-{_slug(role)}"
    if actor_id not in res.actors:
        known = res.kb.countries[country]
        name = " ".join(re.sub(r"[\[\]]", "", res.doc[start : items[n].end].text).split())
        res.actors[actor_id] = Actor(actor_id, name, "person", country, f"{known.cameo}GOV",
                                     in_kb=False)
    return actor_id


def _speaker_side(res: Resolver) -> None:
    """"we" / "our" inside a quotation: the side of the one quoted, i.e. the government of
    the speaker's country (or the speaker's organisation).  The speaker is the actor named
    next to the quotation in its paragraph (after it first: '"...," Lavrov said'), else
    the last person who was a subject before it."""
    words = res.kb.vocabulary.speaker_plural
    text = res.doc.text
    outside = [m for m in res.mentions if m.actor_id and not _inside(m.span.start, res.quoted)]
    for token in res.doc:
        if token.lower_ not in words:
            continue
        region = next(((a, b) for a, b in res.quoted if a < token.idx < b), None)
        if region is None:
            continue
        para_start = text.rfind("\n", 0, region[0]) + 1
        para_end = text.find("\n", region[1])
        para_end = len(text) if para_end < 0 else para_end
        after = [m for m in outside if region[1] <= m.span.start < para_end]
        before = [m for m in outside if para_start <= m.span.start < region[0]]
        speaker = (after[0].actor_id if after else before[-1].actor_id if before
                   else res.recent_person(token.i))
        side = _side_of(res, speaker)
        if side is not None:
            res.add(Item(token.i, token.i + 1, "PRON", "we"), side, "speaker side")


def _inside(char: int, regions: list[tuple[int, int]]) -> bool:
    return any(a <= char < b for a, b in regions)


def _side_of(res: Resolver, actor_id: str | None) -> str | None:
    """The government a speaker speaks for; an organisation without a country for itself."""
    actor = (res.actors.get(actor_id) or res.kb.actors.get(actor_id)) if actor_id else None
    if actor is None:
        return None
    if actor.kind == "organisation" and actor.country is None:
        return actor.id
    country = res.kb.countries.get(actor.country or "")
    if country is None or country.government_id not in res.kb.actors:
        return None
    return country.government_id


def _groups(res: Resolver) -> None:
    """Collective nouns of a stated country ("Iraqi police", "Afghan troops", "protesters
    in Cairo", "Serbian officials") not already a mention: actors of kind group."""
    kb, doc = res.kb, res.doc
    roles = kb.vocabulary.group_nouns
    mention_at: dict[int, Mention] = {}
    for m in res.mentions:
        if m.actor_id is not None:
            for t in doc.char_span(m.span.start, m.span.end, alignment_mode="expand") or ():
                mention_at.setdefault(t.i, m)
    covered = set(mention_at)
    for token in doc:
        role = roles.get(token.lemma_.lower()) or roles.get(token.lower_)
        if role is None or token.i in covered or token.pos_ != "NOUN":
            continue
        found = _group_country(res, token, mention_at)
        if found is None:
            continue
        country, first = found
        known = kb.countries[country]
        if role == "GOV" and token.lemma_.lower() in ("government", "authority"):
            actor_id = known.government_id
            actor = kb.actors.get(actor_id)
        else:
            actor_id = f"{country}-{token.lemma_.lower()}"
            actor = res.actors.get(actor_id) or Actor(
                actor_id, " ".join(doc[first : token.i + 1].text.split()), "group", country,
                f"{known.cameo}{role}", in_kb=False)
        if actor is None:
            continue
        if actor_id not in res.actors and not actor.in_kb:
            res.actors[actor_id] = actor
        res.add(Item(first, token.i + 1, "GROUP", actor_id), actor_id, "group")
        covered.update(range(first, token.i + 1))


def _group_country(
    res: Resolver, head: Token, mention_at: dict[int, Mention]
) -> tuple[str, int] | None:
    """(ISO-3, first token of the phrase) stated by a modifier before ``head`` or by an
    "in/of/from" phrase after it, else None."""
    kb = res.kb
    before = [c for c in head.children
              if c.dep_ in ("amod", "compound", "poss", "nmod", "npadvmod") and c.i < head.i]
    for child in before:
        for word in child.subtree:
            country = _country_at(res, word, mention_at)
            if country is not None:
                first = min(t.i for c in before for t in c.subtree)
                return country, first
    for prep in head.children:
        if prep.dep_ == "prep" and prep.lower_ in ("in", "of", "from"):
            for pobj in prep.children:
                if pobj.dep_ == "pobj":
                    country = _country_at(res, pobj, mention_at)
                    if country is None:
                        government = kb.capitals.get(kb.fold(pobj.text))
                        actor = kb.actors.get(government) if government else None
                        country = actor.country if actor is not None else None
                    if country is not None:
                        return country, head.i
    return None


def _country_at(res: Resolver, token: Token, mention_at: dict[int, Mention]) -> str | None:
    """The country of the mention covering ``token`` (adjective, country, government)."""
    mention = mention_at.get(token.i)
    if mention is not None and mention.actor_id:
        actor = res.actors.get(mention.actor_id) or res.kb.actors.get(mention.actor_id)
        if actor is not None and actor.kind != "person":
            return actor.country
    if token.text[:1].isupper():
        return res.kb.country_of_adjective(token.text)
    return None


def _is_place(token: Token) -> bool:
    if token.text.isupper():
        return True
    prev = token.nbor(-1) if token.i > 0 else None
    return prev is not None and prev.lower_ in LOCATIVE


def resolve(
    doc: Doc, kb: Knowledge, nlp: Any, day: str | None
) -> tuple[list[Actor], list[Mention]]:
    """Recognise and resolve every actor mention in ``doc``."""
    items = recognise(doc, kb, nlp)
    _link_offices(items, doc, kb)
    res = Resolver(kb, doc, day, quoted_regions(doc.text))
    for n, item in enumerate(items):
        try:
            _resolve_item(res, items, n)
        except (KeyError, ValueError, IndexError):  # one bad name never blanks the rest
            res.add(item, None, "unresolved")
    _speaker_side(res)
    _groups(res)
    res.mentions.sort(key=lambda m: m.span.start)
    return list(res.actors.values()), res.mentions


def _resolve_item(res: Resolver, items: list[Item], n: int) -> None:
    item = items[n]
    kb = res.kb
    if item.modifier_of is not None and item.kind not in TITLE_KINDS:
        return  # part of an office phrase ("Russian" in "Russian Foreign Minister")
    if item.kind in TITLE_KINDS:
        if item.modifier_of is not None:
            return  # an apposition: recorded on the name that follows
        start = min([it.start for it in items if it.modifier_of == n] + [item.start])
        whole = Item(start, item.end, item.kind, item.value)
        actor_id = _resolve_title(res, items, n, start)
        if actor_id is None:
            actor_id = _unnamed_official(res, items, n, start)
        res.add(whole, actor_id, "title")
    elif item.kind == "ACTOR":
        actor = kb.actors[item.value]
        text = res.doc[item.start : item.end].text
        kind = "name" if kb.fold(text) == kb.fold(actor.name) else "alias"
        res.add(item, actor.id, kind, item.office)
    elif item.kind == "SURNAME":
        res.add(item, _resolve_surname(res, item), "surname", item.office)
    elif item.kind == "NER":
        actor_id, kind = _resolve_ner(res, item)
        if actor_id is not None:
            res.add(item, actor_id, kind, item.office)
    elif item.kind == "ADJ":
        res.add(item, item.value, "adjective")
    elif item.kind == "CAPITAL":
        if not _is_place(res.doc[item.start]):
            res.add(item, item.value, "metonym")
    elif item.kind == "ORGNOUN":
        prev = res.doc[item.start - 1] if item.start else None
        after = res.doc[item.end] if item.end < len(res.doc) else None
        if prev is not None and prev.lower_ == "the" and not (after and after.lower_ == "of"):
            whole = Item(item.start - 1, item.end, item.kind, item.value)
            res.add(whole, res.last_of_kind.get(item.value), "definite")
    elif item.kind == "PRON":
        res.add(item, res.recent_person(item.start, gender=item.value), "pronoun")


@register("actors", requires=("text",), provides=("actors", "mentions"), needs_doc=True)
def find_actors(article: Article, context: Context) -> Article:
    """Fill ``article.actors`` (only those mentioned) and ``article.mentions``."""
    doc = context.doc if context.doc is not None else context.nlp(article.text)
    day = article.published.day if article.published else None
    if day is None and article.published and article.published.value:
        day = article.published.value[:10] if len(article.published.value) >= 10 else None
    actors, mentions = resolve(doc, context.knowledge, context.nlp, day)
    article.actors = actors
    article.mentions = mentions
    return article
