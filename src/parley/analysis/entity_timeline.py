"""Timelines of any named entity — a person, company or product — built from raw text.

The diplomatic timeline (:mod:`parley.analysis.timeline`) orders *coded* events between
actors of the knowledge base.  News about other subjects ("the iPhone 4", "Steve Jobs")
needs the plainer reading used by the SemEval-2015 TimeLine task: every event mention
(a main verb or an eventive noun) in which the entity takes part, anchored to a date and
ordered.  :func:`entity_timeline` does that over parley's annotated articles:

1. **Mentions** of the entity (:func:`entity_mentions`): spaCy noun chunks and named
   entities whose words contain the target's words in order, or one of its short forms
   (:func:`name_variants`: a trailing phrase of two words or more, a person's surname);
   plus simple coreference — a pronoun whose nearest preceding PERSON is the entity, a
   definite description ("the company") whose nearest preceding entity of that label is.
2. **Event mentions** (:func:`entity_events`): the verb whose subject, object or
   prepositional complement a mention is, with the verbs conjoined to it or depending on
   it without a subject of their own ("unveiled ... and demoed", "took the stage,
   saying"); an eventive noun governing a mention ("Jobs's keynote", "sales of the iPod").
3. **Dates**: the time expression of the timex stage attached to the event (the first
   verb or eventive noun above it); else the one date named in the sentence; else, for a
   verb in the past or present tense, the article's publication date (news reports what
   has just happened); else none.  Values are cut to the day.
4. **Across articles**: mentions with the same lemma and date are one event; events are
   ordered by date, less precise dates first ("2010" before "2010-06-07").

The word lists (anaphors, eventive nouns) live in ``knowledge/data/entity_events.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from parley.model import Article, Span
from parley.settings import Settings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

DATA = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "entity_events.yaml"
_ARGUMENT_DEPS = {"nsubj", "nsubjpass", "dobj", "dative", "attr", "oprd", "agent", "csubj"}
_NOUN_LINK_DEPS = {"poss", "compound", "nmod", "amod", "appos"}
_SHARED_SUBJECT_DEPS = {"conj", "xcomp", "advcl"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj", "expl"}
_DATED_TAGS = {"VBD", "VBZ", "VBP", "VBN"}


@dataclass(frozen=True)
class Lexicon:
    anaphors: dict[str, frozenset[str]]
    eventive_nouns: frozenset[str]
    nominal_suffixes: tuple[str, ...]
    light_verbs: frozenset[str]


@cache
def load_lexicon(path: Path = DATA) -> Lexicon:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Lexicon(
        anaphors={label: frozenset(w.lower() for w in words)
                  for label, words in (data.get("anaphors") or {}).items()},
        eventive_nouns=frozenset(w.lower() for w in data.get("eventive_nouns") or []),
        nominal_suffixes=tuple(data.get("nominal_suffixes") or []),
        light_verbs=frozenset(w.lower() for w in data.get("light_verbs") or []),
    )


@dataclass
class EntityEvent:
    """One event mention in which the entity takes part."""

    article_id: str
    trigger: str  # the words of the mention, as written
    lemma: str
    span: Span  # the trigger in ``Article.text``
    sentence_span: Span
    date: str | None = None  # TIMEX3 value cut to the day
    date_source: str | None = None  # "timex", "sentence" or "publication"


@dataclass
class EntityTimelineEntry:
    """One real-world event: every mention of it across articles, and its date."""

    date: str | None
    lemma: str
    mentions: list[EntityEvent] = field(default_factory=list)


# --------------------------------------------------------------------------- mentions


def name_variants(entity: str) -> list[str]:
    """Ways a target entity is written: the full name, its trailing phrases of two
    words or more, and the surname of a two-word personal name."""
    words = entity.split()
    names = [" ".join(words[i:]) for i in range(len(words) - 1)] or [entity]
    if len(words) == 2 and all(w.isalpha() and w[0].isupper() for w in words):
        names.append(words[1])
    return names


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _match_in_order(tokens: list[str], needle: list[str]) -> tuple[int, int] | None:
    """First and last+1 positions of ``needle``'s words found in order in ``tokens``."""
    positions, at = [], 0
    for word in needle:
        try:
            at = tokens.index(word, at)
        except ValueError:
            return None
        positions.append(at)
        at += 1
    return (positions[0], positions[-1] + 1) if positions else None


