"""The store contract, run the same on SQLite and PostgreSQL (see conftest.py)."""

from __future__ import annotations

import contextlib
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from parley.errors import ParleyError, StoreError
from parley.model import (
    Actor,
    Article,
    DateCandidate,
    Event,
    Mention,
    Office,
    Paragraph,
    PublicationDate,
    Quote,
    RemovedLine,
    Span,
    StageError,
    TimeExpr,
    to_dict,
)
from parley.store import open_store
from parley.store.base import (
    ArticleFilter,
    BackgroundLink,
    Rejection,
    Store,
    TimelineEvent,
)
from parley.store.migrations import MIGRATIONS


def make_article(
    article_id: str,
    paragraphs: list[str],
    *,
    title: str = "Ministers meet",
    url: str | None = None,
    published: str | None = "2019-05-10",
    outlet: str | None = "Wire",
    headings: tuple[int, ...] = (),
) -> Article:
    text = "\n\n".join(paragraphs)
    spans, offset = [], 0
    for index, body in enumerate(paragraphs):
        kind = "heading" if index in headings else "body"
        spans.append(Paragraph(index, offset, offset + len(body), kind))  # type: ignore[arg-type]
        offset += len(body) + 2
    return Article(
        id=article_id,
        text=text,
        title=title,
        url=url,
        outlet=outlet,
        source_path=f"/in/{article_id}.txt",
        published=PublicationDate(published, "day", "inferred", "+03:00",
                                  evidence=["weekday matches"],
                                  rejected=[DateCandidate("2018-05-10", "too early")])
        if published else None,
        paragraphs=spans,
        removed=[RemovedLine(1, "Partner Links", "trailer")],
        raw="Partner Links\n\n" + text,
    )


def annotate(article: Article, speaker: str = "lavrov") -> Article:
    """Add one of each annotation, spans pointing into the first paragraph."""
    names = {"lavrov": ("Sergey Lavrov", ["Sergei Lavrov"], "RUS"),
             "kono": ("Taro Kono", [], "JPN")}
    name, aliases, country = names[speaker]
    article.actors = [
        Actor(speaker, name, "person", country, f"{country}GOV", aliases,
              [Office("foreign minister", f"{country}GOV", "2004-03-09")]),
        Actor("jpn", "Japan", "country", "JPN", "JPN"),
    ]
    surname = name.split()[-1]
    article.mentions = [Mention(Span(0, len(surname)), surname, speaker, "name"),
                        Mention(Span(7, 12), article.text[7:12], "jpn", "name")]
    article.quotes = [Quote(f"{article.id}-q1", "direct", article.text[0:12], Span(0, 12),
                            speaker, name, Span(0, 6), "said", Span(7, 11), "2019-05-10",
                            "Moscow", Span(0, 20))]
    article.timexes = [TimeExpr("Friday", Span(13, 19), "2019-05-10", "DATE", "day", "past")]
    article.events = [Event(f"{article.id}-e1", "040", "CONSULT", 1, 1.0, speaker, "jpn",
                            Span(0, 20), "met", Span(7, 10), "2019-05-10", "day", "Moscow",
                            "occurred", [f"{article.id}-q1"])]
    article.errors = [StageError("events", "ValueError: example")]
    article.stages_done = ["actors", "timex", "quotes", "events"]
    article.stage_signature = "sig-1"
    return article


BODY = ["Lavrov and Japanese officials met on Friday in the capital.",
        "Background heading",
        "The ministers discussed a fisheries accord and a visit schedule."]


# --------------------------------------------------------------------------- schema


def test_schema_is_migrated_once(store: Store, store_url: str) -> None:
    assert store.schema_version == len(MIGRATIONS) >= 1  # type: ignore[attr-defined]
    store.add_article(make_article("aaaa000000000001", BODY))
    store.close()
    with open_store(store_url) as again:  # reopening re-runs nothing and keeps the data
        assert again.schema_version == len(MIGRATIONS)  # type: ignore[attr-defined]
        assert again.count_articles() == 1


