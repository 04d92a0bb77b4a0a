"""Events: who did what to whom, when and where, one clause at a time.

Each token that matches a codebook pattern (a verb such as "ratified", or an event noun
anchored to a moment: "held a meeting", "following talks", "a round of consultations
will be held") makes one event.  Source, target, date and place are read from the same
clause — the trigger's dependency neighbourhood — and never stitched from elsewhere in
the article (GDELT's location errors); the date falls back to the sentence and, for
statements only, to the publication day.  A sentence without a trigger yields nothing:
there is no default code (PETRARCH2's 010 flood).  Every trigger in a sentence is kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from parley.knowledge.codebook import Codebook, Pattern
from parley.model import Actor, Article, Event, Granularity, Mention, Modality, Span, TimeExpr
from parley.nlp import LONGEST_SENTENCE
from parley.pipeline import Context, register
from parley.stages.timex import publication_day, value_interval, verb_tense

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

    from parley.knowledge import Knowledge

#: dependents that open a clause of their own (their words are not this clause's)
CLAUSE_DEPS = frozenset({"ccomp", "advcl", "relcl", "csubj", "csubjpass", "parataxis", "conj"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
OBJECT_DEPS = frozenset({"dobj", "obj", "attr", "oprd", "dative"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "outside", "inside"})
DYAD_NOUNS = frozenset({"country", "state", "side", "nation", "party", "government", "leader"})
HYPOTHETICAL_AUX = frozenset({"could", "might", "may", "would"})
NEGATING_VERBS = frozenset({"fail", "refuse", "decline"})
REFERENCE_VALUES = frozenset({"PAST_REF", "PRESENT_REF", "FUTURE_REF"})
#: an event dated this many days before publication is historical background
BACKGROUND_AGE_DAYS = 365


@register(
    "events",
    requires=("actors", "mentions", "timexes", "quotes"),
    provides=("events",),
    needs_doc=True,
)
def code_events(article: Article, context: Context) -> Article:
    """Fill ``article.events`` with one coded event per trigger in the text."""
    doc = context.doc if context.doc is not None else context.nlp(article.text)
    article.events = extract_events(article, doc, context.codebook, context.knowledge)
    return article


@dataclass
class _Trigger:
    token: Token
    pattern: Pattern
    code: str
    is_noun: bool


class _Reader:
    """The lookups one article needs: token -> mention, token -> time expression, ..."""

    def __init__(
        self, article: Article, doc: Doc, codebook: Codebook, knowledge: Knowledge | None = None
    ) -> None:
        self.article = article
        self.doc = doc
        self.book = codebook
        self.kb = knowledge
        self.anchor = publication_day(article)
        self.mention_at: dict[int, Mention] = {}
        for mention in sorted(article.mentions, key=lambda m: m.span.end - m.span.start):
            if mention.actor_id is None:
                continue
            span = doc.char_span(mention.span.start, mention.span.end, alignment_mode="expand")
            for token in span or ():
                self.mention_at.setdefault(token.i, mention)
        self.timex_at: dict[int, TimeExpr] = {}
        for timex in article.timexes:
            span = doc.char_span(timex.span.start, timex.span.end, alignment_mode="expand")
            if span is not None and len(span):
                self.timex_at[span[0].i] = timex
        self.dyad = self._article_dyad()
        self.background_ranges = _background_ranges(article)
        #: character ranges of direct quotations: what a speaker reports, not what happened
        self.quoted_ranges = [(q.span.start, q.span.end) for q in article.quotes
                              if q.kind == "direct"]

    def in_direct_quote(self, token: Token) -> bool:
        return any(start <= token.idx < end for start, end in self.quoted_ranges)

    # ----------------------------------------------------------------- actors

    def _article_dyad(self) -> list[str]:
        """The two countries the article is about: most mentioned country actors."""
        counts: Counter[str] = Counter()
        for mention in self.article.mentions:
            actor = self.article.actor(mention.actor_id)
            if actor is not None and actor.kind == "country":
                counts[actor.id] += 1
        return [actor_id for actor_id, _ in counts.most_common(2)]

    def actors_of(self, token: Token) -> list[str]:
        """Actor ids a noun phrase headed by ``token`` names, coordinated ones included."""
        found: list[str] = []
        for head in [token, *token.conjuncts]:
            for actor_id in self._phrase_actors(head):
                if actor_id not in found:
                    found.append(actor_id)
        if len(found) < 2 and any(t.dep_ == "cc" and t.lower_ == "and" for t in token.subtree):
            found = self._coordinated_fallback(token, found)
        return found

    def _coordinated_fallback(self, token: Token, found: list[str]) -> list[str]:
        """Coordinated actors the parser attached oddly: all of the head's kind in the phrase."""
        head = self.mention_at.get(token.i)
        head_actor = self.article.actor(head.actor_id) if head else None
        if head_actor is None:
            return found
        in_prep = {t.i for c in token.subtree if c.dep_ == "prep" for t in c.subtree}
        result = list(found)
        for sub in token.subtree:
            mention = self.mention_at.get(sub.i)
            if mention is None or sub.i in in_prep or mention.actor_id in result:
                continue
            actor = self.article.actor(mention.actor_id)
            if actor is not None and actor.kind == head_actor.kind:
                result.append(actor.id)
        order = {
            actor_id: min(
                t.i
                for t in token.subtree
                if self.mention_at.get(t.i) and self.mention_at[t.i].actor_id == actor_id
            )
            for actor_id in result
        }
        return sorted(result, key=lambda a: order[a])

    def _phrase_actors(self, token: Token) -> list[str]:
        mention = self.mention_at.get(token.i)
        if mention is not None and mention.actor_id is not None:
            self._give_country(mention.actor_id, token)
            return [mention.actor_id]
        if token.lemma_.lower() in DYAD_NOUNS and self._is_dyad_phrase(token):
            return list(self.dyad)
        for child in token.children:
            if child.dep_ == "appos":
                return self.actors_of(child)
        found = []
        for child in token.children:
            if child.dep_ in ("compound", "amod", "poss", "nmod") and child.i < token.i:
                for sub in child.subtree:
                    sub_mention = self.mention_at.get(sub.i)
                    if sub_mention and sub_mention.actor_id and sub_mention.actor_id not in found:
                        found.append(sub_mention.actor_id)
        if not found:
            for child in token.children:
                if child.dep_ == "poss" and child.lemma_.lower() in DYAD_NOUNS:
                    found.extend(self._phrase_actors(child))
        if not found and token.pos_ in ("NOUN", "PROPN"):
            group = self._national_group(token)
            if group is not None:
                found.append(group)
        return found

    # ----------------------------------------------------------------- countries

    def _phrase_country(self, head: Token) -> str | None:
        """ISO-3 of a country adjective, demonym or name modifying ``head`` ("Iraqi police",
        "Bosnian Serbs", "Nigeria's ambassador"), or of the head itself ("Palestinians")."""
        if self.kb is None:
            return None
        words = [head] + [
            t
            for c in head.children
            if c.dep_ in ("amod", "compound", "poss", "nmod", "npadvmod") and c.i < head.i
            for t in c.subtree
        ]
        for word in sorted(words, key=lambda t: t.i):
            country = self.kb.country_of_adjective(word.text)
            if country is not None:
                return country
        return None

    def _give_country(self, actor_id: str, head: Token) -> None:
        """An actor unknown to the knowledge base takes the country its phrase names
        ("Serbian President <unknown name>")."""
        actor = self.article.actor(actor_id)
        if actor is None or actor.in_kb or actor.country is not None:
            return
        country = self._phrase_country(head)
        if country is not None:
            actor.country = country

    def _national_group(self, head: Token) -> str | None:
        """An actor for a phrase the actors stage left unnamed but whose country it states
        ("the Israeli army", "Afghan rebels"): a group of that country, traced by a mention."""
        country = self._phrase_country(head)
        if country is None or self.kb is None:
            return None
        start = min([head.i] + [c.left_edge.i for c in head.children if c.i < head.i])
        while start < head.i and self.doc[start].dep_ in ("det", "predet", "nummod", "quantmod"):
            start += 1
        phrase = self.doc[start : head.i + 1]
        actor_id = f"{country}-{head.lemma_.lower()}"
        if self.article.actor(actor_id) is None:
            known = self.kb.countries.get(country)
            self.article.actors.append(
                Actor(
                    id=actor_id,
                    name=phrase.text,
                    kind="group",
                    country=country,
                    code=known.cameo if known is not None else None,
                    in_kb=False,
                )
            )
        mention = Mention(
            Span(phrase.start_char, phrase.end_char), phrase.text, actor_id, kind="group"
        )
        self.article.mentions.append(mention)
        for item in phrase:
            self.mention_at.setdefault(item.i, mention)
        return actor_id

    @staticmethod
    def _is_dyad_phrase(token: Token) -> bool:
        """"the two countries", "both leaders", and "the sides" / "the parties"."""
        if token.tag_ not in ("NNS", "NNPS"):
            return False
        if any(c.lower_ in ("two", "both") for c in token.children):
            return True
        return token.lemma_.lower() in ("side", "party") and any(
            c.dep_ == "det" and c.lower_ == "the" for c in token.children
        )

    # ----------------------------------------------------------------- triggers

    def match(self, token: Token) -> _Trigger | None:
        lemma = token.lemma_.lower()
        is_verb = token.pos_ == "VERB"
        is_noun = token.pos_ in ("NOUN", "PROPN")
        is_adjective = token.pos_ == "ADJ"
        if not (is_verb or is_noun or is_adjective):
            return None
        for pattern in self.book.candidates(lemma):
            if is_adjective and not (pattern.intent and _governs_infinitive(token)):
                continue  # only "willing/ready to <act>" counts among adjectives
            phrases = pattern.nouns if is_noun else pattern.verbs
            if not any(self._phrase_matches(token, phrase) for phrase in phrases):
                continue
            if pattern.objects and not (self._object_lemmas(token, is_noun) & pattern.objects):
                continue
            if is_noun and (not self._anchored(token) or self._object_of_trigger(token)):
                continue
            return _Trigger(token, pattern, pattern.code, is_noun)
        return None

    def _object_of_trigger(self, noun: Token) -> bool:
        """"lodged a protest", "imposed sanctions": the verb's own pattern already codes
        this object noun, so the noun is not a second event."""
        if noun.dep_ not in ("dobj", "obj") or noun.head.pos_ != "VERB":
            return False
        trigger = self.match(noun.head)
        return trigger is not None and noun.lemma_.lower() in trigger.pattern.objects

    @staticmethod
    def _phrase_matches(token: Token, phrase: str) -> bool:
        words = phrase.split()
        if words[0] != token.lemma_.lower():
            return False
        level: list[Token] = [token]
        for word in words[1:]:
            level = [c for t in level for c in t.children if word in (c.lower_, c.lemma_.lower())]
            if not level:
                return False
        return True

    @staticmethod
    def _object_lemmas(token: Token, is_noun: bool) -> set[str]:
        heads: list[Token] = []
        if token.dep_ == "acl" and token.tag_ == "VBN":
            heads.append(token.head)  # "the agreement signed in Washington": its object
        for child in token.children:
            if child.dep_ in OBJECT_DEPS or (child.dep_ == "nsubjpass"):
                heads.append(child)
            if child.dep_ == "compound":
                heads.append(child)
            if child.dep_ == "prep" and (is_noun or child.lower_ in ("with", "on", "of")):
                heads.extend(g for g in child.children if g.dep_ == "pobj")
        lemmas = set()
        for head in heads:
            for item in [head, *head.conjuncts]:
                lemmas.add(item.lemma_.lower())
                lemmas.update(c.lemma_.lower() for c in item.children if c.dep_ == "compound")
        return lemmas

    def carried_by_verb(self, noun: Token) -> bool:
        """Whether the noun is the object of a light verb or subject of an occurrence verb."""
        current = noun
        if (
            noun.dep_ == "pobj"
            and noun.head.lower_ == "of"
            and noun.head.head.lemma_.lower() in self.book.transparent_nouns
        ):
            current = noun.head.head
        head_lemma = current.head.lemma_.lower()
        return (current.dep_ in ("dobj", "obj") and head_lemma in self.book.light_verbs) or (
            current.dep_ in ("nsubj", "nsubjpass") and head_lemma in self.book.occurrence_verbs
        )

    def _anchored(self, noun: Token) -> bool:
        """An event noun counts only where it reports an occurrence, not a topic."""
        if noun.dep_ == "compound":
            return False
        if any(c.dep_ == "prep" and c.lower_ in ("between", "with") for c in noun.children):
            return True
        current = noun
        head = noun.head
        if (
            current.dep_ == "pobj"
            and head.lower_ == "of"
            and head.head.lemma_.lower() in self.book.transparent_nouns
        ):
            current = head.head
            head = current.head
        dep = current.dep_
        if dep in ("dobj", "obj") and head.lemma_.lower() in self.book.light_verbs:
            return True
        if dep in ("nsubj", "nsubjpass") and head.lemma_.lower() in self.book.occurrence_verbs:
            return True
        return dep in ("pobj", "dobj") and head.lower_ in self.book.anchor_prepositions

    def complement_code(self, verb: Token) -> str | None:
        """The code of the first event word in the complement of an intent verb."""
        for child in verb.children:
            if child.dep_ not in ("xcomp", "ccomp", "acl", "dobj", "prep", "advcl"):
                continue
            for sub in child.subtree:
                if sub is verb:
                    continue
                lemma = sub.lemma_.lower()
                for pattern in self.book.candidates(lemma):
                    if pattern.intent:
                        continue
                    phrases = pattern.nouns if sub.pos_ in ("NOUN", "PROPN") else pattern.verbs
                    if any(self._phrase_matches(sub, p) for p in phrases):
                        if pattern.objects and not (
                            self._object_lemmas(sub, sub.pos_ in ("NOUN", "PROPN"))
                            & pattern.objects
                        ):
                            continue
                        return pattern.code
        return None

    # ----------------------------------------------------------------- clause

    @staticmethod
    def governing_verb(token: Token) -> Token:
        """The verb whose clause holds ``token`` (itself when it is a finite verb)."""
        current = token
        for _ in range(40):
            if current.pos_ in ("VERB", "AUX") and current.dep_ not in ("prep", "amod", "pcomp"):
                return current
            if current.head is current:
                return current
            current = current.head
        return current

    @staticmethod
    def clause_tokens(verb: Token) -> list[Token]:
        excluded: set[int] = set()
        for child in verb.children:
            if child.dep_ in CLAUSE_DEPS:
                excluded.update(t.i for t in child.subtree)
        return [t for t in verb.subtree if t.i not in excluded]

    def subject_of(self, verb: Token) -> tuple[list[str], bool]:
        """Actor ids of the clause subject, following xcomp/conj up; and whether passive."""
        current = verb
        for _ in range(6):
            passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in current.children)
            for child in current.children:
                if child.dep_ == "agent":
                    for pobj in child.children:
                        return self.actors_of(pobj), passive
            for child in current.children:
                if child.dep_ in ("nsubj", "csubj"):
                    found = self.actors_of(child)
                    if not found and child.pos_ == "PRON" and current.dep_ == "ccomp":
                        # "Syria says it is willing ...": the speaker speaks of itself
                        found, _ = self.subject_of(current.head)
                    return found, passive
            if passive:
                return [], True
            if (
                current.dep_ in ("xcomp", "conj", "advcl", "acl", "acomp")
                and current.head is not current
            ):
                current = current.head
                continue
            break
        return [], False


