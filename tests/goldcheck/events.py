"""Golden check for the ``events:`` section: each expected event must be found.

An expected event lists only what it asserts: ``cameo`` (exact code) or ``cameo_root``
(first two digits); ``date``; ``granularity``; ``participants`` (each a name or alias
fragment that must match the source or the target actor); ``countries`` (each a list of
acceptable ISO-3 codes, matched against the source's or target's country); ``place``
(fragment); ``modality``; ``background``.  Any one event satisfying all keys passes.
"""

from __future__ import annotations

from typing import Any

from parley.model import Actor, Article, Event


def _names(actor: Actor | None) -> list[str]:
    if actor is None:
        return []
    return [actor.name.lower(), *(alias.lower() for alias in actor.aliases)]


def _country(actor: Actor | None) -> str | None:
    if actor is None:
        return None
    return actor.country or (actor.code[:3] if actor.code else None)


def _matches(article: Article, event: Event, item: dict[str, Any]) -> bool:
    if "cameo" in item and event.cameo != item["cameo"]:
        return False
    if "cameo_root" in item and not event.cameo.startswith(item["cameo_root"]):
        return False
    if "date" in item and event.date != item["date"]:
        return False
    if "granularity" in item and event.date_granularity != item["granularity"]:
        return False
    if "modality" in item and event.modality != item["modality"]:
        return False
    if "background" in item and event.background != item["background"]:
        return False
    if "place" in item and (
        event.place is None or item["place"].lower() not in event.place.lower()
    ):
        return False
    source, target = article.actor(event.source_id), article.actor(event.target_id)
    for fragment in item.get("participants", []):
        names = _names(source) + _names(target)
        if not any(fragment.lower() in name for name in names):
            return False
    for options in item.get("countries", []):
        if not {_country(source), _country(target)} & set(options):
            return False
    return True


def check(article: Article, expected: dict[str, Any]) -> None:
    assert len(article.events) >= expected.get("min_count", 0), f"only {len(article.events)} events"
    for item in expected.get("items", []):
        assert any(_matches(article, event, item) for event in article.events), (
            f"no event matches {item}; found: "
            + "; ".join(
                f"{e.cameo} {e.date} {e.source_id}->{e.target_id} @{e.place} {e.modality}"
                for e in article.events
            )
        )
