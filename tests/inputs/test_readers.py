"""Readers: every input format, every kind of bad input (one error, the stream goes
on), encodings, laziness, and feeds that try XML entity tricks."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest

from parley.errors import InputError
from parley.inputs import read_inputs
from parley.inputs.readers import decode_bytes, detect_format
from parley.model import RawDocument
from parley.settings import Settings
from paths import SEEDS

SETTINGS = Settings()

BODY = (
    "OSLO, March 3. /TASS/. The foreign ministers of the two countries agreed on Tuesday "
    "to hold another round of talks on the disputed islands in the spring."
)
PARAGRAPHS = [
    "The ministers met for three hours at the foreign ministry guest house and discussed "
    "fishing quotas, visa-free travel for former residents and joint economic projects.",
    "Both sides said the talks had been frank, and officials on each side described the "
    "atmosphere as constructive despite the differences that remain between the governments.",
    "A further meeting of deputy ministers is planned before the summer, a spokesman said.",
]

HTML_PAGE = f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Ministers agree to meet again | Example Wire</title>
<meta property="og:title" content="Ministers agree to meet again">
<meta property="og:site_name" content="Example Wire">
<meta property="article:published_time" content="2020-03-03T09:15:00+01:00">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<article>
<h1>Ministers agree to meet again</h1>
<p>{BODY}</p>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
</article>
<footer><p>Copyright Example Wire. All rights reserved.</p></footer>
</body></html>
"""

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Example Wire</title><link>https://wire.example/</link>
<description>World news</description>
<item><title>Ministers agree to meet again</title>
<link>https://wire.example/1</link><guid>https://wire.example/1</guid>
<pubDate>Tue, 03 Mar 2020 09:15:00 +0100</pubDate>
<description>Short summary only.</description>
<content:encoded><![CDATA[<p>{BODY}</p><p>{PARAGRAPHS[0]}</p>]]></content:encoded>
</item>
<item><title>Empty entry</title><link>https://wire.example/2</link></item>
<item><title>Second story</title><link>https://wire.example/3</link>
<pubDate>Wed, 04 Mar 2020 10:00:00 +0100</pubDate>
<description>{PARAGRAPHS[1]}</description></item>
</channel></rss>
"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Example Wire</title><id>urn:example:wire</id><updated>2020-03-03T09:15:00Z</updated>
<entry><title>Ministers agree to meet again</title><id>urn:example:1</id>
<link href="https://wire.example/1"/>
<published>2020-03-03T09:15:00+01:00</published><updated>2020-03-03T10:00:00+01:00</updated>
<content type="html">&lt;p&gt;{BODY}&lt;/p&gt;&lt;p&gt;{PARAGRAPHS[2]}&lt;/p&gt;</content>
</entry>
</feed>
"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss version="2.0"><channel><title>&lol3;</title>
<item><title>x</title><description>&lol3;</description></item></channel></rss>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title>
<item><title>x</title><description>&secret;</description></item></channel></rss>
"""


def read(*paths: object, settings: Settings = SETTINGS) -> list[RawDocument | InputError]:
    return list(read_inputs([str(p) for p in paths], settings))


def one_error(path: Path, settings: Settings = SETTINGS) -> InputError:
    (result,) = read(path, settings=settings)
    assert isinstance(result, InputError), result
    assert result.source == str(path)
    assert "\n" not in result.reason
    return result


# --------------------------------------------------------------------------- text scrapes


def test_seeds_are_text_scrapes(shared_dir: Path) -> None:
    docs = read(SEEDS)
    assert [type(d) for d in docs] == [RawDocument] * 5
    assert all(isinstance(d, RawDocument) and d.format == "text" for d in docs)
    first = docs[0]
    assert isinstance(first, RawDocument)
    assert first.text == sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")


def test_folders_recursive_and_globs(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("Title\n\n" + BODY, encoding="utf-8")
    (tmp_path / "a" / "b" / "two.txt").write_text("Title\n\n" + BODY, encoding="utf-8")
    (tmp_path / "a" / ".hidden.txt").write_text("Title\n\n" + BODY, encoding="utf-8")
    assert [d.source for d in read(tmp_path)] == [
        str(tmp_path / "a" / "b" / "two.txt"),
        str(tmp_path / "a" / "one.txt"),
    ]
    assert len(read(f"{tmp_path}/**/*.txt")) == 2
    assert len(read(f"{tmp_path}/a/*.txt")) == 1


# --------------------------------------------------------------------------- bad inputs


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty" in one_error(path).reason


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text(" \n\t\n  \n", encoding="utf-8")
    assert "empty" in one_error(path).reason


@pytest.mark.parametrize(
    "data", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, b"abc\x00\x01\x02def" * 100]
)
def test_binary_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "picture.txt"
    path.write_bytes(data)
    assert "binary" in one_error(path).reason


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (
            "Министр иностранных дел России провёл переговоры с японским коллегой в Москве. "
            "Стороны договорились продолжить консультации по мирному договору.",
            "cp1251",
        ),
        (
            "Le ministre des Affaires étrangères a rencontré son homologue à Genève. "
            "Les deux délégations ont évoqué la coopération économique et la sécurité régionale.",
            "latin-1",
        ),
    ],
)
def test_non_utf8_encodings_are_detected(tmp_path: Path, text: str, codec: str) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(("Title\n\n" + text * 3).encode(codec))
    (doc,) = read(path)
    assert isinstance(doc, RawDocument)
    assert text in doc.text
    assert doc.encoding != "utf-8"


@pytest.mark.parametrize(("codec", "name"), [("utf-16", "utf-16"), ("utf-8-sig", "utf-8")])
def test_byte_order_marks(tmp_path: Path, codec: str, name: str) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(("Title\n\n" + BODY).encode(codec))
    (doc,) = read(path)
    assert isinstance(doc, RawDocument)
    assert doc.text == "Title\n\n" + BODY
    assert doc.encoding == f"{name} (BOM)"


def test_truncated_html_without_main_text(tmp_path: Path) -> None:
    path = tmp_path / "cut.html"
    path.write_text(HTML_PAGE[: HTML_PAGE.index("<article>")], encoding="utf-8")
    assert "no main text" in one_error(path).reason


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Title\n\n" + BODY * 50, encoding="utf-8")
    error = one_error(path, Settings(max_input_bytes=1000))
    assert "too large" in error.reason and "1000" in error.reason


def test_unreadable_paths(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    assert "no such file" in one_error(missing).reason
    (link := tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    assert "cannot read" in one_error(link).reason
    (error,) = read(f"{tmp_path}/*.none")
    assert isinstance(error, InputError) and "no file matches" in error.reason


@pytest.mark.parametrize(
    "content",
    [
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>',
        '[{"title": "an array, not lines"}]',
        '{"not": "closed"\n',
    ],
)
def test_unknown_formats(tmp_path: Path, content: str) -> None:
    path = tmp_path / "thing.dat"
    path.write_text(content, encoding="utf-8")
    assert "unknown format" in one_error(path).reason


def test_one_bad_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    (tmp_path / "1.txt").write_text("Title\n\n" + BODY, encoding="utf-8")
    (tmp_path / "2.txt").write_bytes(b"")
    (tmp_path / "3.bin").write_bytes(b"\x00\x01" * 50)
    (tmp_path / "4.txt").write_text("Other\n\n" + BODY, encoding="utf-8")
    results = read(tmp_path, tmp_path / "missing.txt")
    assert [type(r).__name__ for r in results] == [
        "RawDocument",
        "InputError",
        "InputError",
        "RawDocument",
        "InputError",
    ]


# --------------------------------------------------------------------------- JSON Lines


def test_jsonl_bad_line_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    lines = [
        '{"broken first line": ',
        json.dumps(
            {
                "url": "https://wire.example/1",
                "title": "One",
                "text": BODY,
                "published": "2020-03-03T09:15:00+01:00",
                "outlet": "Example Wire",
            }
        ),
        '{"title": "broken", "text": ',
        "",
        json.dumps({"title": "No body"}),
        json.dumps({"title": "From HTML", "html": HTML_PAGE}),
        json.dumps(["not", "an", "object"]),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = read(path)
    assert [(type(r).__name__, r.source) for r in results] == [
        ("InputError", f"{path}:1"),
        ("RawDocument", f"{path}:2"),
        ("InputError", f"{path}:3"),
        ("InputError", f"{path}:5"),
        ("RawDocument", f"{path}:6"),
        ("InputError", f"{path}:7"),
    ]
    first, html_doc = results[1], results[4]
    assert isinstance(first, RawDocument) and isinstance(html_doc, RawDocument)
    assert (first.format, first.url, first.title, first.published, first.outlet) == (
        "jsonl",
        "https://wire.example/1",
        "One",
        "2020-03-03T09:15:00+01:00",
        "Example Wire",
    )
    assert html_doc.format == "jsonl" and html_doc.title == "From HTML"
    assert PARAGRAPHS[0] in html_doc.text and "Home" not in html_doc.text
    assert "invalid JSON" in results[2].reason  # type: ignore[union-attr]


def test_jsonl_is_read_lazily_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    record = json.dumps({"title": "t", "text": BODY})
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(3000):
            handle.write(record + "\n")
    settings = Settings(max_input_bytes=len(record) + 10)  # the file is far larger
    stream = read_inputs([path], settings)
    first = list(islice(stream, 2))
    assert [d.source for d in first] == [f"{path}:1", f"{path}:2"]
    assert sum(1 for _ in stream) == 2998


# --------------------------------------------------------------------------- HTML


def test_html_page_main_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"  # the content decides, not the extension
    path.write_text(HTML_PAGE, encoding="utf-8")
    (doc,) = read(path)
    assert isinstance(doc, RawDocument)
    assert doc.format == "html"
    assert doc.title == "Ministers agree to meet again"
    assert doc.outlet == "Example Wire"
    assert doc.published == "2020-03-03T09:15:00+01:00"
    assert BODY in doc.text and all(p in doc.text for p in PARAGRAPHS)
    assert "All rights reserved" not in doc.text and "World" not in doc.text.split("\n")


def test_html_date_from_htmldate_when_no_meta(tmp_path: Path) -> None:
    page = HTML_PAGE.replace(
        '<meta property="article:published_time" content="2020-03-03T09:15:00+01:00">', ""
    )
    page = page.replace("<article>", '<article><time datetime="2020-03-03">3 March 2020</time>')
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    (doc,) = read(path)
    assert isinstance(doc, RawDocument) and doc.published == "2020-03-03"


# --------------------------------------------------------------------------- feeds


def test_rss_feed_with_full_content(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(RSS, encoding="utf-8")
    results = read(path)
    assert [(type(r).__name__, r.source) for r in results] == [
        ("RawDocument", f"{path}#1"),
        ("InputError", f"{path}#2"),
        ("RawDocument", f"{path}#3"),
    ]
    first = results[0]
    assert isinstance(first, RawDocument)
    assert first.format == "feed" and first.outlet == "Example Wire"
    assert first.text.split("\n") == [BODY, PARAGRAPHS[0]]  # content:encoded beats the summary
    assert first.url == "https://wire.example/1"
    assert first.published == "Tue, 03 Mar 2020 09:15:00 +0100"
    assert results[2].text == PARAGRAPHS[1]  # type: ignore[union-attr]


def test_atom_feed(tmp_path: Path) -> None:
    path = tmp_path / "atom.feed"
    path.write_text(ATOM, encoding="utf-8")
    (doc,) = read(path)
    assert isinstance(doc, RawDocument)
    assert doc.text.split("\n") == [BODY, PARAGRAPHS[2]]
    assert (doc.title, doc.url, doc.published) == (
        "Ministers agree to meet again",
        "https://wire.example/1",
        "2020-03-03T09:15:00+01:00",
    )


@pytest.mark.parametrize("feed", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["bomb", "external"])
def test_xml_entity_tricks_are_refused(tmp_path: Path, feed: str) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(feed, encoding="utf-8")
    assert "unsafe XML" in one_error(path).reason


def test_malformed_feed_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.rss"
    path.write_text(RSS[: len(RSS) // 2], encoding="utf-8")
    assert "not well-formed" in one_error(path).reason


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("text", "suffix", "kind"),
    [
        ("Title\n\nMOSCOW, May 10. /TASS/. Body.", ".html", "text"),
        ("<p>Just a paragraph</p>", ".html", "html"),
        ("<html><body><p>x</p></body></html>", ".txt", "html"),
        (RSS, ".txt", "feed"),
        (ATOM, "", "feed"),
        ('{"text": "x"}\n{"text": "y"}', ".txt", "jsonl"),
        ("a < b and c > d, the minister said.", ".txt", "text"),
    ],
)
def test_detect_format_from_content(text: str, suffix: str, kind: str) -> None:
    assert detect_format(text, suffix) == kind


def test_decode_bytes_rejects_binary() -> None:
    with pytest.raises(ValueError, match="binary"):
        decode_bytes(b"\x00\x00\x01garbage")