def _background_ranges(article: Article) -> list[tuple[int, int]]:
    """Paragraphs marked as recycled, or sitting under a heading after the news part."""
    ranges = []
    seen_body = False
    under_heading = False
    for paragraph in article.paragraphs:
        if paragraph.kind == "heading":
            under_heading = seen_body
            continue
        seen_body = True
        if paragraph.background or under_heading:
            ranges.append((paragraph.start, paragraph.end))
    return ranges


def extract_events(
    article: Article, doc: Doc, codebook: Codebook, knowledge: Knowledge | None = None
) -> list[Event]:
    """Every coded event in the article, in text order.  With ``knowledge``, phrases
    that state a country ("Iraqi police") give their actors that country."""
    reader = _Reader(article, doc, codebook, knowledge)
    events: list[Event] = []
    mentioned: list[Event] = []  # every coded clause, fragments included
    for sentence in doc.sents:
        if len(sentence) > LONGEST_SENTENCE:
            continue  # not prose (see nlp.LONGEST_SENTENCE)
        found: list[tuple[Token, Event]] = []
        for token in sentence:
            trigger = reader.match(token)
            if trigger is not None and not trigger.pattern.complement_only:
                if trigger.pattern.intent:
                    complement = reader.complement_code(token)
                    if complement is not None:
                        trigger.code = codebook.intent_code(complement)
                event = _build_event(reader, trigger, sentence, 0)
                found.append((token, _stated_future(reader, token, event)))
            elif trigger is None and token.pos_ in ("VERB", "AUX"):
                demand = _demand_event(reader, token, sentence, 0)
                if demand is not None:
                    found.append((token, demand))
        events.extend(_without_carriers(found))
        mentioned.extend(event for _, event in found)
    _date_from_earlier_report(events, mentioned)
    for number, event in enumerate(events, start=1):
        event.id = f"{article.id}-ev{number}"
    return events


