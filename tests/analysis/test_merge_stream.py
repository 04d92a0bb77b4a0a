"""The store-backed merge (a year at a time) gives exactly the in-memory merge's timeline,
and merged actors do not depend on the order articles come in."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from analysis_helpers import ABE, JAPAN, KONO, LAVROV, PUTIN, RUSSIA, SOVIET, add_event, article
from hypothesis import example, given, settings
from hypothesis import strategies as st

import parley
from parley.analysis import merge
from parley.analysis.background import article_order_key, background_paragraphs
from parley.analysis.merge import (
    UNDATED,
    flagged_paragraphs,
    merge_actors,
    merge_events,
    merge_store,
    report_year,
)
from parley.api import demo_corpus_dir
from parley.engine import process_store
from parley.model import Actor, Article, Mention, Office, Span, to_dict
from parley.settings import Settings
from parley.store import sql
from parley.store.base import BackgroundLink, Store, TimelineEvent
from parley.store.sqlite import SQLiteStore
from paths import seed_paths


def _records(events: list[TimelineEvent]) -> list[dict]:
    return [to_dict(event) for event in events]


# ------------------------------------------------------------ demo corpus and the five seeds


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Iterator[Store]:
    """Demo corpus + seeds, processed with one worker; the corpus step (``update_corpus``,
    hence ``merge_store``) writes the timeline a few rows per statement."""
    db = str(tmp_path_factory.mktemp("merge-stream") / "parley.db")
    settings = Settings(db=db)
    with parley.open_store(db, settings) as store:
        parley.ingest([demo_corpus_dir(), *seed_paths()], store, settings)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sql, "TIMELINE_CHUNK", 7)
            report = process_store(store, settings, workers=1)
        assert report.corpus_updated
        yield store


def test_streamed_merge_equals_the_in_memory_merge(demo_store: Store) -> None:
    expected = merge_events(list(demo_store.iter_articles()), demo_store.background_links())
    years = Counter(report_year(event.date) for event in expected)
    assert len(years) >= 3 and years[UNDATED] and len(expected) > 50  # several partitions
    assert _records(list(merge_store(demo_store))) == _records(expected)
    assert _records(demo_store.timeline_events()) == _records(expected)  # what update_corpus wrote


def test_the_merge_reads_recycled_paragraphs_from_the_saved_flags(demo_store: Store) -> None:
    """``update_corpus`` lets the background index go before merging: the flags it
    saved must be what the links say, article by article."""
    flagged = 0
    for stored in demo_store.iter_articles():
        from_links = background_paragraphs(demo_store.background_links(stored.id))
        assert flagged_paragraphs(stored) == from_links.get(stored.id, set()), stored.id
        flagged += bool(flagged_paragraphs(stored))
    assert flagged >= 3


def _undated_reports(store: Store) -> list:
    articles = list(store.iter_articles())
    actors = merge_actors(articles)
    reports = [report for stored in articles
               for report in merge._article_reports(stored, flagged_paragraphs(stored), actors,
                                                    UNDATED)]
    return sorted(reports, key=lambda r: r.order), actors


def test_parked_reports_read_back_equal(demo_store: Store) -> None:
    """The undated merge parks reports on disk: they must come back the same, with the
    merged actors themselves (not copies)."""
    reports, actors = _undated_reports(demo_store)
    assert len(reports) > 20 and any(r.article.quotes for r in reports)
    with merge._Spill(actors) as spill:
        numbers = [spill.add(report) for report in reports]
        back = spill.read(reversed(numbers))[::-1]
    for report, copy in zip(reports, back, strict=True):
        assert copy.sentence_hashes.tolist() == report.sentence_hashes.tolist()
        for name in ("article", "event", "date", "background", "sentence"):
            assert getattr(copy, name) == getattr(report, name), name
        assert copy.source is report.source and copy.target is report.target
        speakers = [(q.speaker, c.speaker) for q, c in zip(report.article.quotes,
                                                           copy.article.quotes, strict=True)]
        assert all(a is b for a, b in speakers)


def test_the_in_order_merge_refuses_reports_out_of_order(demo_store: Store) -> None:
    reports, actors = _undated_reports(demo_store)
    assert _records(list(merge.merge_in_order(reports, actors))) == _records(
        merge._merge_reports(reports))
    shuffled = reports[1:] + reports[:1]
    with pytest.raises(ValueError, match="out of canonical order"):
        list(merge.merge_in_order(shuffled, actors))


def test_report_index_is_written_with_every_chunk(demo_store: Store) -> None:
    events = demo_store.timeline_events()
    for art in demo_store.iter_articles():
        reporting = [e.id for e in events if any(r["article_id"] == art.id for r in e.reports)]
        assert [e.id for e in demo_store.timeline_events_of([art.id])] == reporting


# ------------------------------------------------------------ replacing the timeline


def _event(number: int) -> TimelineEvent:
    return TimelineEvent(id=f"tl-{number:04d}", date=f"2019-05-{number % 28 + 1:02d}",
                         date_granularity="day", cameo="040", plover="CONSULT", quad_class=1,
                         goldstein=1.0, source_id="RUS", target_id="JPN", place=None,
                         modality="occurred",
                         reports=[{"article_id": f"a{number % 3}", "background": False}])


def test_a_merge_failing_midway_leaves_the_old_timeline(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "parley.db") as store:
        store.replace_timeline(_event(n) for n in range(20))
        old = _records(store.timeline_events())

        def failing() -> Iterator[TimelineEvent]:
            yield from (_event(n) for n in range(100, 150))
            raise RuntimeError("the merge failed")

        with pytest.raises(RuntimeError):
            store.replace_timeline(failing())
        assert _records(store.timeline_events()) == old
        # a generator may read the store: it sees the old timeline until the new one is in
        store.replace_timeline(_event(n + len(store.timeline_events())) for n in range(3))
        assert [e.id for e in store.timeline_events()] == ["tl-0020", "tl-0021", "tl-0022"]


# ------------------------------------------------------------ random articles


class _Articles:
    """Just what ``merge_store`` reads, over articles in memory."""

    def __init__(self, articles: list[Article], links: list[BackgroundLink]) -> None:
        self.articles = {a.id: a for a in articles}
        self.links = links

    def iter_articles(self) -> Iterator[Article]:
        return iter(list(self.articles.values()))

    def iter_articles_published(self) -> Iterator[Article]:
        return iter(sorted(self.articles.values(), key=article_order_key))

    def get_article(self, article_id: str) -> Article | None:
        return self.articles.get(article_id)

    def background_links(self, article_id: str | None = None) -> list[BackgroundLink]:
        return [lk for lk in self.links if article_id in (None, lk.article_id)]


_PEOPLE = [LAVROV, KONO, PUTIN, ABE, RUSSIA, JAPAN, SOVIET, None]
_DATES = ["1956", "1956-10-19", "2018-11-14", "2018-11", "2018", "2019-05-10", "2019-05",
          "2019-02-16", "2020-01-04", None]
_PUBLISHED = ["2018-11-20", "2019-05-10", "2019-05-10", "2020-01-04"]
_report = st.tuples(
    st.integers(0, 3),  # article
    st.sampled_from(["040", "043", "057", "010"]),
    st.sampled_from(_PEOPLE), st.sampled_from(_PEOPLE),
    st.sampled_from(_DATES),
    st.booleans(),  # the sentence recycles an earlier article's
)


@settings(max_examples=150, deadline=None)
@given(reports=st.lists(_report, min_size=1, max_size=14), seed=st.integers(0, 1000))
def test_streamed_merge_equals_in_memory_merge_on_random_articles(reports: list[tuple],
                                                                  seed: int) -> None:
    sentences = [f"Talks number {n} were held again." for n in range(len(reports))]
    articles = [article(f"art{n}", published, sentences)
                for n, published in enumerate(_PUBLISHED)]
    links = []
    for number, (which, cameo, source, target, date, recycled) in enumerate(reports):
        plover = "STATEMENT" if cameo == "010" else "CONSULT"
        add_event(articles[which], number, cameo, source, target, date, plover=plover)
        if recycled:
            links.append(BackgroundLink(f"art{which}", number, f"art{(which + 1) % 4}", number,
                                        1.0))
    random.Random(seed).shuffle(articles)
    expected = merge_events(articles, links)
    assert _records(list(merge_store(_Articles(articles, links)))) == _records(expected)


# ------------------------------------------------------------ merged actors


def _name_key(name: str) -> str:
    return " ".join(re.findall(r"\w+", name.lower()))


def _fold_in_publication_order(articles: list[Article]) -> dict[str, dict]:
    """The actor table as one pass over the articles in publication order builds it."""
    actors: dict[str, Actor] = {}
    spellings: dict[str, Counter[str]] = {}
    for art in sorted(articles, key=article_order_key):
        canonicals = {}
        for actor in art.actors:
            canonical = actor.id if actor.in_kb else f"{actor.kind}:{_name_key(actor.name)}"
            canonicals[actor.id] = canonical
            seen = spellings.setdefault(canonical, Counter())
            seen[actor.name] += 1
            for alias in actor.aliases:
                seen[alias] += 0
            merged = actors.get(canonical)
            if merged is None:
                actors[canonical] = Actor(canonical, actor.name, actor.kind, actor.country,
                                          actor.code, offices=list(actor.offices),
                                          in_kb=actor.in_kb)
                continue
            merged.country = merged.country or actor.country
            merged.code = merged.code or actor.code
            for office in actor.offices:
                if office not in merged.offices:
                    merged.offices.append(office)
        for mention in art.mentions:
            if mention.actor_id is not None and mention.kind in ("name", "alias"):
                canonical = canonicals.get(mention.actor_id, mention.actor_id)
                spellings.setdefault(canonical, Counter())[mention.text] += 1
    for canonical, merged in actors.items():
        seen = spellings[canonical]
        if not merged.in_kb:
            merged.name = min(seen, key=lambda name: (-seen[name], name))
        merged.aliases = sorted(name for name in seen if name != merged.name)
    return {canonical: to_dict(actor) for canonical, actor in actors.items()}


_OFFICES = [Office("Foreign Minister", "RUSGOV", "2004-03-09"), Office("Ambassador", "RUSGOV"),
            Office("Deputy Minister", "RUSGOV", organisation="MID")]
_actor = st.builds(
    Actor,
    id=st.sampled_from(["sergey-lavrov", "p1", "p2", "person:igor morgulov"]),
    name=st.sampled_from(["Sergey Lavrov", "Sergei Lavrov", "Igor Morgulov", "igor  MORGULOV"]),
    kind=st.sampled_from(["person", "government"]),
    country=st.sampled_from([None, "", "RUS", "SUN"]),
    code=st.sampled_from([None, "RUSGOV", "SUN"]),
    aliases=st.lists(st.sampled_from(["Lavrov", "Morgulov"]), max_size=2),
    offices=st.lists(st.sampled_from(_OFFICES), max_size=3),
    in_kb=st.booleans(),
)
_mention = st.tuples(st.sampled_from(["sergey-lavrov", "p1", "p9", "person:igor morgulov"]),
                     st.sampled_from(["Lavrov", "Morgulov", "Mr Lavrov"]),
                     st.sampled_from(["name", "alias", "pronoun"]))


@settings(max_examples=200, deadline=None)
@given(actors=st.lists(st.lists(_actor, max_size=4), min_size=1, max_size=5),
       mentions=st.lists(st.lists(_mention, max_size=4), min_size=5, max_size=5),
       seed=st.integers(0, 1000))
def test_merged_actors_do_not_depend_on_article_order(actors: list[list[Actor]],
                                                      mentions: list[list[tuple]],
                                                      seed: int) -> None:
    articles = []
    for number, found in enumerate(actors):
        art = article(f"a{number}", f"2019-0{number % 3 + 1}-01", ["x."], actors=tuple(found))
        art.mentions = [Mention(Span(0, 1), text, actor_id, kind)
                        for actor_id, text, kind in mentions[number]]
        articles.append(art)
    shuffled = list(articles)
    random.Random(seed).shuffle(shuffled)
    table = merge_actors(shuffled)
    assert [(k, to_dict(v)) for k, v in table.actors.items()] == list(
        _fold_in_publication_order(articles).items())
    for art in articles:
        for actor in art.actors:
            assert table.resolve(art.id, actor.id) is not None


def _try_every_cluster(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Make ``cluster_reports`` try every cluster made so far (what its index avoids,
    in quadratic time); counts the dated and undated reports that went through it."""
    from parley.analysis import merge

    tried = {"dated": 0, "undated": 0}
    made: dict[int, int] = {}
    add = merge._ClusterIndex.add

    def counting_add(self: merge._ClusterIndex, number: int, first: object) -> None:
        made[id(self)] = number + 1
        add(self, number, first)  # type: ignore[arg-type]

    def everything(self: merge._ClusterIndex, report: merge._Report) -> set[int]:
        tried["undated" if report.date is None else "dated"] += 1
        return set(range(made.get(id(self), 0)))

    monkeypatch.setattr(merge._ClusterIndex, "add", counting_add)
    monkeypatch.setattr(merge._ClusterIndex, "candidates", everything)
    return tried


