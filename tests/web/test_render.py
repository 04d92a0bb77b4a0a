"""Markup from untrusted text: escaping, highlight spans, snippets, links, the chart."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from defusedxml import ElementTree
from fastapi import HTTPException
from markupsafe import Markup

from parley.analysis.trend import MonthCount
from parley.store import open_store
from parley.web import render
from parley.web.filters import (
    FeedQuery,
    import_legacy_filters,
    legacy_filters_file,
    parse_dyad,
    save_filter,
    saved_filter,
    saved_filters,
    valid_id,
)
from parley.web.render import Highlight

TEMPLATES = Path(render.__file__).parent / "templates"


@pytest.mark.parametrize(("snippet", "html"), [
    ("the [[peace]] treaty", "the <mark>peace</mark> treaty"),
    ("[[<script>]]x", "<mark>&lt;script&gt;</mark>x"),
    ("unclosed [[mark", "unclosed <mark>mark</mark>"),
    ("stray ]] and [[a]] ]]", "stray ]] and <mark>a</mark> ]]"),
    ("[[[[nested]]]]", "<mark>[[nested</mark>]]"),
    ("no markers & <b>", "no markers &amp; &lt;b&gt;"),
    ("", ""),
])
def test_snippet_markers_become_balanced_marks(snippet: str, html: str) -> None:
    result = render.snippet_markup(snippet)
    assert str(result) == html
    assert result.count("<mark>") == result.count("</mark>")


def test_overlapping_highlights_never_cross_tags() -> None:
    text = 'He said "Lavrov & <Kono> met" today'
    quote = Highlight(8, 29, "quote", "direct quote")
    actor = Highlight(9, 15, "actor", "Sergey Lavrov", "/actors/lavrov")
    date = Highlight(30, 35, "date")
    html = str(render.highlight_text(text, 0, len(text), [quote, actor, date]))
    assert "&lt;Kono&gt;" in html and "<Kono>" not in html
    assert '<a href="/actors/lavrov"><span class="hl-actor hl-quote" title="direct quote; ' \
           'Sergey Lavrov">Lavrov</span></a>' in html
    assert '<span class="hl-date" title="">today</span>' in html
    assert re.sub(r"<[^>]+>", "", html) == str(Markup.escape(text))


def test_highlight_titles_are_escaped() -> None:
    mark = Highlight(0, 3, "actor", '"><script>x</script>', '/actors/a" onclick="x')
    html = str(render.highlight_text("abc", 0, 3, [mark]))
    assert "<script>" not in html and 'onclick="' not in html
    assert "&#34;&gt;&lt;script&gt;" in html


def test_only_http_urls_become_links() -> None:
    assert render.web_url("https://tass.com/politics/1") == "https://tass.com/politics/1"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x",
                "vbscript:x", "//evil.example/x", "tass.com", "", None):
        assert render.web_url(bad) is None, bad


def test_trend_chart_is_well_formed_svg_without_inline_style() -> None:
    months = [MonthCount("2019-02", cooperative=2, neutral=1, mean_goldstein=3.5),
              MonthCount("2019-05", cooperative=1, conflictual=2, mean_goldstein=-1.2)]
    svg = str(render.trend_svg(months))
    root = ElementTree.fromstring(svg)
    bars = [el for el in root.iter("rect")]
    assert [b.get("class") for b in bars] == ["bar coop", "bar neutral", "bar coop",
                                              "bar conflict"]
    assert "style=" not in svg
    assert "No events" in str(render.trend_svg([]))


def test_xml_safe_drops_characters_xml_forbids() -> None:
    assert render.xml_safe("a\x00b\x0bc\ufffed\n") == "abcd\n"


def test_ids_and_dyads_are_validated() -> None:
    assert valid_id("797c1adec0066e73") == "797c1adec0066e73"
    assert valid_id("tl-28b4bc1da63f") == "tl-28b4bc1da63f"
    for bad in ("..", "a/b", "a\\b", "a..b", "", " x", "x\n", "%2e%2e"):
        with pytest.raises(Exception, match="invalid"):
            valid_id(bad)
    assert parse_dyad("rus-jpn") == ("RUS", "JPN")
    assert parse_dyad("RUS, JPN") == ("RUS", "JPN")
    assert parse_dyad(None) is None


def test_saved_filters_round_trip_through_the_store(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "x.db")) as store:
        query = FeedQuery(topic="peace treaty", dyad="RUS-JPN", date_from="2019")
        save_filter(store, "Kurils", query)
        assert saved_filter(store, "Kurils") == query
        assert query.query_string() == "topic=peace+treaty&dyad=RUS-JPN&from=2019"
        with pytest.raises(HTTPException):
            save_filter(store, "../../etc", query)
        assert list(saved_filters(store)) == ["Kurils"]
        assert store.delete_filter("Kurils") and saved_filter(store, "Kurils") is None


def test_filters_of_an_old_json_file_are_imported_once(tmp_path: Path) -> None:
    legacy = legacy_filters_file(str(tmp_path / "x.db"))
    assert legacy == tmp_path / "x.filters.json"
    assert legacy_filters_file("postgresql://u@h/db") is None
    legacy.write_text(json.dumps({"Old": {"to": "2015-12-31"}, "Mine": {"outlet": "A"}}))
    with open_store(str(tmp_path / "x.db")) as store:
        store.save_filter("Mine", {"outlet": "B"})  # the store's own version wins
        assert import_legacy_filters(store, legacy) == 1
        assert store.filters() == {"Mine": {"outlet": "B"}, "Old": {"to": "2015-12-31"}}
        assert not legacy.exists()
        assert import_legacy_filters(store, legacy) == 0
        assert import_legacy_filters(store, None) == 0


def test_templates_never_mark_text_safe() -> None:
    """Article text reaches the page only escaped or through ``render``'s Markup."""
    for template in TEMPLATES.iterdir():
        source = template.read_text(encoding="utf-8")
        assert "|safe" not in source.replace(" ", ""), template.name
        assert "autoescape false" not in source, template.name
        assert not re.search(r"<script(?![^>]*\bsrc=)", source), template.name  # inline JS
        assert not re.search(r"<[^>]*\son\w+\s*=", source), template.name  # event handlers
        assert not re.search(r"\sstyle\s*=", source), template.name  # inline CSS
