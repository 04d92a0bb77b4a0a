"""Timeline and search latency (p50/p95) on a store holding many events.

Fills a fresh SQLite store through the real write path (``add_article`` +
``save_annotations``, one transaction per article) with synthetic articles of
``--per-article`` coded events each between a handful of countries, persists a
timeline of one entry per event (``replace_timeline``), then times the queries
a reader makes: ``parley.timeline`` for a dyad and a date range, ``Store.events``
for one actor, and ``Store.search`` for words and phrases.

    .venv/bin/python benchmarks/bench_latency.py --events 1000000
    .venv/bin/python benchmarks/bench_latency.py --reuse /tmp/parley-bench-XXXX/latency.db

Filling 1M events takes over an hour here; ``--reuse`` times the queries again on a
store an earlier run filled (its path is printed), e.g. after a change to a query.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import date

import parley
from common import machine, scratch_dir
from parley.analysis.timeline import timeline
from parley.model import Article, Event, Paragraph, PublicationDate, Span
from parley.settings import Settings
from parley.store.base import Store, TimelineEvent

COUNTRIES = ["RUS", "JPN", "CHN", "USA", "KOR", "IND", "DEU", "FRA"]
CODES = [("040", "CONSULT", 1, 1.0), ("036", "CONSULT", 1, 4.0), ("010", "STATEMENT", 0, 0.0),
         ("111", "DISAPPROVE", 3, -2.0), ("057", "AGREE", 2, 8.0)]
WORDS = ["treaty", "islands", "consultations", "sanctions", "summit", "minister", "border",
         "declaration", "security", "fisheries", "visit", "memorandum", "talks", "agreement"]


def synthetic_articles(n_events: int, per_article: int, rng: random.Random) -> Iterator[Article]:
    for number in range(-(-n_events // per_article)):
        day = f"{2000 + rng.randrange(25)}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}"
        paragraphs = [" ".join(rng.choices(WORDS, k=40)) + "." for _ in range(4)]
        text = "\n\n".join(paragraphs)
        spans, start = [], 0
        for index, paragraph in enumerate(paragraphs):
            spans.append(Paragraph(index, start, start + len(paragraph)))
            start += len(paragraph) + 2
        article_id = f"bench{number:09d}"
        events = []
        for k in range(min(per_article, n_events - number * per_article)):
            cameo, plover, quad, goldstein = rng.choice(CODES)
            source, target = rng.sample(COUNTRIES, 2)
            events.append(Event(f"{article_id}-ev{k}", cameo, plover, quad, goldstein, source,
                                target, Span(0, 40), "talks", date=day,
                                date_granularity="day"))
        yield Article(id=article_id, text=text, raw=text, title=f"bench article {number}",
                      paragraphs=spans, outlet="TASS", url=f"https://bench.example/{number}",
                      published=PublicationDate(day, "day", "explicit"), events=events,
                      stage_signature="bench")


def timeline_entries(article: Article) -> Iterator[TimelineEvent]:
    for event in article.events:
        yield TimelineEvent(
            id=f"tl-{event.id}", date=event.date, date_granularity="day", cameo=event.cameo,
            plover=event.plover, quad_class=event.quad_class, goldstein=event.goldstein,
            source_id=event.source_id, target_id=event.target_id, place=None,
            modality="occurred", source_country=event.source_id, target_country=event.target_id,
            reports=[{"article_id": article.id, "event_id": event.id, "background": False}],
        )


def percentiles(call: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        timings.append(time.perf_counter() - started)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, result


def fill(store: Store, n_events: int, per_article: int, rng: random.Random) -> None:
    started = time.perf_counter()
    entries: list[TimelineEvent] = []
    for article in synthetic_articles(n_events, per_article, rng):
        store.add_article(article)
        store.save_annotations(article)
        entries.extend(timeline_entries(article))
    store.replace_timeline(entries)
    filled = time.perf_counter() - started
    print(f"store: {store.count_articles()} articles, {len(entries)} events and timeline "
          f"entries, written in {filled:.0f} s ({len(entries) / filled:.0f} events/s)",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--per-article", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", help="time the queries on this store, filled earlier")
    args = parser.parse_args()
    rng = random.Random(3)
    db = args.reuse or str(scratch_dir() / "latency.db")
    settings = Settings(db=db)
    print(f"# bench_latency {date.today()}  machine: {machine()}  store: {db}", flush=True)
    with parley.open_store(settings.db, settings) as store:
        if args.reuse:
            print(f"store: {store.count_articles()} articles, "
                  f"{sum(1 for _ in store.timeline_events())} timeline entries (reused)",
                  flush=True)
        else:
            fill(store, args.events, args.per_article, rng)

        queries: list[tuple[str, Callable[[], object]]] = [
            ("timeline --dyad RUS-JPN", lambda: timeline(store, dyad="RUS-JPN")),
            ("timeline --dyad RUS-JPN, one page (limit 50, offset 1000)",
             lambda: timeline(store, dyad="RUS-JPN", limit=50, offset=1000)),
            ("timeline --dyad RUS-JPN --from 2019-01-01 --to 2019-12-31",
             lambda: timeline(store, dyad="RUS-JPN", date_from="2019-01-01",
                              date_to="2019-12-31")),
            ("events --actor JPN (limit 100)", lambda: store.events(actor="JPN", limit=100)),
            ("search treaty (20 hits)", lambda: store.search("treaty", limit=20)),
            ('search "islands summit" (phrase)',
             lambda: store.search('"islands summit"', limit=20)),
            ("search fisheries sanctions memorandum",
             lambda: store.search("fisheries sanctions memorandum", limit=20)),
        ]
        for label, call in queries:
            repeat = max(3, args.repeat // 4) if label == "timeline --dyad RUS-JPN" else args.repeat
            p50, p95, result = percentiles(call, repeat)
            size = len(result) if isinstance(result, list) else "?"
            print(f"{label:<58} p50 {1000 * p50:9.1f} ms  p95 {1000 * p95:9.1f} ms  "
                  f"({size} results, {repeat} runs)", flush=True)


if __name__ == "__main__":
    main()
