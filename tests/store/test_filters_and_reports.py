"""Saved feed filters and the article → timeline-event index, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from parley.model import to_dict
from parley.store import migrations, open_store
from parley.store.base import Store, TimelineEvent
from parley.store.migrations import MIGRATIONS


def test_saved_filters_round_trip(store: Store) -> None:
    assert store.filters() == {}
    store.save_filter("Kurils", {"topic": "Kuril", "from": "2019"})
    store.save_filter("Old news", {"to": "2015-12-31"})
    assert store.filters() == {"Kurils": {"from": "2019", "topic": "Kuril"},
                               "Old news": {"to": "2015-12-31"}}
    store.save_filter("Kurils", {"dyad": "RUS-JPN"})  # same name: replaced, not doubled
    assert store.filters()["Kurils"] == {"dyad": "RUS-JPN"}
    assert store.delete_filter("Kurils") is True
    assert store.delete_filter("Kurils") is False
    assert list(store.filters()) == ["Old news"]


def test_saved_filter_values_are_data_not_sql(store: Store) -> None:
    hostile = "'; DROP TABLE saved_filters; --"
    store.save_filter(hostile, {"topic": hostile, "actor": '<script>"x"</script>'})
    assert store.filters() == {hostile: {"topic": hostile, "actor": '<script>"x"</script>'}}
    assert store.delete_filter("nope") is False
    assert store.delete_filter(hostile) is True


def test_saved_filters_survive_reopening(store: Store, store_url: str) -> None:
    store.save_filter("Mine", {"outlet": "TASS"})
    store.close()
    with open_store(store_url) as again:
        assert again.filters() == {"Mine": {"outlet": "TASS"}}


def _event(event_id: str, *reports: tuple[str, bool]) -> TimelineEvent:
    return TimelineEvent(
        event_id, "2019-05-10", "day", "040", "CONSULT", 1, 1.0, "lavrov", "kono", None,
        "occurred",
        reports=[{"article_id": a, "event_id": f"{event_id}-{a}", "background": bg}
                 for a, bg in reports])


def test_timeline_events_of_some_articles(store: Store) -> None:
    events = [_event("t1", ("a", False), ("b", False)), _event("t2", ("b", True)),
              _event("t3", ("c", False)), _event("t4")]
    store.replace_timeline(events)
    assert [e.id for e in store.timeline_events_of(["a"])] == ["t1"]
    assert [e.id for e in store.timeline_events_of(["b", "a"])] == ["t1", "t2"]
    assert store.timeline_events_of(["zzz"]) == []
    assert store.timeline_events_of([]) == []
    assert store.timeline_events_of(["c"]) == [events[2]]  # whole records, not ids
    store.replace_timeline(events[2:])  # replacing the timeline replaces the index
    assert store.timeline_events_of(["a", "b"]) == []


def test_index_is_built_for_a_timeline_stored_before_it_existed(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 4 fills the index from a timeline written under schema 3."""
    number = next(m.number for m in MIGRATIONS if "timeline_reports" in m.description)
    older = [m for m in MIGRATIONS if m.number < number]
    monkeypatch.setattr(migrations, "MIGRATIONS", older)
    with open_store(store_url) as old, old._write() as conn:  # type: ignore[attr-defined]
        conn.execute(text("DELETE FROM timeline"))
        conn.execute(text("INSERT INTO timeline (id, event_date, seq_no, record) "
                          "VALUES ('t9', '2019-05-10', 0, :record)"),
                     {"record": json.dumps(to_dict(_event("t9", ("x", False))))})
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    with open_store(store_url) as upgraded:
        assert [e.id for e in upgraded.timeline_events_of(["x"])] == ["t9"]
        assert upgraded.timeline_events_of(["y"]) == []