def entity_mentions(doc: Doc, entity: str, lexicon: Lexicon | None = None) -> list[Span]:
    """Character spans of ``doc`` that refer to ``entity`` (names, then coreference)."""
    lexicon = lexicon or load_lexicon()
    variants = [_words(v) for v in name_variants(entity)]
    candidates = list(doc.ents) + list(doc.noun_chunks)
    named: dict[tuple[int, int], Span] = {}
    for span in candidates:
        words = [" ".join(_words(token.text)) for token in span]
        for variant in variants:
            found = _match_in_order(words, variant)
            if found is not None:  # the name itself, not the phrase around it
                first, last = span[found[0]], span[found[1] - 1]
                named.setdefault((first.i, last.i + 1),
                                 Span(first.idx, last.idx + len(last.text)))
                break
    labels = [ent.label_ for ent in doc.ents
              if any(ent.start < e and s < ent.end for s, e in named)]
    kind = max(set(labels), key=labels.count) if labels else None
    names = sorted(named.values(), key=lambda s: s.start)
    return sorted(names + _anaphors(doc, names, kind, lexicon), key=lambda s: s.start)


def _anaphors(doc: Doc, named: list[Span], kind: str | None, lexicon: Lexicon) -> list[Span]:
    """Pronouns and definite descriptions whose nearest antecedent of their label is the
    entity (a named mention of it, rather than another entity of that label)."""
    if kind is None or kind not in lexicon.anaphors:
        return []
    words = lexicon.anaphors[kind]
    others = [(e.start_char, False) for e in doc.ents if e.label_ == kind]
    antecedents = sorted(others + [(s.start, True) for s in named])
    found = []
    for token in doc:
        if token.lower_ not in words:
            continue
        definite = token.pos_ in ("NOUN", "PROPN") and any(
            c.lower_ == "the" for c in token.children if c.dep_ == "det")
        if token.pos_ != "PRON" and not definite:
            continue
        before = [is_target for start, is_target in antecedents if start < token.idx]
        if before and before[-1]:
            found.append(Span(token.idx, token.idx + len(token.text)))
    return found


# --------------------------------------------------------------------------- events


def _eventive(token: Token, lexicon: Lexicon) -> bool:
    if token.pos_ != "NOUN":
        return False
    lemma = token.lemma_.lower()
    return lemma in lexicon.eventive_nouns or token.lower_ in lexicon.eventive_nouns or (
        lemma.endswith(lexicon.nominal_suffixes) and len(lemma) > 6)


def _event_verb(token: Token, lexicon: Lexicon) -> bool:
    return token.pos_ == "VERB" and token.lemma_.lower() not in lexicon.light_verbs


def _governors(head: Token, lexicon: Lexicon) -> list[Token]:
    """The event words a mention's head token takes part in."""
    while head.dep_ == "conj" and head.head.pos_ in ("NOUN", "PROPN", "PRON"):
        head = head.head  # "Apple and the Beatles sued": the first conjunct's role
    found: list[Token] = []
    governor = head.head
    if head.dep_ == "pobj" and governor.dep_ in ("prep", "agent"):
        governor = governor.head
        if _event_verb(governor, lexicon) or _eventive(governor, lexicon):
            found.append(governor)
    elif head.dep_ in _ARGUMENT_DEPS and _event_verb(governor, lexicon):
        found.append(governor)
        if head.dep_ in ("nsubj", "nsubjpass"):
            found += _sharing_subject(governor, lexicon)
    elif head.dep_ in _NOUN_LINK_DEPS | _ARGUMENT_DEPS and _eventive(governor, lexicon):
        found.append(governor)
    return found


def _sharing_subject(verb: Token, lexicon: Lexicon, depth: int = 2) -> list[Token]:
    """Verbs conjoined with ``verb`` or depending on it with no subject of their own."""
    found = []
    for child in verb.children:
        if (child.dep_ in _SHARED_SUBJECT_DEPS and _event_verb(child, lexicon)
                and not any(c.dep_ in _SUBJECT_DEPS for c in child.children)):
            found.append(child)
            if depth > 1:
                found += _sharing_subject(child, lexicon, depth - 1)
    return found


