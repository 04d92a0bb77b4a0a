"""Articles to and from Parquet shards (pyarrow).

A shard holds one row per article: the full record as JSON (``record``, the one
JSON shape of ``parley.model.to_dict``) plus key columns that other tools can
filter on without parsing it (id, title, publication date, outlet, counts,
stage signature).  Dask workers write shards; ``parley merge`` loads them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from parley.errors import InputError, MissingExtra
from parley.model import Article, from_dict, to_dict

SHARD_SUFFIX = ".parquet"


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingExtra("Parquet shards", "parquet", "pyarrow") from None
    return pa, pq


def _schema(pa: Any) -> Any:
    return pa.schema(
        [
            ("id", pa.string()),
            ("title", pa.string()),
            ("published", pa.string()),
            ("outlet", pa.string()),
            ("url", pa.string()),
            ("source_path", pa.string()),
            ("stage_signature", pa.string()),
            ("n_paragraphs", pa.int32()),
            ("n_quotes", pa.int32()),
            ("n_events", pa.int32()),
            ("n_errors", pa.int32()),
            ("record", pa.string()),
        ]
    )


def write_shard(articles: Iterable[Article], path: Path) -> int:
    """Write ``articles`` to one Parquet file (atomically: a temporary name, then rename)."""
    pa, pq = _pyarrow()
    rows: dict[str, list[Any]] = {name: [] for name in _schema(pa).names}
    for article in articles:
        rows["id"].append(article.id)
        rows["title"].append(article.title)
        rows["published"].append(article.published.value if article.published else None)
        rows["outlet"].append(article.outlet)
        rows["url"].append(article.url)
        rows["source_path"].append(article.source_path)
        rows["stage_signature"].append(article.stage_signature)
        rows["n_paragraphs"].append(len(article.paragraphs))
        rows["n_quotes"].append(len(article.quotes))
        rows["n_events"].append(len(article.events))
        rows["n_errors"].append(len(article.errors))
        rows["record"].append(json.dumps(to_dict(article), ensure_ascii=False))
    table = pa.Table.from_pydict(rows, schema=_schema(pa))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial, compression="zstd")
    partial.replace(path)
    return table.num_rows


def read_shard(path: Path, batch_size: int = 256) -> Iterator[Article]:
    """The articles of one shard, read in record batches (never the whole file at once)."""
    _, pq = _pyarrow()
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for bad files
        raise InputError(str(path), f"not a readable Parquet shard ({exc})") from None
    if "record" not in parquet.schema_arrow.names:
        raise InputError(str(path), "Parquet file has no 'record' column: not a parley shard")
    for batch in parquet.iter_batches(batch_size=batch_size, columns=["record"]):
        for record in batch.column(0).to_pylist():
            yield from_dict(Article, json.loads(record))


def shard_paths(folder: Path) -> list[Path]:
    """Every finished shard under ``folder`` (partial files of a crashed run are ignored)."""
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise InputError(str(folder), "no such shard folder")
    return sorted(folder.rglob(f"*{SHARD_SUFFIX}"))


def iter_shards(folder: Path) -> Iterator[Article]:
    for path in shard_paths(folder):
        yield from read_shard(path)
