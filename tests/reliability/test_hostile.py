"""Over a thousand malformed and hostile files fed to ``parley ingest``: each is refused
with a one-line reason or handled, the batch goes on, memory stays bounded, and
nothing already stored changes.  Counts by kind are printed (``-s``); the long run
is ``benchmarks/reliability_long.sh``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reliability.crash import snapshot
from reliability.hostile import CONTROL_NAME, generate, ingest_hostile

PER_KIND = int(os.environ.get("PARLEY_HOSTILE_PER_KIND", "75"))  # x 14 kinds: 1,050+ files
MAX_RSS_MB = 600  # the 50 MB line and the 1 GB gzip bomb must not be loaded whole


@pytest.mark.slow
@pytest.mark.timeout(900 * max(1, PER_KIND // 75) + 300)
def test_hostile_files_are_refused_with_reasons(tmp_path: Path) -> None:
    import parley

    db = str(tmp_path / "parley.db")
    with parley.open_store(db) as store:
        parley.ingest([str(Path(parley.__file__).parent / "demo_corpus")], store)
    before = snapshot(db)
    assert before["articles"], "the demo corpus should have been stored"

    folder = tmp_path / "hostile"
    kinds = generate(folder, per_kind=PER_KIND)
    assert len(kinds) >= 1000
    explicit = [str(folder / name) for name in ("loop-a", "dangling", "named-pipe.txt")]
    run = ingest_hostile(db, folder, kinds, explicit, timeout=900 * max(1, PER_KIND // 75))

    assert run.returncode == 1, run.stderr[-2000:]  # something was skipped, nothing crashed
    assert "Traceback" not in run.stderr
    assert run.peak_rss_mb < MAX_RSS_MB
    assert run.by_kind["control"] == {"ingested": 1}, "the batch stopped before its last file"
    assert "unknown" not in run.by_kind
    for item in run.items:
        if "error" in item:
            assert item["error"].strip() and "\n" not in item["error"], item
    for kind in ("binary", "gzip_bomb", "gzip_as_text", "empty", "huge_single_line",
                 "feed_entities", "symlink_loop", "special_file", "nested_html"):
        assert set(run.by_kind[kind]) == {"refused"}, (kind, run.by_kind[kind])
    # every generated file is accounted for (a folder walk skips loops and pipes)
    reported = {item["source"].rsplit(":", 1)[0] for item in run.items}
    missing = [n for n, kind in kinds.items() if str(folder / n) not in reported
               and kind not in ("symlink_loop", "special_file")]
    assert missing == [], missing[:5]

    after = snapshot(db)
    assert {k: after["articles"][k] for k in before["articles"]} == before["articles"]
    print({kind: dict(counts) for kind, counts in sorted(run.by_kind.items())},
          f"peak RSS {run.peak_rss_mb:.0f} MB", CONTROL_NAME)