@pytest.fixture
def every_cluster(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    return _try_every_cluster(monkeypatch)


def test_cluster_index_skips_only_clusters_that_cannot_fit(
    demo_store: Store, every_cluster: dict[str, int]
) -> None:
    """The candidate index changes no result on the demo corpus and the seeds."""
    articles = list(demo_store.iter_articles())
    links = demo_store.background_links()
    tried = dict(every_cluster)
    expected = _records(merge_events(articles, links))  # brute force
    assert every_cluster["dated"] > tried["dated"] and every_cluster["undated"] > tried["undated"]
    assert _records(demo_store.timeline_events()) == expected  # written through the index


_DATES = ["2018", "2018-11", "2018-11-14", "2018-11-15", "2018-12", "2018-12-01", "2019",
          "2019-11-14", None]
_CAMEOS = [("040", "CONSULT"), ("043", "CONSULT"), ("036", "CONSULT"), ("057", "AGREE"),
           ("061", "COOPERATE"), ("010", "")]
_SENTENCES = ["Lavrov met Kono in Moscow on Friday to talk about the treaty.",
              "Putin and Abe agreed to speed up the peace treaty talks.",
              "Kono met Lavrov in Moscow on Friday to talk about the peace treaty.",
              "Russia and Japan signed an economic agreement."]
_PARTIES = [None, LAVROV, KONO, PUTIN, ABE, RUSSIA, JAPAN]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(_SENTENCES),
                          st.sampled_from(_DATES), st.sampled_from(_CAMEOS),
                          st.sampled_from(_PARTIES), st.sampled_from(_PARTIES),
                          st.sampled_from([None, "Moscow", "Tokyo"])),
                min_size=1, max_size=40))
