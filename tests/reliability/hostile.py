"""A generator of malformed and hostile input files, written into a temporary folder.

``generate(folder, per_kind, seed)`` writes ``per_kind`` variants of every kind of
bad input a scrape or a feed export can contain (plus a few single giant ones) and
returns ``{file name: kind}``.  Nothing here is committed as a file: the suite and
``benchmarks/hostile_inputs.py`` generate them at run time.  Article-like text is
made of words written for this module, never copied from any outlet.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import random
import threading
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORDS = [
    "envoys", "ministers", "talks", "treaty", "islands", "border", "fisheries", "visa",
    "delegation", "summit", "consultations", "agreement", "statement", "spokesman", "capital",
    "negotiations", "round", "sides", "cooperation", "economic", "joint", "declaration",
]

#: a good article written for these tests: must be ingested whatever surrounds it
CONTROL_NAME = "zz-control-article.txt"


def sentence(rng: random.Random, words: int = 14) -> str:
    body = " ".join(rng.choice(WORDS) for _ in range(words))
    return body[0].upper() + body[1:] + "."


def article(rng: random.Random, paragraphs: int = 4) -> str:
    """A plausible dispatch: title, standfirst, dateline, body."""
    day = rng.randrange(1, 28)
    lines = [f"Envoys hold {rng.choice(WORDS)} talks in round {rng.randrange(1000)}", "",
             sentence(rng), "",
             f"VIENNA, March {day}, 2021. /AGENCY/. " + sentence(rng, 25), ""]
    for _ in range(paragraphs):
        lines += [" ".join(sentence(rng) for _ in range(3)), ""]
    return "\n".join(lines)


def html_page(rng: random.Random) -> str:
    body = "".join(f"<p>{' '.join(sentence(rng) for _ in range(3))}</p>" for _ in range(5))
    return (f"<!doctype html><html><head><title>Talks round {rng.randrange(999)}</title>"
            f"<meta name=\"date\" content=\"2021-03-{rng.randrange(1, 28):02d}\"></head>"
            f"<body><article><h1>Envoys meet</h1>{body}</article></body></html>")


# --------------------------------------------------------------------------- kinds

Maker = Callable[[random.Random, int], tuple[str, bytes]]


def _binary(rng: random.Random, n: int) -> tuple[str, bytes]:
    magic = [b"", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\x7fELF", b"PK\x03\x04", b"GIF89a"]
    return f"binary-{n}.txt", magic[n % len(magic)] + rng.randbytes(rng.randrange(16, 20000))


def _truncated_html(rng: random.Random, n: int) -> tuple[str, bytes]:
    page = html_page(rng).encode()
    return f"truncated-{n}.html", page[: rng.randrange(1, len(page))]


def _nested_html(rng: random.Random, n: int) -> tuple[str, bytes]:
    depth = rng.choice([1_000, 10_000, 100_000])
    tag = rng.choice(["div", "span", "b", "table><tr><td", "ul><li"])
    opening = f"<{tag}>" * depth
    closing = "" if n % 2 else f"</{tag.split('>')[0]}>" * depth
    page = f"<html><body>{opening}{sentence(rng)}{closing}</body></html>"
    return f"nested-{n}.html", page.encode()


def _invalid_utf8(rng: random.Random, n: int) -> tuple[str, bytes]:
    data = bytearray(article(rng).encode())
    for _ in range(rng.randrange(1, 40)):
        data.insert(rng.randrange(len(data)), rng.choice([0x80, 0xC0, 0xFF, 0xFE, 0xED, 0xF8]))
    return f"invalid-utf8-{n}.txt", bytes(data)


def _utf16(rng: random.Random, n: int) -> tuple[str, bytes]:
    text = article(rng)
    variants = [codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
                codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
                text.encode("utf-16-le"), text.encode("utf-16-be"),
                codecs.BOM_UTF16_LE + text.encode("utf-16-le")[: rng.randrange(1, 200) * 2 + 1]]
    return f"utf16-{n}.txt", variants[n % len(variants)]


def _gzip_as_text(rng: random.Random, n: int) -> tuple[str, bytes]:
    suffix = [".txt", ".html", ".jsonl", ".xml"][n % 4]
    return f"gzipped-{n}{suffix}", gzip.compress(article(rng).encode())


def _feed_entities(rng: random.Random, n: int) -> tuple[str, bytes]:
    """Billion laughs, quadratic blow-up, external and parameter entities."""
    item = f"<item><title>Talks</title><description>{sentence(rng)} &lol9;</description></item>"
    variants = [
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                  for i in range(1, 10))
        + f']><rss version="2.0"><channel><title>x</title>{item}</channel></rss>',
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + "A" * 50_000 + '">]>'
        '<rss version="2.0"><channel><title>x</title><item><description>'
        + "&a;" * 50_000 + "</description></item></channel></rss>",
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title>'
        f"<description>{sentence(rng)} &xxe;</description></item></channel></rss>",
        '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY % remote SYSTEM '
        '"http://127.0.0.1:9/evil.dtd"> %remote;]><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>x</title><entry><title>t</title><content>c</content></entry></feed>",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>'
        + sentence(rng)[: rng.randrange(5, 40)],
    ]
    return f"feed-{n}.xml", variants[n % len(variants)].encode()


def _broken_jsonl(rng: random.Random, n: int) -> tuple[str, bytes]:
    good = json.dumps({"url": f"https://hostile.example/{n}", "title": "Envoys meet",
                       "text": article(rng)})
    bad = [good[: rng.randrange(1, len(good))], "{", "[1, 2, 3]", '"just a string"', "null",
           '{"text": 42}', '{"html": "<p>x</p>"}', '{"text": "   "}', "[" * 100_000,
           '{"a":' * 50_000, '{"text": "' + "\udcff" * 3 + '"}', "1e999999", "NaN",
           '{"text": "x", "published": {"nested": [1, 2]}}']
    lines = [good, rng.choice(bad), rng.choice(bad), good.replace("Envoys", "E")]
    if n % 5 == 0:  # a line of control characters makes the whole file look binary
        lines.append("\x00\x01\x02")
    rng.shuffle(lines)
    return f"broken-{n}.jsonl", ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


def _empty(rng: random.Random, n: int) -> tuple[str, bytes]:
    variants = [b"", b" ", b"\n\n\n", b"\t \r\n" * 50, b"\xef\xbb\xbf", codecs.BOM_UTF16_LE,
                "\u00a0\u2003\u3000\n".encode()]
    suffix = [".txt", ".html", ".jsonl", ".xml", ".rss"][n % 5]
    return f"empty-{n}{suffix}", variants[n % len(variants)]


def _control_chars(rng: random.Random, n: int) -> tuple[str, bytes]:
    text = article(rng)
    chars = [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127]] + [
        "\u202e", "\u200b", "\ufeff", "\u2028", "\u2029", "\ufffd", "\U0001f600"]
    mixed = "".join(ch + (rng.choice(chars) if rng.random() < 0.08 else "") for ch in text)
    return f"control-{n}.txt", mixed.encode("utf-8", "surrogatepass")


def _random_unicode(rng: random.Random, n: int) -> tuple[str, bytes]:
    ranges = [(0x20, 0x7E), (0x400, 0x4FF), (0x590, 0x6FF), (0x3040, 0x30FF),
              (0x4E00, 0x4FFF), (0x300, 0x36F), (0x1F300, 0x1F64F)]
    chars = []
    for _ in range(rng.randrange(1, 5000)):
        low, high = rng.choice(ranges)
        chars.append(chr(rng.randrange(low, high)))
        if rng.random() < 0.05:
            chars.append(rng.choice(['"', "“", "”", "«", "»", "(", ")", "[", "\n", "\n\n"]))
    return f"unicode-{n}.txt", "".join(chars).encode()


def _quotes_brackets(rng: random.Random, n: int) -> tuple[str, bytes]:
    marks = ['"', "“", "”", "‘", "’", "«", "»", "(", ")", "[", "]", "{", "}", "'"]
    text = article(rng)
    mixed = "".join(ch + (rng.choice(marks) * rng.randrange(1, 4) if rng.random() < 0.1 else "")
                    for ch in text)
    return f"quotes-{n}.txt", mixed.encode()


def _long_paragraph(rng: random.Random, n: int) -> tuple[str, bytes]:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(5_000, 60_000)))
    return f"long-paragraph-{n}.txt", (article(rng) + "\n\n" + words).encode()


def _html_garbage(rng: random.Random, n: int) -> tuple[str, bytes]:
    variants = [
        "<html><body><script>" + "x" * 50_000 + "</script></body></html>",
        "<html><head><meta charset=\"x-unknown\"></head><body><p>" + sentence(rng) + "</body>",
        "<html>" + "<p " + " ".join(f"a{i}=\"{i}\"" for i in range(20_000)) + ">x</p></html>",
        "<!doctype html><html><body>" + "<!--" * 1000 + sentence(rng) + "</body></html>",
        "<html><body><![CDATA[" + sentence(rng) + "<p>" * 5000 + "</body></html>",
        "<html><body><p>" + "&#x" + "f" * 20 + ";&#99999999999;&bogus;" * 1000 + "</p></body>",
    ]
    return f"garbage-{n}.html", variants[n % len(variants)].encode()


KINDS: dict[str, Maker] = {
    "binary": _binary,
    "truncated_html": _truncated_html,
    "nested_html": _nested_html,
    "invalid_utf8": _invalid_utf8,
    "utf16": _utf16,
    "gzip_as_text": _gzip_as_text,
    "feed_entities": _feed_entities,
    "broken_jsonl": _broken_jsonl,
    "empty": _empty,
    "control_chars": _control_chars,
    "random_unicode": _random_unicode,
    "quotes_brackets": _quotes_brackets,
    "long_paragraph": _long_paragraph,
    "html_garbage": _html_garbage,
}


def _write_giants(folder: Path, big_line_bytes: int) -> dict[str, str]:
    """One of each input that is hostile by size or by file-system shape."""
    kinds: dict[str, str] = {}
    with (folder / "single-line.txt").open("wb") as out:  # e.g. 50 MB with no newline
        chunk = b"talks treaty islands " * 50_000
        for _ in range(big_line_bytes // len(chunk) + 1):
            out.write(chunk)
    kinds["single-line.txt"] = "huge_single_line"
    line = json.dumps({"title": "Huge", "text": "talks " * (big_line_bytes // 6)})
    (folder / "single-line.jsonl").write_text(line + "\n", encoding="utf-8")
    kinds["single-line.jsonl"] = "huge_single_line"
    # a gzip bomb: ~1 GB of zeros in about 1 MB, named as a gzip file and as text
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    bomb = b"".join(compressor.compress(block) for _ in range(1024)) + compressor.flush()
    for name in ("bomb.txt.gz", "bomb.jsonl.gz", "bomb.txt"):
        (folder / name).write_bytes(bomb)
        kinds[name] = "gzip_bomb"
    loop = folder / "loop"
    loop.mkdir()
    (loop / "self").symlink_to(loop, target_is_directory=True)
    (loop / "parent").symlink_to(folder, target_is_directory=True)
    (folder / "loop-a").symlink_to(folder / "loop-b")
    (folder / "loop-b").symlink_to(folder / "loop-a")
    (folder / "dangling").symlink_to(folder / "does-not-exist.txt")
    kinds.update({"loop": "symlink_loop", "loop-a": "symlink_loop", "loop-b": "symlink_loop",
                  "dangling": "symlink_loop"})
    fifo = folder / "named-pipe.txt"
    os.mkfifo(fifo)
    kinds["named-pipe.txt"] = "special_file"
    return kinds


def generate(folder: Path, per_kind: int = 75, seed: int = 1,
             big_line_bytes: int = 50 * 1024 * 1024) -> dict[str, str]:
    """Write ``per_kind`` files of every kind and the giants; ``{file name: kind}``.

    The control article (``CONTROL_NAME``) sorts last, so it is read after every
    hostile file: if it is stored, the batch went on.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    kinds: dict[str, str] = {}
    for kind, make in KINDS.items():
        for n in range(per_kind):
            name, data = make(rng, n)
            (folder / name).write_bytes(data)
            kinds[name] = kind
    kinds.update(_write_giants(folder, big_line_bytes))
    (folder / CONTROL_NAME).write_text(article(random.Random(seed + 1)), encoding="utf-8")
    return kinds


