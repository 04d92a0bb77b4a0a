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
  after ``According to X,``.

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
from typing import TYPE_CHECKING

from parley.model import Article, Mention, Quote, QuoteKind, Span
from parley.pipeline import Context, register
from parley.stages.actors import quoted_regions

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from parley.knowledge.kb import CueWords

#: what may stand between a quotation and its cue: punctuation, "that", a speaker
_BEFORE_CUE_GAP = 80  # characters between the closing mark and the cue verb
_AFTER_CUE_GAP = re.compile(r"^[\s,:;—–-]*(that\s*)?$", re.IGNORECASE)
_DATELINE = re.compile(r"^([A-Z][A-Z .'-]{2,40}), [A-Z][a-z]+\.? \d{1,2}\b", re.MULTILINE)
_CLAUSE_DEPS = ("ccomp", "parataxis")
_DASH_SIGNATURE = re.compile(r"[ \t]*([―—–]|--)([ \t]*)([A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3})")


@dataclass
class Cue:
    token: Token
    span: tuple[int, int]  # characters
    speaker: Token | None  # head of the speaker phrase


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


def find_cues(doc: Doc, cues: CueWords, regions: list[tuple[int, int]]) -> list[Cue]:
    """Speech verbs outside quotation marks, each with its subject when it has one."""
    found = []
    for token in doc:
        if _char_inside(regions, token.idx):
            continue
        if token.lemma_.lower() in cues.verbs and token.pos_ in ("VERB", "AUX"):
            if token.lemma_ == "point" and not any(c.dep_ == "prt" for c in token.children):
                continue
            speaker = _speaker_of(token, cues)
            if speaker is not None and speaker.lemma_.lower() in cues.not_speakers:
                continue
            found.append(Cue(token, _cue_span(token, cues), speaker))
        elif token.lower_ in cues.according_to and token.i + 2 < len(doc):
            nxt = token.nbor(1)
            objects = [c for c in nxt.children if c.dep_ == "pobj"]
            if nxt.lower_ == "to" and objects:
                found.append(Cue(token, (token.idx, nxt.idx + len(nxt)), objects[0]))
    return found


class _Extractor:
    """Quote extraction over one article (all state lives for one article only)."""

    def __init__(self, article: Article, doc: Doc, cues: CueWords) -> None:
        self.article = article
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
            clauses = [c for c in token.children if c.dep_ in _CLAUSE_DEPS]
            if clauses:
                words = [t for c in clauses for t in c.subtree]
            elif self._parenthetical(token):
                # "..., Graham said, since ...": the cue hangs on the clause it reports
                own = set(token.subtree)
                words = [t for t in token.head.subtree if t not in own]
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
        words = [t for t in words if t.dep_ != "mark" or t.i != words[0].i]
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
        cues = find_cues(self.doc, self.cues, self.regions)
        for cue in cues:
            if cue.speaker is None:
                cue.speaker = self.adjacent_speaker(cue)
        reported = [cue for cue in cues if not self.attach_direct(cue)]
        for cue in reported:
            self.attach_reported(cue)
        self.attach_dash()
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
    article.quotes = _Extractor(article, doc, context.knowledge.cues).run()
    return article