def _date_from_earlier_report(events: list[Event], mentioned: list[Event]) -> None:
    """A wire story names an act with its date first ("the agreement signed in Washington
    on Wednesday") and tells it again without one ("Liu signed the document with Trump"):
    an undated act in the news part takes the day of the last earlier clause of the news
    part that coded the same act."""
    for event in events:
        if event.date is not None or event.background or event.modality != "occurred":
            continue
        if event.cameo.startswith("01"):
            continue  # statements are dated by the publication day already
        earlier = [
            e for e in mentioned
            if e.cameo == event.cameo and e.date is not None and not e.background
            and e.date_granularity == "day" and e.modality == "occurred"
            and e.sentence_span.start < event.sentence_span.start
        ]
        if earlier:
            event.date, event.date_granularity = earlier[-1].date, "day"


def _governs_infinitive(token: Token) -> bool:
    """"ready to hand over", "willing to withdraw": the adjective takes a to-clause."""
    return any(
        c.dep_ in ("xcomp", "ccomp")
        and any(a.lower_ == "to" for a in c.children if a.dep_ == "aux")
        for c in token.children
    )


#: auxiliaries that put a clause in the future ("will give", "would boycott")
FUTURE_AUX = frozenset({"will", "would", "shall", "'ll"})


def _stated_future(reader: _Reader, token: Token, event: Event) -> Event:
    """A material act in the future tense is not (yet) an act: CAMEO codes "X will provide
    aid" as an intent (03x) and "X would boycott" as a threat (13x).  Meetings keep their
    04x code with modality "planned" (see codebook.yaml)."""
    if event.modality != "planned" or token.pos_ != "VERB":
        return event
    if not any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in token.children):
        return event
    code = reader.book.intent_codes.get(event.cameo[:2])
    if code is None or event.cameo[:2] == "04":
        return event
    info = reader.book.code(code)
    event.cameo, event.plover = code, info.plover
    event.quad_class, event.goldstein = info.quad_class, info.goldstein
    event.modality = "occurred"
    return event


