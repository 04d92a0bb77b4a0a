"""Quotes stage: who said what, with the cue, when and where.

Three kinds, found around a *cue*: a speech verb from ``knowledge/data/cues.yaml``
(said, added, noted, "went on to say", "pointed out", ...) or "according to X".

* **direct** — a passage in quotation marks right next to its cue: before it
  (``"A," Lavrov said``), after it (``Lavrov said: "A"``, ``adding that "B"``), and
  split around it (both, giving two quotes with one speaker).  A quoted passage with
  no cue of its own that follows a direct quote in the same or the next paragraph
  continues it (same speaker and cue).  Editorial brackets stay in the content.
* **partial** — reported speech whose clause contains a few quoted words
  (``differences were "still big"``): the content is the whole reported clause.
* **indirect** — reported speech without quotation marks: the clause a speech verb
  governs (``X told reporters that ...``, ``..., X announced``), or the main clause
  after ``According to X,``; also views a subject can hold (``cues.yaml`` stance
  lists): the clause of a verb of belief or evidence (``X believes that ...``, ``a
  poll shows ...``), the infinitive of a verb of intention (``X wants to ...``), the
  object of a verb of stance with its complements (``criticized the plan``, ``called
  the charges false``, ``called for talks``), and transcript or headline turns
  (``NAME: words``).  As in PARC and PolNeAR, the complementizer ("that") belongs to
  the reported clause.

The speaker is the cue's grammatical subject (for "adding ..." or "went on to say"
the subject of the verb it hangs on), resolved through the actors stage's mention
there ("he", "the Russian diplomat", "the ministry").  A document as subject ("the
declaration said") is not a speaker.  Quotation marks with no cue next to them
(titles, scare quotes) yield nothing.

When: a day-level time expression in the cue's clause (from the timex stage, when it
ran), else the article's publication day.  Where: a place attached to the cue ("at a
press conference in Tokyo"), else the dateline city.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from parley.model import Article, Mention, Quote, QuoteKind, Span
from parley.nlp import in_overlong_sentence
from parley.pipeline import Context, register
from parley.stages.actors import quoted_regions

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from parley.knowledge.kb import CueWords, Knowledge

#: what may stand between a quotation and its cue: punctuation, "that", a speaker
_BEFORE_CUE_GAP = 80  # characters between the closing mark and the cue verb
_AFTER_CUE_GAP = re.compile(r"^[\s,:;—–-]*(that\s*)?$", re.IGNORECASE)
_DATELINE = re.compile(r"^([A-Z][A-Z .'-]{2,40}), [A-Z][a-z]+\.? \d{1,2}\b", re.MULTILINE)
_CLAUSE_DEPS = ("ccomp", "parataxis")
_TURN = re.compile(r"^[ \t]*[\"“]?([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}):[ \t]+(\S[^\n]*)$",
                   re.MULTILINE)
_DASH_SIGNATURE = re.compile(r"[ \t]*([―—–]|--)([ \t]*)([A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3})")


_COMPLEMENTIZERS = ("that", "if", "whether")
#: "Tokyo must acknowledge ...": what someone is required to do is no view of theirs
_OBLIGATION = ("must", "should", "ought")
_VIEW_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "you", "who"})
_AGENT_ENTITIES = frozenset({"PERSON", "ORG", "NORP", "GPE"})
#: what may follow the object of a stance verb and still belong to what is attributed
#: ("called the charges unsubstantiated", "cited X as an example", "blamed X for Y")
_OBJECT_COMPLEMENTS = ("oprd", "xcomp", "ccomp", "acomp")
_OBJECT_PREPOSITIONS = ("as", "for", "of", "over")


@dataclass
class Cue:
    token: Token
    span: tuple[int, int]  # characters
    speaker: Token | None  # head of the speaker phrase
    #: "speech" (said, told ...) or "stance" (believes, wants, criticized, called for ...)
    mode: str = "speech"


@dataclass(frozen=True)
class StanceWords:
    """The cue lists beyond speech verbs in ``cues.yaml`` (belief, evidence,
    intention, stance objects and prepositional cues)."""

    belief: frozenset[str] = frozenset()
    evidence: frozenset[str] = frozenset()
    evidence_sources: frozenset[str] = frozenset()
    intent: frozenset[str] = frozenset()
    objects: frozenset[str] = frozenset()
    prepositional: tuple[tuple[str, frozenset[str]], ...] = ()
    #: nouns naming people or bodies that can hold a view (from titles.yaml)
    view_holders: frozenset[str] = frozenset()
    #: "Correction:", "The Latest:" — line labels that are no speakers
    not_turn_labels: frozenset[str] = frozenset()

    def all_verbs(self) -> frozenset[str]:
        return (self.belief | self.evidence | self.intent | self.objects
                | {verb for verb, _ in self.prepositional})

    def prepositions(self, lemma: str) -> frozenset[str]:
        return next((preps for verb, preps in self.prepositional if verb == lemma), frozenset())


def stance_words(knowledge: Knowledge) -> StanceWords:
    """The stance lists of the knowledge base's ``cues.yaml`` (re-read when it changes)."""
    path = Path(knowledge.directory) / "cues.yaml"
    mtime = path.stat().st_mtime if path.is_file() else 0.0
    vocabulary = knowledge.vocabulary
    holders = frozenset(
        word for phrase in [*vocabulary.person_nouns, *vocabulary.organisation_nouns]
        for word in phrase.split()[-1:]
    )
    return _read_stance_words(path, mtime, holders)


