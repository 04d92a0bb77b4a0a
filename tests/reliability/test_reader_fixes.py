"""Fast regressions for what the hostile-file run found in the readers."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from parley.errors import InputError
from parley.inputs.readers import read_inputs
from parley.model import RawDocument
from parley.settings import Settings
from reliability.hostile import article


def read(*paths: Path) -> list[RawDocument | InputError]:
    return list(read_inputs([str(p) for p in paths], Settings()))


def test_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (error,) = read(fifo)
    assert isinstance(error, InputError) and "not a regular file" in str(error)


def test_json_nested_too_deeply_is_one_refused_line(tmp_path: Path) -> None:
    good = json.dumps({"url": "https://x.example/1", "text": article(random.Random(1))})
    for bad in ("[" * 100_000, '{"a":' * 50_000):
        dump = tmp_path / "dump.jsonl"
        dump.write_text(f"{good}\n{bad}\n{good.replace('x.example', 'y.example')}\n",
                        encoding="utf-8")
        items = read(dump)
        assert [type(i).__name__ for i in items] == ["RawDocument", "InputError", "RawDocument"]
        assert "nested too deeply" in str(items[1])
        first_line_bad = tmp_path / "first.jsonl"
        first_line_bad.write_text(f"{bad}\n{good}\n", encoding="utf-8")
        assert all(isinstance(i, InputError | RawDocument) for i in read(first_line_bad))


def test_utf16_without_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    text = article(random.Random(2))
    for codec in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes(text.encode(codec))
        (document,) = read(path)
        assert isinstance(document, RawDocument), document
        assert document.text == text and document.encoding == f"{codec} (no BOM)"


def test_nul_bytes_alone_are_still_binary(tmp_path: Path) -> None:
    path = tmp_path / "zeros.txt"
    path.write_bytes(b"\x00" * 4096)
    (error,) = read(path)
    assert isinstance(error, InputError) and "binary" in str(error)