def test_sqlite_file_is_wal_with_foreign_keys(tmp_path) -> None:
    from parley.store.sqlite import SQLiteStore, iter_pragma

    with SQLiteStore(tmp_path / "x.db") as db:
        assert [tuple(r) for r in iter_pragma(db, "journal_mode")] == [("wal",)]
        assert [tuple(r) for r in iter_pragma(db, "foreign_keys")] == [(1,)]
        assert db.integrity_check() == "ok"
        with pytest.raises(StoreError):
            list(iter_pragma(db, "writable_schema"))


@pytest.mark.parametrize("bad", ["mysql://host/db", "ftp://x"])
def test_unknown_store_url_is_a_clear_error(bad: str) -> None:
    with pytest.raises(StoreError, match="unknown store URL"):
        open_store(bad)


def test_sqlite_path_problems_are_store_errors(tmp_path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        open_store(str(tmp_path / "missing" / "x.db"))
    garbage = tmp_path / "not-a-db.db"
    garbage.write_bytes(b"this is plainly not an SQLite database file" * 100)
    with pytest.raises(StoreError, match=str(garbage)):
        open_store(str(garbage))


def test_sqlite_url_form(tmp_path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'u.db'}") as db:
        assert db.count_articles() == 0
    assert (tmp_path / "u.db").is_file()


def test_postgres_without_psycopg_names_the_install_line(monkeypatch) -> None:
    import sys

    from parley.errors import MissingExtra

    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingExtra, match=r"pip install 'parley\[postgres\]'"):
        open_store("postgresql://nobody@127.0.0.1:1/none")


# --------------------------------------------------------------------------- articles


def test_round_trip_is_exact(store: Store) -> None:
    article = annotate(make_article("abcd000000000001", BODY, headings=(1,)))
    assert store.add_article(article) == "ingested"
    loaded = store.get_article("abcd000000000001")
    assert loaded is not None
    assert to_dict(loaded) == to_dict(article)
    assert loaded.quotes[0].span == Span(0, 12)


def test_reingest_is_unchanged(store: Store) -> None:
    article = make_article("abcd000000000001", BODY)
    assert store.add_article(article) == "ingested"
    assert store.add_article(make_article("abcd000000000001", BODY)) == "unchanged"
    assert store.count_articles() == 1


def test_changed_content_at_same_url_is_a_linked_revision(store: Store) -> None:
    first = make_article("1111000000000001", BODY, url="https://wire.example/a")
    second = make_article("2222000000000002", [*BODY[:2], "The accord was signed."],
                          url="https://wire.example/a")
    other = make_article("3333000000000003", BODY[:1], url="https://wire.example/b")
    assert store.add_article(first) == "ingested"
    assert store.add_article(second) == "revision"
    assert store.add_article(other) == "ingested"
    old, new = store.get_article(first.id), store.get_article(second.id)
    assert old is not None and new is not None
    assert (old.revision, old.previous_revision) == (1, None)
    assert (new.revision, new.previous_revision) == (2, first.id)
    assert store.count_articles() == 3


def test_id_prefix_lookup(store: Store) -> None:
    store.add_article(make_article("abc1000000000001", BODY))
    store.add_article(make_article("abc2000000000002", BODY[:1]))
    found = store.get_article("abc1")
    assert found is not None and found.id == "abc1000000000001"
    assert store.get_article("zzz") is None
    assert store.get_article("") is None
    assert store.get_article("%") is None  # LIKE wildcards are literal
    with pytest.raises(StoreError, match="ambiguous"):
        store.get_article("abc")