@lru_cache(maxsize=8)
def _read_stance_words(path: Path, mtime: float, holders: frozenset[str]) -> StanceWords:
    data: dict[str, Any] = {}
    if path.is_file():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in data.get(key) or [])

    return StanceWords(
        belief=words("belief_verbs"),
        evidence=words("evidence_verbs"),
        evidence_sources=words("evidence_sources"),
        intent=words("intent_verbs"),
        objects=words("object_verbs"),
        prepositional=tuple(sorted(
            (str(verb).lower(), frozenset(str(p).lower() for p in preps or []))
            for verb, preps in (data.get("prepositional") or {}).items()
        )),
        view_holders=holders | words("view_holders"),
        not_turn_labels=words("not_turn_labels"),
    )


def _char_inside(regions: list[tuple[int, int]], char: int) -> tuple[int, int] | None:
    for region in regions:
        if region[0] <= char < region[1]:
            return region
    return None


def _cue_span(token: Token, cues: CueWords) -> tuple[int, int]:
    """Characters of the cue: the verb, with its particle or the verb it follows
    ("pointed out", "went on to say")."""
    start, end = token.idx, token.idx + len(token)
    particle = cues.phrasal.get(token.lemma_)
    for child in token.children:
        if child.dep_ == "prt" and child.lower_ == particle:
            end = max(end, child.idx + len(child))
    head = token.head
    if token.dep_ == "xcomp" and head.lemma_ in cues.chain_heads and head.i < token.i:
        start = head.idx
    return start, end


def _speaker_of(token: Token, cues: CueWords) -> Token | None:
    """The cue's subject; climbs from "adding"/"to say"/a conjoined verb to the verb
    it depends on, as English lets those share the subject."""
    current = token
    for _ in range(4):
        subjects = [c for c in current.children
                    if c.dep_ in ("nsubj", "nsubjpass") and c.lower_ not in ("it", "there")
                    and "\n" not in token.doc[min(c.i, token.i) : max(c.i, token.i)].text]
        if subjects:
            return min(subjects, key=lambda c: abs(c.i - token.i))
        if current.dep_ == "relcl":
            return current.head
        if current.dep_ in ("advcl", "xcomp", "conj", "pcomp") and current.head is not current:
            current = current.head
            continue
        break
    # inverted order: "..., said Lavrov"
    for child in token.children:
        if child.dep_ in ("dobj", "attr") and child.ent_type_ == "PERSON":
            return child
    return None