def _trigger_tokens(token: Token) -> list[Token]:
    """The trigger with a verb particle right after it ("taking out")."""
    particles = [c for c in token.children if c.dep_ == "prt" and c.i == token.i + 1]
    return [token, *particles]


def _day(value: str | None) -> str | None:
    if not value or not re.match(r"\d{4}", value):
        return None
    return value[:10]


def _dates(article: Article, doc: Doc) -> list[tuple[int, str, Token | None]]:
    """``(start, value, first verb or eventive noun above it)`` of each dated timex."""
    lexicon = load_lexicon()
    found = []
    for timex in article.timexes:
        value = _day(timex.value) if timex.type == "DATE" else None
        if value is None:
            continue
        span = doc.char_span(timex.span.start, timex.span.end, alignment_mode="expand")
        anchor = span.root.head if span is not None and len(span) else None
        while anchor is not None and not (_event_verb(anchor, lexicon)
                                          or _eventive(anchor, lexicon)):
            anchor = None if anchor.head.i == anchor.i else anchor.head  # root: none
        found.append((timex.span.start, value, anchor))
    return found


def _date_of(trigger: Token, sentence: Span, dates: list[tuple[int, str, Token | None]],
             published: str | None) -> tuple[str | None, str | None]:
    attached = [value for _, value, anchor in dates if anchor is not None and anchor == trigger]
    if attached:
        return attached[0], "timex"
    in_sentence = {value for start, value, _ in dates if sentence.start <= start < sentence.end}
    if len(in_sentence) == 1:
        return in_sentence.pop(), "sentence"
    if published and trigger.tag_ in _DATED_TAGS and not _future(trigger):
        return published, "publication"
    return None, None


def _future(verb: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ in ("will", "would", "shall", "'ll")
               for c in verb.children)


def entity_events(article: Article, entity: str, nlp: Language,
                  doc: Doc | None = None) -> list[EntityEvent]:
    """Every event mention of ``article`` in which ``entity`` takes part, dated."""
    lexicon = load_lexicon()
    doc = doc if doc is not None else nlp(article.text)
    published = _day(article.published.value) if article.published else None
    dates = _dates(article, doc)
    seen: set[int] = set()
    events = []
    for mention in entity_mentions(doc, entity, lexicon):
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        for trigger in _governors(span.root, lexicon):
            if trigger.i in seen:
                continue
            seen.add(trigger.i)
            words = _trigger_tokens(trigger)
            sentence = Span(trigger.sent.start_char, trigger.sent.end_char)
            date, source = _date_of(trigger, sentence, dates, published)
            events.append(EntityEvent(
                article.id, " ".join(t.text for t in words), trigger.lemma_.lower(),
                Span(words[0].idx, words[-1].idx + len(words[-1].text)), sentence,
                date, source))
    return sorted(events, key=lambda e: e.span.start)


def entity_timeline(articles: list[Article], entity: str,
                    settings: Settings | None = None) -> list[EntityTimelineEntry]:
    """The events of ``entity`` across ``articles``: one entry per (lemma, date), every
    report of it kept, ordered by date; undated mentions come last, one entry each."""
    from parley.nlp import load_pipeline

    nlp = load_pipeline((settings or Settings()).spacy_model)
    return merge_entity_events(
        [e for article in articles for e in entity_events(article, entity, nlp)])


def merge_entity_events(events: list[EntityEvent]) -> list[EntityTimelineEntry]:
    """Mentions with the same lemma and date are one event (cross-document merging)."""
    dated: dict[tuple[str, str], EntityTimelineEntry] = {}
    undated = []
    for event in events:
        if event.date is None:
            undated.append(EntityTimelineEntry(None, event.lemma, [event]))
            continue
        entry = dated.setdefault((event.date, event.lemma),
                                 EntityTimelineEntry(event.date, event.lemma))
        entry.mentions.append(event)
    ordered = sorted(dated.values(), key=lambda e: (e.date or "", e.lemma))
    return ordered + undated