def test_list_articles_order_and_filters(store: Store) -> None:
    store.add_article(make_article("a000000000000001", BODY[:1], published="2018-12-07",
                                   outlet="Wire"))
    store.add_article(make_article("a000000000000002", [*BODY[:1], "Tokyo replied."],
                                   published=None, outlet="Other"))
    store.add_article(annotate(make_article("a000000000000003", BODY[2:],
                                            published="2019-05-10", title="Fisheries")))
    assert [a.id[-1] for a in store.list_articles()] == ["3", "1", "2"]
    assert [a.id[-1] for a in store.list_articles(ArticleFilter(outlet="wire"))] == ["3", "1"]
    assert [a.id[-1] for a in store.list_articles(ArticleFilter(date_from="2019-01-01"))] == ["3"]
    assert [a.id[-1] for a in store.list_articles(ArticleFilter(date_to="2018-12"))] == ["1"]
    assert [a.id[-1] for a in store.list_articles(ArticleFilter(actor="lavrov"))] == ["3"]
    assert [a.id[-1] for a in store.list_articles(ArticleFilter(actor="Sergei"))] == ["3"]
    assert [a.id[-1] for a in store.list_articles(ArticleFilter(dyad=("rus", "JPN")))] == ["3"]
    assert store.list_articles(ArticleFilter(dyad=("RUS", "USA"))) == []
    assert [a.id[-1] for a in store.list_articles(ArticleFilter(topic="tokyo"))] == ["2"]
    assert [a.id[-1] for a in store.list_articles(ArticleFilter(topic="fisheries"))] == ["3"]
    assert store.list_articles(ArticleFilter(topic="100%")) == []
    assert [a.id[-1] for a in store.list_articles(ArticleFilter(limit=1, offset=1))] == ["1"]


def test_iter_articles_streams_in_ingest_order(store: Store) -> None:
    ids = [f"b00000000000000{n}" for n in range(5)]
    for n, article_id in enumerate(ids):
        store.add_article(make_article(article_id, [f"Paragraph number {n}."]))
    assert [a.id for a in store.iter_articles(batch_size=2)] == ids
    assert store.count_articles() == 5


def test_iter_articles_published_streams_in_publication_order(store: Store) -> None:
    # ids and dates where byte order differs from a natural-language collation
    # (upper case before lower case, a shorter date before its extension)
    dated = [("a-late", "2019-06-01"), ("B-same-day", "2019-05-10"), ("a-same-day", "2019-05-10"),
             ("c-with-time", "2019-05-10T08:00"), ("d-undated", None), ("Z-early", "2018-12"),
             ("e-undated", None)]
    for n, (article_id, published) in enumerate(dated):
        store.add_article(make_article(article_id, [f"Paragraph number {n}."],
                                       published=published))
    expected = [article_id for _, article_id in sorted(
        (published or "~", article_id) for article_id, published in dated)]
    assert expected[0] == "Z-early" and expected[-2:] == ["d-undated", "e-undated"]
    assert [a.id for a in store.iter_articles_published(batch_size=3)] == expected
    # the fallback every store inherits gives the same order
    assert [a.id for a in Store.iter_articles_published(store, batch_size=3)] == expected


def test_failed_write_leaves_no_half_article(store: Store) -> None:
    broken = make_article("c000000000000001", BODY)
    broken.paragraphs[1].index = 0  # duplicate paragraph index: the insert fails midway
    with pytest.raises(StoreError):
        store.add_article(broken)
    assert store.count_articles() == 0
    assert store.get_article(broken.id) is None
    assert store.search("Lavrov") == []


# --------------------------------------------------------------------------- search


def test_search_body_with_highlights(store: Store) -> None:
    store.add_article(make_article("d000000000000001", BODY, headings=(1,)))
    hits = store.search("fisheries accord")
    assert [(h.article_id, h.paragraph_index) for h in hits] == [("d000000000000001", 2)]
    assert "[[fisheries]]" in hits[0].snippet and "[[accord]]" in hits[0].snippet
    assert hits[0].title == "Ministers meet" and hits[0].published == "2019-05-10"
    assert store.search('"visit schedule"')[0].paragraph_index == 2
    assert store.search('"schedule visit"') == []  # a phrase keeps its order
    assert store.search("fisher*")[0].paragraph_index == 2
    assert store.search("submarine") == []


def test_chrome_and_headings_are_not_searchable(store: Store) -> None:
    store.add_article(make_article("d000000000000002", BODY, headings=(1,)))
    assert store.search("Partner Links") == []  # removed chrome (kept in the record)
    assert store.search("Background heading") == []  # a heading is not body text
    assert len(store.search("ministers")) == 1