def find_cues(doc: Doc, cues: CueWords, regions: list[tuple[int, int]],
              stance: StanceWords | None = None) -> list[Cue]:
    """Speech verbs outside quotation marks, each with its subject when it has one;
    with ``stance``, also verbs of belief, intention and stance whose subject can
    hold a view."""
    found = []
    stance_verbs = stance.all_verbs() if stance is not None else frozenset()
    overlong = in_overlong_sentence(doc)  # not prose (see nlp.LONGEST_SENTENCE)
    for token in doc:
        if overlong[token.i] or _char_inside(regions, token.idx):
            continue
        lemma = token.lemma_.lower()
        particle = cues.phrasal.get(lemma)
        # "pointed" without its "out" is no speech verb
        particle_missing = particle is not None and not any(
            c.dep_ == "prt" and c.lower_ == particle for c in token.children)
        speech = lemma in cues.verbs and token.pos_ in ("VERB", "AUX") and not particle_missing
        if speech:
            speaker = _speaker_of(token, cues)
            if speaker is not None and speaker.lemma_.lower() in cues.not_speakers:
                continue
            found.append(Cue(token, _cue_span(token, cues), speaker))
        elif lemma in stance_verbs and token.pos_ == "VERB":
            assert stance is not None
            speaker = _speaker_of(token, cues)
            if speaker is not None and speaker.lemma_.lower() in cues.not_speakers:
                continue
            obliged = any(c.dep_ == "aux" and c.lower_ in _OBLIGATION for c in token.children)
            if _holds_view(speaker, lemma, stance) and not obliged:
                found.append(Cue(token, _cue_span(token, cues), speaker, "stance"))
        elif token.lower_ in cues.according_to and token.i + 2 < len(doc):
            nxt = token.nbor(1)
            objects = [c for c in nxt.children if c.dep_ == "pobj"]
            if nxt.lower_ == "to" and objects:
                found.append(Cue(token, (token.idx, nxt.idx + len(nxt)), objects[0]))
    return found


def _holds_view(speaker: Token | None, lemma: str, stance: StanceWords | None) -> bool:
    """A subject that can believe, want or criticise: a name, an agent pronoun, a
    person or body noun; a poll or study only for verbs of evidence."""
    if speaker is None or stance is None:
        return False
    if speaker.lower_ in _VIEW_PRONOUNS or speaker.ent_type_ in _AGENT_ENTITIES:
        return True
    if speaker.pos_ == "PROPN":
        return True
    noun = speaker.lemma_.lower()
    if noun in stance.view_holders:
        return True
    return lemma in stance.evidence and noun in stance.evidence_sources