def test_cluster_index_matches_trying_every_cluster(events: list[tuple]) -> None:
    """Random reports (coarse and precise dates, types that match by CAMEO root or only
    by PLOVER category, partial participants, copied sentences): the same clusters
    with the index as when every earlier cluster is tried."""
    articles = [article(f"a{n}", f"2019-0{n + 1}-01", [s for _, s, *_ in events],
                        actors=(LAVROV, KONO, PUTIN, ABE, RUSSIA, JAPAN)) for n in range(4)]
    for paragraph, (owner, _, date, (cameo, plover), source, target, place) in enumerate(events):
        add_event(articles[owner], paragraph, cameo, source, target, date, plover=plover,
                  place=place)
    indexed = _records(merge_events(articles))
    with pytest.MonkeyPatch.context() as patch:
        tried = _try_every_cluster(patch)
        assert _records(merge_events(articles)) == indexed
        assert sum(tried.values()) == len(events)


# ------------------------------------------------------------ cluster summaries


def _fits_every_member(report: merge._Report, cluster: list[merge._Report]) -> bool:
    """The complete-link test as first written: the report against each member."""
    complete = [member for member in cluster if merge._complete(member)] or cluster
    return all(merge.reports_compatible(report, m, participants=False) for m in cluster) and all(
        merge.participants_compatible(report, m) or report is m for m in complete)