HOSTILE = ['"', '""', "'", "treaty\"", "NEAR(a b)", "a OR b", "(", ")", "*", "-- drop",
           "x; DROP TABLE articles; --", "a AND", "NOT", "^start", "col:value", "{a b}",
           "a + b", "'; SELECT 1; --", "%_%", "\\", "\x00", "Lavrov*", "ministers NEAR/2 met"]


@pytest.mark.parametrize("query", HOSTILE)
def test_any_query_is_safe(store: Store, query: str) -> None:
    store.add_article(make_article("e000000000000001", BODY))
    try:
        hits = store.search(query)
    except ParleyError as exc:
        assert "no words" in str(exc)
    else:
        assert isinstance(hits, list)
    assert store.count_articles() == 1


def test_operators_are_plain_words(store: Store) -> None:
    store.add_article(make_article("e000000000000002", BODY))
    # every word must match: "NEAR" is searched as a word, not an operator
    # (PostgreSQL ignores English stop words such as "not" and "or"; SQLite does not)
    assert store.search("ministers NEAR") == []
    assert len(store.search('ministers "accord"')) == 1
    assert len(store.search("(ministers) -- ;")) == 1


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=40))
def test_random_queries_never_crash(store: Store, query: str) -> None:
    with contextlib.suppress(ParleyError):
        assert isinstance(store.search(query, limit=3), list)


# --------------------------------------------------------------------------- annotations


def test_save_annotations_replaces_and_tracks_signature(store: Store) -> None:
    article = make_article("f000000000000001", BODY)
    other = make_article("f000000000000002", BODY[:1])
    store.add_article(article)
    store.add_article(other)
    assert store.articles_needing("sig-1") == [article.id, other.id]
    annotate(article)
    article.paragraphs[2].background = True
    store.save_annotations(article)
    assert store.articles_needing("sig-1") == [other.id]
    assert store.articles_needing("sig-2") == [article.id, other.id]
    assert len(store.quotes()) == 1 and len(store.events()) == 1
    loaded = store.get_article(article.id)
    assert loaded is not None and loaded.paragraphs[2].background
    assert to_dict(loaded) == to_dict(article)

    annotate(article, speaker="kono")  # a second run replaces, never adds
    store.save_annotations(article)
    assert [q.speaker_id for _, q in store.quotes()] == ["kono"]
    assert [e.source_id for _, e in store.events()] == ["kono"]


def test_save_background_flags_changes_only_the_flags(store: Store) -> None:
    article = annotate(make_article("f000000000000003", BODY))
    store.add_article(article)
    store.save_annotations(article)
    store.replace_timeline([])
    assert not store.corpus_stale()
    article.paragraphs[1].background = True
    store.save_background_flags(article)
    loaded = store.get_article(article.id)
    assert loaded is not None
    assert [p.background for p in loaded.paragraphs] == [p.index == 1 for p in article.paragraphs]
    assert to_dict(loaded) == to_dict(article)
    assert len(store.quotes()) == 1 and len(store.events()) == 1  # left in place
    assert store.corpus_stale()  # the timeline was merged with the old flags
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        column = conn.execute(text("SELECT idx FROM paragraphs WHERE article_id = :id "
                                   "AND background = 1"), {"id": article.id}).scalars().all()
    assert column == [1]
    with pytest.raises(StoreError, match="not in the store"):
        store.save_background_flags(make_article("f00000000000000e", BODY))


def test_save_annotations_of_unknown_article(store: Store) -> None:
    with pytest.raises(StoreError, match="not in the store"):
        store.save_annotations(annotate(make_article("f00000000000000f", BODY)))