class _Extractor:
    """Quote extraction over one article (all state lives for one article only)."""

    def __init__(self, article: Article, doc: Doc, cues: CueWords,
                 stance: StanceWords | None = None) -> None:
        self.article = article
        self.stance = stance
        self.doc = doc
        self.text = article.text
        self.cues = cues
        self.regions = quoted_regions(self.text)
        self.quotes: list[Quote] = []
        self.used_regions: set[tuple[int, int]] = set()
        self.place = _dateline_city(article)
        self.day = article.published.day if article.published else None

    # ---------------------------------------------------------------- speaker

    def speaker(self, cue: Cue) -> tuple[str | None, str | None, Span | None]:
        if cue.speaker is None:
            return None, None, None
        head = cue.speaker
        phrase = [t for t in head.subtree if not t.is_punct]
        start, end = phrase[0].idx, phrase[-1].idx + len(phrase[-1])
        inside = [m for m in self.article.mentions
                  if start <= m.span.start and m.span.end <= end and m.actor_id]
        best = next((m for m in inside if m.span.start <= head.idx < m.span.end), None)
        if best is None:
            people = [m for m in inside if self._is_person(m)]
            best = people[-1] if people else (inside[-1] if inside else None)
        if best is not None:
            return best.actor_id, best.text, Span(best.span.start, best.span.end)
        return None, self.text[start:end], Span(start, end)

    def _is_person(self, mention: Mention) -> bool:
        actor = self.article.actor(mention.actor_id)
        return actor is not None and actor.kind == "person"

    def adjacent_speaker(self, cue: Cue) -> Token | None:
        """No parsed subject (headlines parse badly): a mention right before the cue."""
        for mention in self.article.mentions:
            before = self.text[mention.span.end : cue.span[0]]
            after = self.text[cue.span[1] : mention.span.start]
            if (mention.span.end <= cue.span[0] and len(before) <= 2 and not before.strip()) or (
                cue.span[1] <= mention.span.start and len(after) <= 2 and not after.strip()
            ):
                span = self.doc.char_span(mention.span.start, mention.span.end,
                                          alignment_mode="expand")
                return span.root if span is not None else None
        return None

    def line(self, char: int) -> tuple[int, int]:
        """The line (paragraph) holding ``char``: no quote content crosses one."""
        start = self.text.rfind("\n", 0, char) + 1
        end = self.text.find("\n", char)
        return start, len(self.text) if end < 0 else end

    # ---------------------------------------------------------------- when, where

    def when(self, sentence: Span, content: Span) -> str | None:
        for timex in self.article.timexes:
            outside = timex.span.end <= content.start or timex.span.start >= content.end
            inside_sentence = sentence.start <= timex.span.start < sentence.end
            if outside and inside_sentence and timex.granularity == "day":
                return timex.value
        return self.day

    def where(self, cue: Cue, content: Span) -> str | None:
        line_start, line_end = self.line(cue.span[0])
        for ent in self.doc.ents:
            if ent.label_ != "GPE" or content.start <= ent.start_char < content.end:
                continue
            if not line_start <= ent.start_char < line_end:
                continue
            if _char_inside(self.regions, ent.start_char):
                continue
            prep = ent.root.head
            if prep.lower_ in ("in", "at") and cue.token in prep.ancestors:
                return ent.text
        return self.place

    # ---------------------------------------------------------------- records

    def add(self, kind: QuoteKind, content: Span, cue: Cue | None, inherited: Quote | None = None,
            sentence: Span | None = None) -> None:
        start, end = content.start, content.end
        while end > start and self.text[end - 1] in " ,;:\n":
            end -= 1
        content = Span(start, end)
        if inherited is not None:
            speaker_id, speaker_text = inherited.speaker_id, inherited.speaker_text
            speaker_span, cue_text, cue_span = (
                inherited.speaker_span, inherited.cue, inherited.cue_span
            )
        else:
            assert cue is not None
            speaker_id, speaker_text, speaker_span = self.speaker(cue)
            cue_span = Span(*cue.span)
            cue_text = cue_span.slice(self.text)
        if sentence is None:
            sentence = self.sentence_span(content, cue_span)
        self.quotes.append(Quote(
            id=f"{self.article.id}-q{len(self.quotes) + 1}",
            kind=kind,
            text=content.slice(self.text),
            span=content,
            speaker_id=speaker_id,
            speaker_text=speaker_text,
            speaker_span=speaker_span,
            cue=cue_text,
            cue_span=cue_span,
            date=self.when(sentence, content),
            place=(self.where(cue, content) if cue is not None
                   else inherited.place if inherited else self.place),
            sentence_span=sentence,
        ))

    def sentence_span(self, content: Span, cue_span: Span | None) -> Span:
        chars = [content.start, max(content.start, content.end - 1)]
        if cue_span is not None:
            chars.append(cue_span.start)
        sents = [self.doc.char_span(c, c + 1, alignment_mode="expand") for c in chars]
        starts = [s.sent.start_char for s in sents if s is not None]
        ends = [s.sent.end_char for s in sents if s is not None]
        if not starts:
            return content
        first_line = self.line(min(chars))[0]
        last_line = self.line(max(chars))[1]
        return Span(max(min([*starts, content.start]), first_line),
                    min(max([*ends, content.end]), last_line))

    # ---------------------------------------------------------------- direct

    def attach_direct(self, cue: Cue) -> bool:
        """Quoted passages right before and/or right after the cue."""
        attached = False
        cue_start, cue_end = cue.span
        for region in self.regions:
            if region in self.used_regions:
                continue
            if region[1] <= cue_start:
                gap = self.text[region[1] : cue_start]
                if (len(gap) <= _BEFORE_CUE_GAP and "\n" not in gap and '"' not in gap
                        and not _ends_sentence(gap) and self._closes_clause(region)):
                    self.used_regions.add(region)
                    self.add("direct", _inner(self.text, region), cue)
                    attached = True
            elif region[0] >= cue_end:
                gap = self.text[cue_end : region[0]]
                gap = self._strip_addressee(cue, gap)
                if _AFTER_CUE_GAP.match(gap):
                    self.used_regions.add(region)
                    self.add("direct", _inner(self.text, region), cue)
                    attached = True
        return attached

    def attach_dash(self) -> None:
        """``"..." ― Name``: a quotation signed with a dash and a name (vox pops,
        epigraphs); the dash is the cue."""
        for region in self.regions:
            if region in self.used_regions:
                continue
            match = _DASH_SIGNATURE.match(self.text, region[1])
            if match is None:
                continue
            dash = match.start(1)
            name = next((m for m in self.article.mentions if m.span.start == match.end(1)
                         + len(match.group(2))), None)
            doc_span = self.doc.char_span(match.start(3), match.end(3), alignment_mode="expand")
            if doc_span is None or not (name or doc_span.root.ent_type_ in ("PERSON", "ORG")):
                continue
            self.used_regions.add(region)
            cue = Cue(doc_span.root, (dash, dash + 1), doc_span.root)
            self.add("direct", _inner(self.text, region), cue)

    def attach_turns(self) -> None:
        """``NAME: words`` at the start of a line: a turn in a transcript (capitals
        used by at least two lines) or a headline quoting a named person or body.
        Kept as indirect speech: the kinds follow quotation marks, and a headline
        paraphrases."""
        excluded = self.stance.not_turn_labels if self.stance is not None else frozenset()
        turns = [m for m in _TURN.finditer(self.text) if m.group(1).lower() not in excluded]
        labels = [m.group(1) for m in turns if m.group(1).isupper()]
        transcript = len(labels) >= 2 and len(set(labels)) < len(labels)
        for match in turns:
            name_start, name_end = match.span(1)
            content = Span(*match.span(2))
            if any(q.span.start < content.end and content.start < q.span.end
                   for q in self.quotes):
                continue
            name = self.doc.char_span(name_start, name_end, alignment_mode="expand")
            if name is None:
                continue
            mention = next((m for m in self.article.mentions if m.actor_id
                            and name_start <= m.span.start and m.span.end <= name_end), None)
            if not ((transcript and match.group(1).isupper())
                    or mention is not None or name.root.ent_type_ in ("PERSON", "ORG")):
                continue
            self.used_regions.update(r for r in self.regions
                                     if r[0] < content.end and content.start <= r[1])
            cue = Cue(name.root, (name_end, name_end + 1), name.root)
            end = content.end
            if self.text[end - 1] in "\"”" and self.text[match.start():name_start].strip():
                end -= 1  # the quotation mark that opened the line closes it
            # "direct" means quotation marks (as in PolNeAR); a turn has none of its own
            self.add("indirect", Span(content.start, end), cue)

    def _closes_clause(self, region: tuple[int, int]) -> bool:
        """``"...," he said`` — the quotation ends with a comma, ? or ! inside or
        right after its closing mark; a quoted title ("Sputnik") does not."""
        inner = self.text[region[0] : region[1]].rstrip("\"”")
        after = self.text[region[1] : region[1] + 1]
        return inner.endswith((",", "?", "!", "—")) or after == ","

    def _strip_addressee(self, cue: Cue, gap: str) -> str:
        """Drop the speaker and addressee between cue and quote ("told reporters:")."""
        skip = [t for t in cue.token.children
                if t.i > cue.token.i and t.dep_ in ("dobj", "dative", "nsubj", "prep", "advmod",
                                                     "npadvmod")
                and not _char_inside(self.regions, t.idx)]
        for token in skip:
            words = list(token.subtree)
            text = self.text[words[0].idx : words[-1].idx + len(words[-1])]
            if any(_char_inside(self.regions, w.idx) for w in words):
                continue
            gap = gap.replace(text, "", 1)
        return gap

    # ---------------------------------------------------------------- reported speech

    def attach_reported(self, cue: Cue) -> None:
        """The clause the cue governs, or the main clause after "according to X"."""
        token = cue.token
        if token.lower_ in self.cues.according_to:
            clause_head = token.head
            if clause_head is token or clause_head.pos_ not in ("VERB", "AUX"):
                return
            words = [t for t in clause_head.subtree if t.i < token.i or t.i > cue.speaker.i]  # type: ignore[union-attr]
            words = [t for t in words if not (token.i <= t.i <= token.i + 1)]
        else:
            if cue.mode == "speech":
                clauses = [c for c in token.children if c.dep_ in _CLAUSE_DEPS]
            else:  # a view is the clause after its verb ("believes that ...")
                clauses = [c for c in token.children if c.dep_ == "ccomp" and c.i > token.i]
            if clauses:
                words = [t for c in clauses for t in c.subtree]
            elif cue.mode == "speech" and self._parenthetical(token):
                # "..., Graham said, since ...": the cue hangs on the clause it reports
                own = set(token.subtree)
                words = [t for t in token.head.subtree if t not in own]
            elif self.stance is not None and _holds_view(cue.speaker, token.lemma_.lower(),
                                                         self.stance):
                words = self._stance_content(cue, self.stance)
            else:
                return
        line_start, line_end = self.line(token.idx)
        words = [t for t in words if line_start <= t.idx < line_end]
        # the content lies on one side of the cue and never includes the speaker
        speaker_words = set(cue.speaker.subtree) if cue.speaker is not None else set()
        if words and words[0].i > token.i:
            words = [t for t in words if t.i > token.i and t not in speaker_words]
        elif words:
            stop = min([token.i] + [t.i for t in speaker_words if t.i > words[0].i])
            words = [t for t in words if t.i < stop]
        if not words:
            return
        # the complementizer belongs to the reported clause ("said that ..."), as in
        # PARC and PolNeAR; other subordinators ("because") do not
        words = [t for t in words if t.dep_ != "mark" or t.i != words[0].i
                 or t.lower_ in _COMPLEMENTIZERS]
        words = [t for t in words if not t.is_punct or _char_inside(self.regions, t.idx)]
        if len(words) < 3:
            return
        start, end = words[0].idx, words[-1].idx + len(words[-1])
        inner = [r for r in self.regions if start <= r[1] and r[0] < end + 1]
        if inner:
            start = min([start] + [r[0] for r in inner])
            end = max([end] + [r[1] for r in inner])
            if any(r in self.used_regions for r in inner):
                return
            kind: QuoteKind = "partial"
            self.used_regions.update(inner)
        else:
            kind = "indirect"
        self.add(kind, Span(start, end), cue)

    def _stance_content(self, cue: Cue, stance: StanceWords) -> list[Token]:
        """What a verb of intention or stance attributes: the infinitive ("wants to
        ..."), the object with its complements ("called the charges false"), or the
        object of its preposition ("called for talks", which joins the cue)."""
        token = cue.token
        lemma = token.lemma_.lower()
        later = [c for c in token.children if c.i > token.i]
        if lemma in stance.intent:
            infinitives = [c for c in later if c.dep_ == "xcomp"
                           and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)]
            if infinitives:
                return list(infinitives[0].subtree)
        if lemma in stance.objects:
            objects = [c for c in later if c.dep_ == "dobj"]
            if objects:
                parts = [c for c in later if c.i > objects[0].i and (
                    c.dep_ in _OBJECT_COMPLEMENTS
                    or (c.dep_ == "prep" and c.lower_ in _OBJECT_PREPOSITIONS))]
                if lemma == "call" and not parts:
                    return []  # "called Putin", "called a meeting": no view attributed
                return [t for c in (objects[0], *parts) for t in c.subtree]
        prepositions = stance.prepositions(lemma)
        for child in later:
            if child.dep_ == "prep" and child.lower_ in prepositions:
                objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
                if objects and child.i == token.i + 1:
                    cue.span = (cue.span[0], child.idx + len(child))
                if objects:
                    tail = [c for c in later if c.i > child.i and c.dep_ in ("xcomp", "ccomp")]
                    return [t for c in (objects[0], *tail) for t in c.subtree]
        return []

    def _parenthetical(self, token: Token) -> bool:
        """A cue inserted in the clause it reports: no subordinator ("as X said"),
        attached to a verb before it, set off by commas."""
        head = token.head
        if token.dep_ not in ("parataxis", "ccomp", "advcl") or head.i > token.i:
            return False
        if head.pos_ not in ("VERB", "AUX") or any(c.dep_ == "mark" for c in token.children):
            return False
        first = min(t.i for t in token.subtree)
        return self.doc[first].text == "," or (first > 0 and self.doc[first - 1].text == ",")

    # ---------------------------------------------------------------- continuations

    def continuations(self) -> None:
        """Quoted passages without a cue that follow a direct quote, or run on into
        one in the next paragraph: same speaker and cue."""
        for region in self.regions:
            if region in self.used_regions:
                continue
            before = [q for q in self.quotes if q.kind == "direct" and q.span.end <= region[0]]
            if not before:
                continue
            last = max(before, key=lambda q: q.span.end)
            between = self.text[last.span.end : region[0]]
            if between.count("\n\n") > 1 or not self._starts_sentence(region[0]):
                continue
            if any(q.span.start > last.span.end and q.span.end <= region[0] for q in self.quotes):
                continue
            self.used_regions.add(region)
            self.add("direct", _inner(self.text, region), None, inherited=last)
        # a paragraph left open ("...) runs on into the next one, which may carry the cue
        for region in reversed(self.regions):
            if region in self.used_regions or self.text[region[1] - 1] in "\"”":
                continue
            after = [q for q in self.quotes if q.kind == "direct" and q.span.start > region[1]]
            if not after:
                continue
            following = min(after, key=lambda q: q.span.start)
            if self.text[region[1] : following.span.start].count("\n\n") > 1:
                continue
            self.used_regions.add(region)
            self.add("direct", _inner(self.text, region), None, inherited=following)

    def _starts_sentence(self, char: int) -> bool:
        line_start = self.text.rfind("\n", 0, char) + 1
        preceding = self.text[line_start:char].rstrip()
        return preceding == "" or preceding.endswith((".", "!", "?", "\"", "”"))

    def run(self) -> list[Quote]:
        cues = find_cues(self.doc, self.cues, self.regions, self.stance)
        for cue in cues:
            if cue.speaker is None:
                cue.speaker = self.adjacent_speaker(cue)
        reported = [cue for cue in cues if not self.attach_direct(cue)]
        for cue in reported:
            self.attach_reported(cue)
        self.attach_dash()
        self.attach_turns()
        self.continuations()
        self.quotes.sort(key=lambda q: q.span.start)
        for n, quote in enumerate(self.quotes, start=1):
            quote.id = f"{self.article.id}-q{n}"
        return self.quotes