def _without_carriers(found: list[tuple[Token, Event]]) -> list[Event]:
    """Drop a bare statement ("said", "announced") that only carries another coded event
    of its sentence ("X attacked Y, officials said"): CAMEO's 010 is for statements not
    otherwise specified, and the speaker stays on record as the quote's speaker."""
    found = [(token, event) for token, event in found if not _is_conditional(event)]
    if any(not _is_fragment(token, event) for token, event in found):
        found = [(token, event) for token, event in found if not _is_fragment(token, event)]
    acts = [
        token
        for token, event in found
        if event.plover != "STATEMENT" and event.modality != "hypothetical"
    ]
    kept = []
    for token, event in found:
        if event.cameo == "010" and any(_reports(token, act) for act in acts):
            continue
        kept.append(event)
    return kept


#: dependencies of a verb that modifies or qualifies another clause rather than heading one
SUBORDINATE_DEPS = frozenset({"advcl", "acl", "relcl", "pcomp", "amod", "csubj", "csubjpass"})


def _is_conditional(event: Event) -> bool:
    """A condition inside another clause ("only if all troops were pulled out"): nobody
    acts and nothing happened, so it is part of the statement, not an event of its own."""
    return event.modality == "hypothetical" and event.source_id is None and event.target_id is None


def _is_fragment(token: Token, event: Event) -> bool:
    """A modifier inside another event's sentence ("ways to reach an agreement", "the
    planned meeting") with nobody acting in it: detail of that event, not one of its own."""
    if event.source_id is not None or event.target_id is not None:
        return False
    return token.pos_ in ("VERB", "ADJ") and token.dep_ in SUBORDINATE_DEPS