def _cluster_by_trying_every_member(reports: list[merge._Report]) -> list[list[merge._Report]]:
    """``cluster_reports`` without index or summaries: every cluster, every member.

    It keeps ``cluster_reports``'s sides filter, which is not a pure shortcut:
    copies ``(None, Lavrov)`` and ``(None, Kono)`` are compatible (an unknown
    participant matches anyone) but their sides exclude each other."""
    clusters: list[list[merge._Report]] = []
    for report in reports:
        sides = merge._sides(report)
        fitting = [n for n, cluster in enumerate(clusters)
                   if (sides <= merge._sides(cluster[0]) or merge._sides(cluster[0]) <= sides)
                   and _fits_every_member(report, cluster)]
        if fitting:
            clusters[min(fitting, key=lambda n: (-len(clusters[n]), n))].append(report)
        else:
            clusters.append([report])
    return clusters


#: a recycled sentence, a rewording of it (a copy) and of that (a copy of the rewording
#: only), two sentences sharing exactly ``SAME_SENTENCE`` of their trigrams (3 of 5),
#: another sentence, and one too short to have a word trigram
_COPIED = ["Lavrov and Kono met in Moscow to discuss the peace treaty and the four islands.",
           "Lavrov and Kono met in Moscow to discuss the peace treaty and the disputed islands.",
           "Lavrov and Kono met at Sochi to discuss the peace treaty and the disputed islands.",
           "Putin and Abe will meet in Vladivostok.",
           "Putin and Abe will meet at the summit.",
           "Russia and Japan signed an economic agreement on fishing rights.",
           "Talks resumed."]
_MANY_PARTIES = [None, LAVROV, KONO, PUTIN, RUSSIA, JAPAN, SOVIET]