def _ends_sentence(gap: str) -> bool:
    """A full stop in ``gap`` that ends a sentence, not an abbreviation ("Mr. Obama")."""
    for match in re.finditer(r"(\S*)[.!?]\s", gap):
        word = match.group(1)
        if not (word[:1].isupper() and len(word) <= 4):
            return True
    return False


def _inner(text: str, region: tuple[int, int]) -> Span:
    """The quoted words without the quotation marks (a passage running on to the
    next paragraph has no closing mark)."""
    closed = region[1] - region[0] > 1 and text[region[1] - 1] in "\"”"
    return Span(region[0] + 1, region[1] - 1 if closed else region[1])


def _dateline_city(article: Article) -> str | None:
    if article.dateline_city:
        city = article.dateline_city
        return city.title() if city.isupper() else city
    match = _DATELINE.search(article.text)
    return match.group(1).strip().title() if match else None


@register("quotes", requires=("actors", "mentions"), provides=("quotes",), needs_doc=True)
def find_quotes(article: Article, context: Context) -> Article:
    """Fill ``article.quotes`` with direct, partial and indirect speech."""
    doc = context.doc if context.doc is not None else context.nlp(article.text)
    knowledge = context.knowledge
    article.quotes = _Extractor(article, doc, knowledge.cues, stance_words(knowledge)).run()
    return article