def _reports(statement: Token, act: Token) -> bool:
    """Whether ``act`` lies in what the statement verb reports (not in its subject)."""
    if act.i == statement.i:
        return False
    said = {t.i for t in statement.subtree}
    speaker = {
        t.i for c in statement.children if c.dep_ in SUBJECT_DEPS for t in c.subtree
    }
    if act.i in said:
        return act.i not in speaker
    if statement.dep_ == "parataxis" or (statement.dep_ == "ccomp" and statement.i > act.i):
        return act.i in {t.i for t in statement.head.subtree}
    return False


def _build_event(reader: _Reader, trigger: _Trigger, sentence: SpacySpan, number: int) -> Event:
    token = trigger.token
    verb = reader.governing_verb(token) if trigger.is_noun else token
    sources, targets = _participants(reader, trigger, verb)
    when = _event_date(reader, trigger, verb, sentence)
    if trigger.is_noun and not reader.carried_by_verb(token):
        # "at the meeting", "following talks": the noun reports a meeting that took place
        # (or will, by its own date); the governing verb's negation or mood is not its own
        modality: Modality = (
            "planned" if when is not None and when.relation == "future" else "occurred"
        )
    elif not trigger.is_noun and token.dep_ in ("csubj", "csubjpass") and token.tag_ == "VBG":
        modality = "hypothetical"  # "Reaching an agreement ... remains difficult"
    else:
        modality = _modality(reader, verb, trigger, when)
    place = _place(reader, token, verb, sources + targets)
    info = reader.book.code(trigger.code)
    background = _is_background(reader, sentence, when)
    reported_today = (
        when is not None and reader.anchor is not None and (when.value == reader.anchor.isoformat())
    )
    if place is None and reported_today and not background and modality == "occurred":
        # a same-day event with no place in its clause: the dateline city, where it was filed
        place = _dateline_place(reader.article)
    return _event(
        reader,
        sentence,
        number,
        trigger.code,
        token,
        sources,
        targets,
        when,
        place,
        modality,
        background,
        info.plover,
        info.quad_class,
        info.goldstein,
    )