def kind_of(source: str, folder: Path, kinds: dict[str, str]) -> str:
    """The kind of the generated file an ingest item names (``path`` or ``path:LINE``)."""
    relative = Path(source.rsplit(":", 1)[0] if not Path(source).exists() else source)
    try:
        name = relative.relative_to(folder).parts[0]
    except ValueError:
        name = relative.name
    return kinds.get(name, "control" if name == CONTROL_NAME else "unknown")


# --------------------------------------------------------------------------- the run


@dataclass
class HostileRun:
    returncode: int
    peak_rss_mb: float
    items: list[dict[str, Any]]
    stderr: str
    #: kind -> outcome ("refused" or an ingest outcome) -> count
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)
    #: kind -> reason (first 60 characters) -> count, for the refusals
    reasons: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def refused(self) -> int:
        return sum(c["refused"] for c in self.by_kind.values())


#: runs the CLI and, at exit, writes its own peak RSS (VmHWM, kB) to a file.  wait4's
#: ru_maxrss is not used: Linux carries the parent's RSS at fork over the exec, so a
#: child of a big pytest process would report the parent's size, not its own.
_REPORT_HIGH_WATER = """
import atexit, os, re, runpy, sys
def _report():
    status = open("/proc/self/status").read()
    with open(os.environ["PARLEY_TEST_HWM_FILE"], "w") as out:
        out.write(re.search(r"VmHWM:\\s+(\\d+)", status).group(1))
atexit.register(_report)
sys.argv = ["parley", *sys.argv[1:]]
runpy.run_module("parley.cli", run_name="__main__")
"""


def ingest_hostile(db: str, folder: Path, kinds: dict[str, str], extra: list[str],
                   timeout: float = 900) -> HostileRun:
    """``parley ingest --json FOLDER EXTRA...`` in a subprocess; its own peak RSS
    (VmHWM), its items tallied by the kind of file they came from."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as high_water:
        env = {**os.environ, "PARLEY_TEST_HWM_FILE": high_water.name}
        child = subprocess.Popen(
            [sys.executable, "-c", _REPORT_HIGH_WATER, "--db", db, "ingest", "--json",
             str(folder), *extra], stdout=out, stderr=err, env=env)
        timer = threading.Timer(timeout, child.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
        peak_kb = float(high_water.read().strip() or usage.ru_maxrss)
    items = json.loads(stdout) if stdout.strip() else []
    run = HostileRun(child.returncode, peak_kb / 1024, items, stderr)
    for item in items:
        kind = kind_of(item["source"], folder, kinds)
        outcome = "refused" if "error" in item else item["outcome"]
        run.by_kind.setdefault(kind, Counter())[outcome] += 1
        if "error" in item:
            run.reasons.setdefault(kind, Counter())[item["error"][:60]] += 1
    return run
