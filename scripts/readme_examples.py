"""Regenerate the README's example blocks from real runs on the bundled demo corpus.

Each block in README.md sits between ``<!-- example: NAME -->`` and
``<!-- /example -->``; this script runs the commands listed in ``EXAMPLES`` in a
scratch folder and writes their real output there.  ``--check`` compares instead
of writing (used by ``tests/test_readme.py``), ignoring timings.

    python scripts/readme_examples.py            # rewrite README.md
    python scripts/readme_examples.py --check    # exit 1 if README.md is stale
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PARLEY = str(Path(sys.executable).with_name("parley"))

#: name -> shell-like command lines (``{nagoya}`` is the id of the first demo dispatch)
EXAMPLES: dict[str, list[str]] = {
    "demo": ["parley --db demo.db demo"],
    "bad-input": ["parley --db demo.db ingest bad-inputs/"],
    "show": ["parley --db demo.db show {nagoya}"],
    "timeline": ["parley --db demo.db timeline --dyad RUS-JPN --from 2019-11-01"],
    "quotes": ["parley --db demo.db quotes --speaker Motegi"],
    "search": ['parley --db demo.db search "peace treaty"'],
    "trend": ["parley --db demo.db trend RUS JPN"],
    "export": ["parley --db demo.db export events -o events.csv", "head -3 events.csv"],
    "json": ["parley --db demo.db events --json --limit 1"],
}

#: parts of the output that change from run to run
VOLATILE = [
    (re.compile(r"\bin \d+(\.\d+)? ?s\b"), "in N s"),
    (re.compile(r"\d+(\.\d+)? (articles|words)/s"), r"N \2/s"),
]


def _prepare(workdir: Path) -> None:
    bad = workdir / "bad-inputs"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "photo.jpg").write_bytes(bytes(range(256)) * 8)
    (bad / "broken.html").write_text("<html><head><title>x</title></head><body><p>Trunc", "utf-8")


def _run(command: str, workdir: Path, values: dict[str, str]) -> str:
    command = command.format(**values)
    argv = command.split(" ", 1)
    if argv[0] == "parley":
        command = f"{PARLEY} {argv[1]}"
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    result = subprocess.run(
        command, shell=True, cwd=workdir, env=env, capture_output=True, text=True, check=False
    )
    output = (result.stdout + result.stderr).rstrip()
    # paths differ between clones: show them relative to the repository
    return output.replace(str(ROOT) + "/", "").replace(str(workdir) + "/", "")


def render_examples() -> dict[str, str]:
    """Run every example in a scratch folder; return name -> markdown block body."""
    blocks: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        _prepare(workdir)
        values: dict[str, str] = {}
        for name, commands in EXAMPLES.items():
            parts = []
            for command in commands:
                output = _run(command, workdir, values)
                parts.append(f"$ {command.format(**values)}\n{output}")
            blocks[name] = "```console\n" + "\n".join(parts) + "\n```"
            if name == "demo":
                values["nagoya"] = _article_id(workdir, "01_nagoya")
    return blocks


def _article_id(workdir: Path, source_part: str) -> str:
    listing = _run("parley --db demo.db articles --json --limit 1000", workdir, {})
    for record in json.loads(listing):
        if source_part in (record.get("source_path") or ""):
            return str(record["id"])[:12]
    raise SystemExit(f"no demo article from {source_part}")


def _normalise(text: str) -> str:
    text = re.sub(r"\s+", " ", text)  # a timing of another width wraps a line elsewhere
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def apply(readme: str, blocks: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        body = blocks.get(name, match.group(2).strip())
        return f"<!-- example: {name} -->\n{body}\n<!-- /example -->"

    return re.sub(
        r"<!-- example: ([\w-]+) -->\n(.*?)<!-- /example -->", replace, readme, flags=re.S
    )


def main() -> int:
    blocks = render_examples()
    current = README.read_text(encoding="utf-8")
    updated = apply(current, blocks)
    if "--check" in sys.argv:
        if _normalise(updated) != _normalise(current):
            print("README.md examples are stale: run python scripts/readme_examples.py")
            return 1
        return 0
    README.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