def _event(
    reader: _Reader,
    sentence: SpacySpan,
    number: int,
    code: str,
    token: Token,
    sources: list[str],
    targets: list[str],
    when: TimeExpr | None,
    place: str | None,
    modality: Modality,
    background: bool,
    plover: str,
    quad_class: int,
    goldstein: float,
) -> Event:
    article = reader.article
    sentence_span = Span(sentence.start_char, sentence.end_char)
    quote_ids = [
        q.id
        for q in article.quotes
        if q.span.start < sentence_span.end and sentence_span.start < q.span.end
    ]
    granularity: Granularity = when.granularity if when is not None else "unknown"
    return Event(
        id=f"{article.id}-ev{number + 1}",
        cameo=code,
        plover=plover,
        quad_class=quad_class,
        goldstein=goldstein,
        source_id=sources[0] if sources else None,
        target_id=targets[0] if targets else None,
        sentence_span=sentence_span,
        trigger=token.text,
        trigger_span=Span(token.idx, token.idx + len(token.text)),
        date=when.value if when is not None else None,
        date_granularity=granularity,
        place=place,
        modality=modality,
        quote_ids=quote_ids,
        background=background,
    )


def _participants(reader: _Reader, trigger: _Trigger, verb: Token) -> tuple[list[str], list[str]]:
    """Source and target actor ids, both from the trigger's own clause."""
    token = trigger.token
    sources: list[str] = []
    targets: list[str] = []
    if trigger.is_noun:
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in ("between", "of", "among"):
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        sources.extend(a for a in reader.actors_of(pobj) if a not in sources)
            if child.dep_ == "prep" and child.lower_ in ("with", "to"):
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        targets.extend(reader.actors_of(pobj))
        if not sources:
            sources = [a for a in reader._phrase_actors(token) if a not in targets]
        if not sources:
            sources, _ = reader.subject_of(verb)
        if not sources and verb is not token:
            sources = _speaker_of_cue(reader, verb)
    else:
        sources, passive = reader.subject_of(token)
        if not sources and trigger.code.startswith("01"):
            sources = _speaker_of_cue(reader, token)
        if passive and not sources:
            for child in token.children:
                if child.dep_ == "nsubjpass":
                    sources = reader._phrase_actors(child)
        for child in token.children:
            if child.dep_ in ("dobj", "dative", "iobj") and not passive:
                targets.extend(reader.actors_of(child))
                # "provide aid to Ukraine", "impose sanctions on Iran"
                for prep in child.children:
                    if prep.dep_ == "prep" and prep.lower_ in ("to", "on", "against", "for"):
                        for pobj in prep.children:
                            if pobj.dep_ == "pobj":
                                targets.extend(reader.actors_of(pobj))
            if child.dep_ == "prep" and child.lower_ in ("with", "to", "on", "against", "from"):
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        targets.extend(reader.actors_of(pobj))
            if child.dep_ == "prt":
                for grandchild in child.children:
                    if grandchild.dep_ == "pobj":
                        targets.extend(reader.actors_of(grandchild))
    targets = [t for t in dict.fromkeys(targets) if t not in sources[:1]]
    if not targets and len(sources) >= 2:
        targets = sources[1:2]
    return sources[:1], targets[:1]