@st.composite
def _copied_reports(draw: st.DrawFn) -> list[tuple]:
    """Up to 60 reports in six articles, drawn from a few values of each field so
    that large clusters hold members that differ in one field only."""
    def few(values: list) -> list:
        return draw(st.lists(st.sampled_from(values), min_size=1, max_size=4, unique_by=repr))

    report = st.tuples(
        st.integers(0, 5),  # article
        st.sampled_from(few(_COPIED)),
        st.sampled_from(few([None, "2019", "2019-05", "2019-05-10", "2019-05-11"])),
        st.sampled_from(few([("040", "CONSULT"), ("043", "CONSULT"), ("036", "CONSULT"),
                             ("057", "AGREE"), ("010", "STATEMENT"), ("010", "")])),
        *[st.sampled_from(few(_MANY_PARTIES))] * 2,
        st.sampled_from(few([None, "", "Moscow", "moscow", "Moscow, Russia", "Tokyo"])),
    )
    return draw(st.lists(report, min_size=1, max_size=60))


_TALKS = ("040", "CONSULT")


@settings(max_examples=300, deadline=None)
@given(_copied_reports(), st.sampled_from([1, 2, 50]))
# a month fits two days: it joins the larger cluster, though the other was made first
@example([(n, _COPIED[5], date, _TALKS, LAVROV, KONO, None)
          for n, date in enumerate(["2019-05-10", "2019-05-11", "2019-05-11", "2019-05"])], 50)
# types match by CAMEO root or by PLOVER category (found in the merged postings)
@example([(n, _COPIED[0], None, (cameo, "CONSULT"), LAVROV, KONO, None)
          for n, cameo in enumerate(["036", "040"])], 1)
# sentences sharing exactly SAME_SENTENCE of their trigrams are copies
@example([(n, _COPIED[3 + n], None, _TALKS, LAVROV, KONO, None) for n in range(2)], 50)
# the place is part of a shape: Moscow and Tokyo do not fit, though both fit no place
@example([(n, _COPIED[0], None, _TALKS, LAVROV, KONO, place)
          for n, place in enumerate([None, "Moscow", "Tokyo"])], 50)
# the target is part of a shape: Russia fits Putin and Lavrov, who do not fit each other
@example([(n, _COPIED[0], None, _TALKS, KONO, target, None)
          for n, target in enumerate([RUSSIA, PUTIN, LAVROV])], 50)
# the sentence is part of a shape: the first and third sentences are not copies, but
# both are copies of the second, and need not be copies within one article
@example([(n, _COPIED[sentence], None, _TALKS, LAVROV, KONO, None)
          for n, sentence in [(0, 1), (1, 0), (1, 2), (2, 0)]], 50)
# participants are checked against the complete members only: two partial reports of
# different wording do not fit, but both fit a complete one
@example([(0, _COPIED[0], "2019-05-10", _TALKS, LAVROV, KONO, None),
          (1, _COPIED[3], "2019-05-10", _TALKS, LAVROV, None, None),
          (2, _COPIED[5], "2019-05-10", _TALKS, None, KONO, None)], 50)
# a shape's member from the report's own article cannot stand for its copy in another
# (within an article the sentences need not be copies, across articles they must)
@example([(0, _COPIED[0], "2019-05-10", _TALKS, KONO, None, None),
          (1, _COPIED[0], "2019-05-10", _TALKS, KONO, None, None),
          (0, _COPIED[-2], "2019-05", _TALKS, KONO, None, None)], 50)
def test_cluster_summaries_match_checking_every_member(events: list[tuple],
                                                       recent_min: int) -> None:
    """Many copies of a few sentences from several articles, with varied participants
    (complete and partial), places, types and dates: checking one member of each shape
    (``_ClusterSummary``), and the indexes' shortcuts, give the clusters that checking
    every member of every cluster gives.  ``recent_min`` makes the undated index merge
    its recent postings into its arrays early and often."""
    articles = [article(f"a{n}", f"2019-06-0{n + 1}", [sentence for _, sentence, *_ in events],
                        actors=(LAVROV, KONO, PUTIN, RUSSIA, JAPAN, SOVIET)) for n in range(6)]
    for paragraph, (owner, _, date, (cameo, plover), source, target, place) in enumerate(events):
        add_event(articles[owner], paragraph, cameo, source, target, date, plover=plover,
                  place=place)
    reports = merge.collect_reports(articles, [], merge.merge_actors(articles))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(merge, "_RECENT_MIN", recent_min)
        clusters = merge.cluster_reports(reports)

    def ids(found: list[list[merge._Report]]) -> list[list[tuple[str, str]]]:
        return [[(r.article.id, r.event.id) for r in cluster] for cluster in found]

    assert ids(clusters) == ids(_cluster_by_trying_every_member(reports))
