"""The event table in the formats event-data users load: CSV, TSV, JSON Lines, Parquet.

One row per merged timeline event, with the columns of the GDELT/ICEWS/POLECAT
tradition.  ``source_articles`` lists every article reporting the event
(``;``-separated in CSV/TSV, a list in JSON Lines and Parquet).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from parley.errors import MissingExtra, ParleyError
from parley.store.base import TimelineEvent

#: the columns, in order (documented in the README)
COLUMNS = (
    "event_id", "date", "date_precision", "source_actor", "source_code", "source_country",
    "target_actor", "target_code", "target_country", "cameo", "plover", "quad_class",
    "goldstein", "modality", "location", "num_sources", "source_articles", "sentence",
)
FORMATS = ("csv", "tsv", "jsonl", "parquet")


def event_rows(events: Iterable[TimelineEvent]) -> list[dict[str, Any]]:
    """One flat row per merged event."""
    rows = []
    for event in events:
        articles = sorted({r["article_id"] for r in event.reports})
        rows.append({
            "event_id": event.id,
            "date": event.date,
            "date_precision": event.date_granularity,
            "source_actor": event.source_name or event.source_id,
            "source_code": event.source_code,
            "source_country": event.source_country,
            "target_actor": event.target_name or event.target_id,
            "target_code": event.target_code,
            "target_country": event.target_country,
            "cameo": event.cameo,
            "plover": event.plover,
            "quad_class": event.quad_class,
            "goldstein": event.goldstein,
            "modality": event.modality,
            "location": event.place,
            "num_sources": len(articles),
            "source_articles": articles,
            "sentence": event.sentence,
        })
    return rows


def format_for(path: str | Path, fmt: str | None = None) -> str:
    """The explicit format, else the one the file extension names."""
    chosen = (fmt or Path(path).suffix.lstrip(".")).lower()
    chosen = {"jsonlines": "jsonl", "ndjson": "jsonl", "pq": "parquet"}.get(chosen, chosen)
    if chosen not in FORMATS:
        raise ParleyError(f"cannot tell the export format of {str(path)!r}: "
                          f"use --format with one of {', '.join(FORMATS)}")
    return chosen


def export_events(
    events: Iterable[TimelineEvent], path: str | Path, fmt: str | None = None
) -> int:
    """Write the event table to ``path``; returns the number of rows written."""
    chosen = format_for(path, fmt)
    rows = event_rows(events)
    out = Path(path)
    if chosen in ("csv", "tsv"):
        with open(out, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS,
                                    delimiter="," if chosen == "csv" else "\t")
            writer.writeheader()
            for row in rows:
                writer.writerow({**row, "source_articles": ";".join(row["source_articles"])})
    elif chosen == "jsonl":
        with open(out, "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        _write_parquet(rows, out)
    return len(rows)


def _write_parquet(rows: list[dict[str, Any]], out: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingExtra("Parquet export", "parquet", "pyarrow") from None
    schema = pa.schema([
        ("event_id", pa.string()), ("date", pa.string()), ("date_precision", pa.string()),
        ("source_actor", pa.string()), ("source_code", pa.string()),
        ("source_country", pa.string()), ("target_actor", pa.string()),
        ("target_code", pa.string()), ("target_country", pa.string()),
        ("cameo", pa.string()), ("plover", pa.string()), ("quad_class", pa.int8()),
        ("goldstein", pa.float64()), ("modality", pa.string()), ("location", pa.string()),
        ("num_sources", pa.int32()), ("source_articles", pa.list_(pa.string())),
        ("sentence", pa.string()),
    ])
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, out)