def _speaker_of_cue(reader: _Reader, verb: Token) -> list[str]:
    """The speaker the quotes stage found for this cue verb, else the actor named just
    before it ("..., Japanese top diplomat Taro Kono said")."""
    for quote in reader.article.quotes:
        cue = quote.cue_span
        if cue is not None and cue.start <= verb.idx < cue.end and quote.speaker_id:
            return [quote.speaker_id]
    if verb.i > 0:
        mention = reader.mention_at.get(verb.i - 1)
        if mention is not None and mention.actor_id is not None:
            return [mention.actor_id]
    return []


def _event_date(
    reader: _Reader, trigger: _Trigger, verb: Token, sentence: SpacySpan
) -> TimeExpr | None:
    """The time expression of the clause, else of the sentence, else (statements) publication."""
    token = trigger.token
    scopes: list[list[Token]] = []
    if trigger.is_noun:
        scopes.append(list(token.subtree))
    scopes.append(reader.clause_tokens(verb))
    current = verb
    while current.dep_ in ("conj", "xcomp") and current.head is not current:
        current = current.head
        scopes.append(reader.clause_tokens(current))
    scopes.append(list(sentence))
    # inside a quotation only the quotation's own dates count, and vice versa
    quoted = reader.in_direct_quote(token)
    scopes = [[t for t in scope if reader.in_direct_quote(t) == quoted] for scope in scopes]
    for scope in scopes:
        found = _closest_timex(reader, scope, token, allow_reference=False)
        if found is not None:
            return found
    for scope in scopes[:-1]:
        found = _closest_timex(reader, scope, token, allow_reference=True)
        if found is not None:
            return found
    # a statement is dated by the day it is reported, unless a speaker mentions it
    # inside a quotation ("as Putin has emphasised on numerous occasions")
    if (
        trigger.code.startswith("01")
        and reader.anchor is not None
        and not quoted
    ):
        return TimeExpr(
            text="",
            span=Span(sentence.start_char, sentence.start_char),
            value=reader.anchor.isoformat(),
            granularity="day",
            relation="present",
        )
    return None


def _closest_timex(
    reader: _Reader, scope: list[Token], token: Token, *, allow_reference: bool
) -> TimeExpr | None:
    candidates = []
    for item in scope:
        timex = reader.timex_at.get(item.i)
        if timex is None or timex.type != "DATE" or _names_a_thing(item, token):
            continue
        if (timex.value in REFERENCE_VALUES) != allow_reference:
            continue
        candidates.append((abs(item.i - token.i), timex))
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[0])[1]


def _names_a_thing(timex_token: Token, trigger: Token) -> bool:
    """A date that is part of a name ("the 1956 Declaration", "Declaration of 1956")
    says when that thing was made, not when this clause's event happened."""
    head = timex_token
    while head.dep_ in ("nummod", "compound", "amod") and head.head is not head:
        head = head.head
        if head.pos_ in ("NOUN", "PROPN") and head.i != trigger.i:
            return head.lemma_.lower() not in ("time", "day", "week", "month", "year")
    if timex_token.dep_ == "pobj" and timex_token.head.lower_ == "of":
        owner = timex_token.head.head
        return owner.pos_ in ("NOUN", "PROPN") and owner.i != trigger.i
    return False


