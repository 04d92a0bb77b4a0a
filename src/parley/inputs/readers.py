"""Reading inputs as they come: text scrapes, HTML pages, JSON Lines, RSS/Atom feeds.

``read_inputs`` expands files, folders and globs and yields one ``RawDocument`` per
article, or one ``InputError`` per input that cannot be read.  It never raises for a
bad file and never stops the stream: a batch of a thousand files with three broken
ones yields the thousand minus three articles and three errors.

The format is detected from the content (the extension only breaks ties), the
encoding from byte-order marks, strict UTF-8 or charset_normalizer.  Everything is
lazy: files are opened one at a time and JSON Lines are read line by line.  Feeds are
checked with defusedxml first, so entity tricks (billion laughs, external entities)
are refused before feedparser sees them.
"""

from __future__ import annotations

import codecs
import glob
import json
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from parley.errors import InputError
from parley.model import RawDocument
from parley.settings import Settings

#: bytes looked at to detect the format and encoding of a file
SNIFF_BYTES = 64 * 1024
#: fewer words than this extracted from a page means no article was found (a menu is not one)
MIN_MAIN_TEXT_WORDS = 15
#: share of control characters above which decoded text counts as binary
MAX_CONTROL_SHARE = 0.02

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY_MAGIC = (
    b"%PDF",
    b"PK\x03\x04",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x1f\x8b",
    b"\x7fELF",
)
_FEED_ROOT = re.compile(r"<(?:[\w-]+:)?(rss|feed|RDF)[\s>]")
_HTML_START = re.compile(r"<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_HTML_ANY_TAG = re.compile(r"<(?:p|div|article|h[1-6]|span|a|br)[\s>/]", re.IGNORECASE)
_GLOB_CHARS = re.compile(r"[*?\[]")


def read_inputs(
    paths: Iterable[str | Path], settings: Settings
) -> Iterator[RawDocument | InputError]:
    """Yield a ``RawDocument`` per article found in ``paths`` (files, folders, globs),
    or an ``InputError(source, reason)`` per input that cannot be read."""
    for item in paths:
        for path in _expand(item):
            if isinstance(path, InputError):
                yield path
            else:
                yield from read_file(path, settings)


def _expand(item: str | Path) -> Iterator[Path | InputError]:
    """Files under a folder (recursive, sorted, hidden ones skipped), a glob's matches,
    or the file itself."""
    path = Path(item)
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            relative = child.relative_to(path).parts
            if child.is_file() and not any(part.startswith(".") for part in relative):
                yield child
        return
    if path.exists() or path.is_symlink():
        yield path
        return
    if _GLOB_CHARS.search(str(item)):
        matches = sorted(glob.glob(str(item), recursive=True))
        files = [Path(m) for m in matches if Path(m).is_file()]
        if not files:
            yield InputError(str(item), "no file matches this pattern")
        yield from files
        return
    yield InputError(str(item), "no such file or folder")


def count_input_files(paths: Iterable[str | Path]) -> int:
    """How many files ``read_inputs`` will open (for a progress bar's total)."""
    return sum(1 for item in paths for found in _expand(item) if isinstance(found, Path))


def read_file(path: Path, settings: Settings) -> Iterator[RawDocument | InputError]:
    """Read one file: every article in it, or one error saying why it cannot be read."""
    source = str(path)
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # opening a named pipe would wait forever
            yield InputError(source, "not a regular file (named pipe, socket or device)")
            return
        size = status.st_size
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        yield InputError(source, f"cannot read: {exc.strerror or exc}")
        return
    if not head.strip():
        yield InputError(source, "empty file")
        return
    if _looks_binary(head):
        yield InputError(source, "binary file, not text")
        return
    if _looks_like_jsonl(head):
        # JSON Lines are checked line by line, so a big dump is fine
        yield from _read_jsonl(path, settings)
        return
    if size > settings.max_input_bytes:
        yield InputError(
            source,
            f"too large: {size} bytes (limit {settings.max_input_bytes}, see max_input_bytes)",
        )
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield InputError(source, f"cannot read: {exc.strerror or exc}")
        return
    try:
        text, encoding = decode_bytes(data)
    except ValueError as exc:
        yield InputError(source, str(exc))
        return
    yield from parse_text(text, source, encoding=encoding, suffix=path.suffix.lower())


def parse_text(
    text: str, source: str, *, encoding: str = "utf-8", suffix: str = ""
) -> Iterator[RawDocument | InputError]:
    """Detect the format of decoded ``text`` and yield its articles (or one error)."""
    if not text.strip():
        yield InputError(source, "empty file (whitespace only)")
        return
    kind = detect_format(text, suffix)
    if kind == "feed":
        yield from _read_feed(text, source, encoding)
    elif kind == "html":
        yield _read_html(text, source, encoding)
    elif kind == "text":
        yield RawDocument(source=source, format="text", text=text, encoding=encoding)
    else:
        yield InputError(
            source, f"unknown format ({kind}): expected a text scrape, HTML, JSON Lines or RSS/Atom"
        )


def detect_format(text: str, suffix: str = "") -> str:
    """``text``, ``html``, ``feed``, ``jsonl`` or a short description of an unknown format.

    Content decides; the suffix only settles markup that could be either."""
    start = text.lstrip()[:2000]
    lowered = start.lower()
    if start.startswith("{"):
        first_line = start.split("\n", 1)[0]
        try:
            return "jsonl" if isinstance(json.loads(first_line), dict) else "JSON"
        except (ValueError, RecursionError):
            return "JSON"
    if start.startswith("["):
        try:
            json.loads(text)
            return "JSON array"
        except (ValueError, RecursionError):
            pass
    if lowered.startswith("<?xml") or lowered.startswith("<rss") or lowered.startswith("<feed"):
        if _FEED_ROOT.search(start):
            return "feed"
        if _HTML_START.search(start):
            return "html"
        return "XML that is not a feed"
    if _HTML_START.search(start) or (suffix in (".html", ".htm") and _HTML_ANY_TAG.search(start)):
        return "html"
    if lowered.startswith("<") and _HTML_ANY_TAG.search(start):
        return "html"
    return "text"


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode with a byte-order mark, else strict UTF-8, else the detected encoding.

    Raises ``ValueError`` (with a one-line reason) for bytes that are not text."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.replace("-sig", "") + " (BOM)"
            except UnicodeDecodeError as exc:
                raise ValueError(
                    f"invalid {codec} after its byte-order mark: {exc.reason}"
                ) from None
    utf16 = _bomless_utf16(data[:SNIFF_BYTES])
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError as exc:
            raise ValueError(f"invalid {utf16} (no byte-order mark): {exc.reason}") from None
        if _control_share(text) > MAX_CONTROL_SHARE:
            raise ValueError("binary file, not text")
        return text, f"{utf16} (no BOM)"
    if _looks_binary(data[:SNIFF_BYTES]):
        raise ValueError("binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ValueError("not text in any known encoding")
    text = str(best)
    if _control_share(text) > MAX_CONTROL_SHARE:
        raise ValueError("binary file, not text")
    return text, best.encoding


def _looks_binary(head: bytes) -> bool:
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if head.startswith(_BINARY_MAGIC):
        return True
    return b"\x00" in head and _bomless_utf16(head) is None


def _bomless_utf16(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` for UTF-16 text without a byte-order mark (mostly Latin
    script, so every other byte is zero), else None."""
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even_zeros, odd_zeros = head[0:pairs * 2:2].count(0), head[1:pairs * 2:2].count(0)
    if odd_zeros >= 0.9 * pairs and even_zeros <= 0.01 * pairs:
        return "utf-16-le"
    if even_zeros >= 0.9 * pairs and odd_zeros <= 0.01 * pairs:
        return "utf-16-be"
    return None


def _control_share(text: str) -> float:
    sample = text[:SNIFF_BYTES]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls / max(len(sample), 1)


def _looks_like_jsonl(head: bytes) -> bool:
    """Lines of JSON objects: the first lines all open with ``{`` and one parses
    (so a dump whose first line is broken is still read, with that line as an error)."""
    lines = [line.strip() for line in head.lstrip(codecs.BOM_UTF8).split(b"\n")[:6]]
    lines = [line for line in lines[:-1] if line] or [line for line in lines if line][:1]
    if not lines or not all(line.startswith(b"{") for line in lines):
        return False
    for line in lines:
        try:
            if isinstance(json.loads(line), dict):
                return True
        except (ValueError, RecursionError):  # nesting deeper than the parser's stack
            continue
    return False


# --------------------------------------------------------------------------- JSON Lines


def _read_jsonl(path: Path, settings: Settings) -> Iterator[RawDocument | InputError]:
    """One article per line; a bad line is one error (``path:LINE``), the rest go on."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield InputError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    with handle:
        for line_no, raw_line in enumerate(handle, start=1):
            source = f"{path}:{line_no}"
            if line_no == 1:
                raw_line = raw_line.removeprefix(codecs.BOM_UTF8)
            if not raw_line.strip():
                continue
            if len(raw_line) > settings.max_input_bytes:
                yield InputError(
                    source,
                    f"line too large: {len(raw_line)} bytes (limit {settings.max_input_bytes})",
                )
                continue
            try:
                record = json.loads(raw_line.decode("utf-8"))
            except UnicodeDecodeError:
                yield InputError(source, "line is not UTF-8")
                continue
            except ValueError as exc:
                yield InputError(source, f"invalid JSON: {exc}")
                continue
            except RecursionError:
                yield InputError(source, "invalid JSON: nested too deeply")
                continue
            yield jsonl_record(record, source)


def jsonl_record(record: Any, source: str) -> RawDocument | InputError:
    """A JSON object (url, title, text or html, published, outlet) as a document."""
    if not isinstance(record, dict):
        return InputError(source, "expected a JSON object with 'text' or 'html'")
    text, html = record.get("text"), record.get("html")
    title = _str_or_none(record.get("title"))
    published = _str_or_none(record.get("published"))
    outlet = _str_or_none(record.get("outlet"))
    url = _str_or_none(record.get("url"))
    if isinstance(text, str) and text.strip():
        return RawDocument(
            source=source,
            format="jsonl",
            text=text,
            url=url,
            title=title,
            published=published,
            outlet=outlet,
        )
    if isinstance(html, str) and html.strip():
        document = _read_html(html, source, "utf-8")
        if isinstance(document, InputError):
            return document
        document.format = "jsonl"
        document.url = url or document.url
        document.title = title or document.title
        document.published = published or document.published
        document.outlet = outlet or document.outlet
        return document
    return InputError(source, "no 'text' or 'html' field with content")


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# --------------------------------------------------------------------------- HTML


def _read_html(html: str, source: str, encoding: str) -> RawDocument | InputError:
    """Main text and metadata of an HTML page through trafilatura and htmldate."""
    import trafilatura

    try:
        extracted = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=False,
            deduplicate=False,
        )
    except Exception as exc:
        return InputError(source, f"HTML could not be parsed: {type(exc).__name__}: {exc}")
    text = (getattr(extracted, "text", None) or "").strip() if extracted is not None else ""
    if len(text.split()) < MIN_MAIN_TEXT_WORDS:
        return InputError(source, "HTML has no main text (truncated or empty page?)")
    title = _str_or_none(getattr(extracted, "title", None))
    outlet = _str_or_none(getattr(extracted, "sitename", None))
    url = _str_or_none(getattr(extracted, "url", None))
    return RawDocument(
        source=source,
        format="html",
        text=text,
        url=url,
        title=title,
        published=html_published(html),
        outlet=outlet,
        encoding=encoding,
        html=html,
    )


_META_TIME = re.compile(
    r"<meta[^>]+(?:property|name|itemprop)=[\"'](?:article:published_time|datePublished|"
    r"pubdate|og:published_time|dc.date.issued|date)[\"'][^>]*>",
    re.IGNORECASE,
)
_CONTENT_ATTR = re.compile(r"content=[\"']([^\"']+)[\"']", re.IGNORECASE)


def html_published(html: str) -> str | None:
    """The page's publication timestamp: a full ``article:published_time``-style meta
    value when present (it keeps the time and zone), else htmldate's original date."""
    for meta in _META_TIME.finditer(html[:200_000]):
        content = _CONTENT_ATTR.search(meta.group(0))
        if content and re.match(r"\d{4}-\d{2}-\d{2}", content.group(1)):
            return content.group(1)
    try:
        from htmldate import find_date

        found = find_date(html, original_date=True, extensive_search=False)
    except Exception:
        return None
    return found or None


# --------------------------------------------------------------------------- feeds


def _read_feed(text: str, source: str, encoding: str) -> Iterator[RawDocument | InputError]:
    """Entries of an RSS/Atom feed with full content; the XML is refused if it declares
    entities or external references."""
    import feedparser
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    xml = text.lstrip("\ufeff")
    try:
        fromstring(xml, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        yield InputError(source, f"feed refused: unsafe XML ({type(exc).__name__})")
        return
    except Exception as exc:
        yield InputError(source, f"feed is not well-formed XML: {exc}")
        return
    parsed = feedparser.parse(xml, resolve_relative_uris=False, sanitize_html=True)
    outlet = _str_or_none(parsed.feed.get("title"))
    if not parsed.entries:
        yield InputError(source, "feed has no entries")
        return
    for index, entry in enumerate(parsed.entries, start=1):
        entry_source = f"{source}#{index}"
        body = _entry_body(entry)
        if not body:
            yield InputError(entry_source, "feed entry has no content")
            continue
        yield RawDocument(
            source=entry_source,
            format="feed",
            text=body,
            url=_str_or_none(entry.get("link")),
            title=_str_or_none(entry.get("title")),
            published=_str_or_none(entry.get("published") or entry.get("updated")),
            outlet=outlet,
            encoding=encoding,
        )


def _entry_body(entry: Any) -> str:
    """The fullest text of an entry (``content`` over ``summary``), HTML made plain."""
    candidates = [c.get("value", "") for c in entry.get("content", [])]
    candidates.append(entry.get("summary", ""))
    best = max(candidates, key=len, default="")
    return html_fragment_text(best) if "<" in best else best.strip()


_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre")


def html_fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one line per block element."""
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    outermost = [
        el for el in root.iter(*_BLOCKS) if not any(a.tag in _BLOCKS for a in el.iterancestors())
    ]
    blocks = [" ".join(el.text_content().split()) for el in outermost]
    blocks = [b for b in blocks if b]
    if blocks:
        return "\n".join(blocks)
    return " ".join(root.text_content().split())
