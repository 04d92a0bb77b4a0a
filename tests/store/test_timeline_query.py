"""Timeline filters and paging run in the database and mean what the Python filter means.

``Store.timeline_events(dyad=..., date_from=..., date_to=..., actor=..., limit=...,
offset=...)`` must select exactly what ``filter_timeline`` selects from the whole
timeline, in the same order, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import itertools
import json
import random

import pytest
from sqlalchemy import text

from parley.analysis.timeline import filter_timeline, timeline
from parley.model import to_dict
from parley.store import migrations, open_store
from parley.store.base import Store, TimelineEvent
from parley.store.migrations import MIGRATIONS

DATES = [None, "1956", "1956-10-19", "2018", "2018-11", "2018-11-14", "2019-05", "2019-05-10",
         "2019-12-31", "2020-01-01"]
COUNTRIES = [None, "RUS", "JPN", "USA"]
PEOPLE = [(None, None), ("lavrov", "Sergey Lavrov"), ("kono", "Taro Kono"),
          ("abe", "Shinzo Abe"), ("odd", "100% Sure_Name")]


def _events(count: int, seed: int = 7) -> list[TimelineEvent]:
    rng = random.Random(seed)
    events = []
    for n in range(count):
        (source_id, source_name), (target_id, target_name) = rng.choice(PEOPLE), rng.choice(PEOPLE)
        events.append(TimelineEvent(
            f"t{rng.randrange(10**6):06d}-{n}", rng.choice(DATES), "day", "040", "CONSULT", 1,
            1.0, source_id, target_id, None, "occurred",
            source_name=source_name, target_name=target_name,
            source_country=rng.choice(COUNTRIES), target_country=rng.choice(COUNTRIES)))
    return events


FILTERS: list[dict[str, str | None]] = [
    {"dyad": d, "date_from": f, "date_to": t, "actor": a}
    for d, f, t, a in itertools.product(
        [None, "RUS-JPN", "JPN-USA"],
        [None, "2018-11-14", "2019"],
        [None, "2018-11-30", "2019-05-10"],
        [None, "KONO", "lavrov", "Abe", "%", "_", "zzz"],
    )
]


def test_sql_filters_equal_the_python_filter(store: Store) -> None:
    events = _events(200)
    store.replace_timeline(events)
    assert store.timeline_events() == events  # no argument: all, in stored order
    nonempty = 0
    for chosen in FILTERS:
        expected = filter_timeline(events, **chosen)  # type: ignore[arg-type]
        got = timeline(store, **chosen)  # type: ignore[arg-type]
        assert [e.id for e in got] == [e.id for e in expected], chosen
        nonempty += bool(expected)
    assert nonempty > len(FILTERS) // 3  # the filters were not all trivially empty


def test_nothing_matches_what_is_not_there(store: Store) -> None:
    store.replace_timeline(_events(50))
    assert timeline(store, actor="nobody-at-all") == []
    assert timeline(store, dyad="RUS-CHN") == []
    assert timeline(store, date_from="2030-01-01") == []
    assert timeline(store, date_to="1900") == []
    assert store.timeline_events(dyad=("RUS", "RUS")) == []  # a dyad is two countries


def test_paging_is_a_slice_of_the_ordered_result(store: Store) -> None:
    events = _events(120, seed=3)
    store.replace_timeline(events)
    ordered = filter_timeline(events)
    assert [e.id for e in timeline(store, limit=10)] == [e.id for e in ordered[:10]]
    assert [e.id for e in timeline(store, limit=10, offset=25)] == [
        e.id for e in ordered[25:35]]
    assert [e.id for e in timeline(store, offset=110)] == [e.id for e in ordered[110:]]
    assert timeline(store, limit=0) == []
    japan = filter_timeline(events, dyad="RUS-JPN")
    assert [e.id for e in timeline(store, dyad="RUS-JPN", limit=3, offset=1)] == [
        e.id for e in japan[1:4]]


def test_migration_fills_the_filter_columns_of_an_older_timeline(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A timeline written before the filter columns existed is found by the filters."""
    number = next(m.number for m in MIGRATIONS if "timeline filter columns" in m.description)
    monkeypatch.setattr(migrations, "MIGRATIONS", [m for m in MIGRATIONS if m.number < number])
    event = _events(1)[0]
    event.source_country, event.target_country, event.date = "RUS", "JPN", "2019-05-10"
    event.source_id, event.source_name = "lavrov", "Sergey Lavrov"
    with open_store(store_url) as old, old._write() as conn:  # type: ignore[attr-defined]
        conn.execute(text("INSERT INTO timeline (id, event_date, seq_no, record) "
                          "VALUES (:id, '2019-05-10', 0, :record)"),
                     {"id": event.id, "record": json.dumps(to_dict(event))})
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    with open_store(store_url) as upgraded:
        assert [e.id for e in timeline(upgraded, dyad="JPN-RUS", actor="lavrov",
                                       date_from="2019-05")] == [event.id]
        assert timeline(upgraded, dyad="JPN-USA") == []