def _modality(reader: _Reader, verb: Token, trigger: _Trigger, when: TimeExpr | None) -> Modality:
    """Occurred, planned, negated, hypothetical or demanded, from the clause's grammar."""
    chain = [verb]
    current = verb
    while current.dep_ in ("xcomp", "conj") and current.head is not current:
        current = current.head
        chain.append(current)
    aux = {c.lower_ for v in chain[:1] for c in v.children if c.dep_ in ("aux", "auxpass")}
    if any(c.dep_ == "neg" for c in verb.children) or any(
        c.dep_ == "neg" for c in trigger.token.children
    ):
        return "negated"
    if any(v.lemma_.lower() in NEGATING_VERBS for v in chain[1:]):
        return "negated"
    if aux & reader.book.demand_modals:
        return "demanded"
    aspectual = verb.head.lemma_.lower() in reader.book.aspectual_verbs
    if "to" in aux and verb.dep_ == "xcomp" and aspectual:
        # "he went on to say": the complement shares its head's tense
        return "planned" if verb_tense(verb.head) == "future" else "occurred"
    tense = verb_tense(verb)
    if tense == "future" or (when is not None and when.relation == "future"):
        return "planned"
    if "to" in aux and verb.dep_ in ("ROOT", "xcomp", "acl", "advcl"):
        return "planned"
    if aux & HYPOTHETICAL_AUX:
        reported = verb.dep_ == "ccomp" and verb.head.pos_ == "VERB"
        if (
            reported
            and "would" in aux
            and not any(c.dep_ == "mark" and c.lower_ == "if" for c in verb.children)
        ):
            return "planned"
        return "hypothetical"
    if any(c.dep_ == "mark" and c.lower_ == "if" for c in verb.children):
        return "hypothetical"
    return "occurred"


def _place(reader: _Reader, token: Token, verb: Token, participants: list[str]) -> str | None:
    """A place named in the clause: "in Moscow", "the Singapore meeting"."""
    scopes = [list(token.subtree), reader.clause_tokens(verb)]
    for scope in scopes:
        indices = {t.i for t in scope}
        for ent in reader.doc.ents:
            if ent.label_ not in PLACE_LABELS or ent.root.i not in indices:
                continue
            root = ent.root
            mention = reader.mention_at.get(root.i)
            if mention is not None and mention.actor_id in participants:
                continue
            located = (root.dep_ == "pobj" and root.head.lower_ in PLACE_PREPOSITIONS) or (
                root.dep_ in ("compound", "nmod") and root.head.i == token.i
            )
            if located:
                return ent.text
    return None


def _dateline_place(article: Article) -> str | None:
    city = article.dateline_city
    return city.title() if city else None


def _is_background(reader: _Reader, sentence: SpacySpan, when: TimeExpr | None) -> bool:
    for start, end in reader.background_ranges:
        if start <= sentence.start_char < end:
            return True
    if when is not None and reader.anchor is not None:
        interval = value_interval(when.value)
        if interval is not None and interval[1] < reader.anchor - timedelta(
            days=BACKGROUND_AGE_DAYS
        ):
            return True
    return False


def _demand_event(reader: _Reader, verb: Token, sentence: SpacySpan, number: int) -> Event | None:
    """A clause "X must/should do Y" with an actor subject: the speaker demands it of X."""
    modals = {c.lower_ for c in verb.children if c.dep_ == "aux"}
    if not modals & reader.book.demand_modals:
        return None
    targets, _ = reader.subject_of(verb)
    if not targets:
        return None
    sources: list[str] = []
    head = verb
    while head.dep_ in ("ccomp", "conj", "xcomp", "advcl") and head.head is not head:
        head = head.head
        if reader.match(head) is not None:
            sources, _ = reader.subject_of(head)
            break
    if not sources:
        for quote in reader.article.quotes:
            if quote.span.start <= verb.idx < quote.span.end and quote.speaker_id:
                sources = [quote.speaker_id]
                break
    code = reader.book.demand_code
    info = reader.book.code(code)
    when = _closest_timex(reader, reader.clause_tokens(verb), verb, allow_reference=False)
    if when is None and reader.anchor is not None:
        when = TimeExpr(
            text="",
            span=Span(sentence.start_char, sentence.start_char),
            value=reader.anchor.isoformat(),
            granularity="day",
            relation="present",
        )
    return _event(
        reader,
        sentence,
        number,
        code,
        verb,
        sources,
        [t for t in targets if t not in sources],
        when,
        None,
        "demanded",
        _is_background(reader, sentence, when),
        info.plover,
        info.quad_class,
        info.goldstein,
    )