def test_quotes_events_and_actors_by_name(store: Store) -> None:
    store.add_article(annotate(make_article("g000000000000001", BODY), "lavrov"))
    store.add_article(annotate(make_article("g000000000000002", BODY[:1]), "kono"))
    assert [aid for aid, _ in store.quotes(speaker="lavrov")] == ["g000000000000001"]
    assert [aid for aid, _ in store.quotes(speaker="Sergei")] == ["g000000000000001"]
    assert [q.speaker_id for _, q in store.quotes(speaker="kono")] == ["kono"]
    assert store.quotes(speaker="Nobody Known") == []
    assert len(store.quotes(limit=1)) == 1
    assert [e.source_id for _, e in store.events(actor="Taro")] == ["kono"]
    assert len(store.events(actor="jpn")) == 2  # Japan is the target of both
    assert store.events(actor="100%") == []
    actors = {a.id: a for a in store.actors()}
    assert set(actors) == {"lavrov", "kono", "jpn"}
    assert "Sergei Lavrov" in actors["lavrov"].aliases
    assert actors["lavrov"].offices[0].code == "RUSGOV"


# --------------------------------------------------------------------------- other records


def test_rejections(store: Store) -> None:
    assert store.rejections() == []
    store.add_rejection(Rejection("/in/bad.bin", "read", "binary file, not text"))
    store.add_rejection(Rejection("/in/x.jsonl:3", "read", "not JSON"))
    found = store.rejections()
    assert [(r.source, r.stage) for r in found] == [("/in/bad.bin", "read"),
                                                     ("/in/x.jsonl:3", "read")]
    assert all(r.created for r in found)


def test_background_links(store: Store) -> None:
    for n in (1, 2, 3):
        store.add_article(make_article(f"h00000000000000{n}", BODY))
    links = [BackgroundLink("h000000000000003", 2, "h000000000000001", 2, 0.97),
             BackgroundLink("h000000000000003", 0, "h000000000000002", 0, 0.9)]
    store.replace_background_links("h000000000000003", links)
    assert store.background_links("h000000000000003") == sorted(
        links, key=lambda link: link.paragraph_index)
    store.replace_background_links("h000000000000003", links[:1])
    assert store.background_links() == links[:1]
    assert store.background_links("h000000000000001") == []


def test_timeline_replaced_whole(store: Store) -> None:
    events = [
        TimelineEvent("t1", "2019-05-10", "day", "040", "CONSULT", 1, 1.0, "lavrov", "kono",
                      "Moscow", "occurred",
                      reports=[{"article_id": "a", "event_id": "e1", "background": False}],
                      source_name="Sergey Lavrov"),
        TimelineEvent("t0", None, "unknown", "036", "CONSULT", 1, 4.0, None, None, None,
                      "planned"),
    ]
    store.replace_timeline(events)
    assert store.timeline_events() == events
    store.replace_timeline(events[1:])
    assert store.timeline_events() == events[1:]


# --------------------------------------------------------------------------- concurrency


def test_readers_never_see_half_written_articles(store: Store, store_url: str) -> None:
    """While a writer adds articles (3 body paragraphs each), every article a reader
    finds is complete: its record and all three paragraphs are searchable."""
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with open_store(store_url) as writer:
                for n in range(25):
                    token = f"tok{n:03d}"
                    writer.add_article(make_article(
                        f"w{n:015d}", [f"{token} alpha.", f"{token} beta.", f"{token} gamma."]))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    checks = 0
    while thread.is_alive() or checks == 0:
        for article in store.list_articles(ArticleFilter(limit=100)):
            n = int(article.id[1:])
            assert len(article.paragraphs) == 3
            assert len(store.search(f"tok{n:03d}")) == 3
            checks += 1
    thread.join()
    assert not errors, errors
    assert store.count_articles() == 25
    assert checks > 0


def test_a_new_migration_runs_once_on_open(store: Store, store_url: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import text

    from parley.store import migrations

    calls = []

    def add_note_table(conn, dialect) -> None:  # type: ignore[no-untyped-def]
        calls.append(dialect.name)
        conn.execute(text("CREATE TABLE notes (body TEXT NOT NULL)"))

    store.close()
    extra = migrations.Migration(len(MIGRATIONS) + 1, "notes", add_note_table)
    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, extra])
    with open_store(store_url) as upgraded:
        assert upgraded.schema_version == extra.number  # type: ignore[attr-defined]
    with open_store(store_url) as again:
        assert again.schema_version == extra.number  # type: ignore[attr-defined]
    assert len(calls) == 1
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    with pytest.raises(StoreError, match="upgrade parley"):
        open_store(store_url)
