"""End-to-end: the seeds in headless Chromium - timeline, an event, an article, search.

Screenshots go to ``test-artifacts/web/`` (desktop and 390 px phone width).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from parley.web import create_app

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def site(seeded_store: str, live_server: Callable[..., Any]) -> Iterator[str]:
    with live_server(create_app(seeded_store)) as server:
        yield server.url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: errors.append(str(e)))
    opened.console_errors = errors
    yield opened
    context.close()


def _seed_ids(page: Any, site: str) -> dict[str, str]:
    items = page.request.get(f"{site}/api/articles?limit=50").json()["items"]
    return {Path(i["source_path"]).name[:3]: i["id"] for i in items}


def test_timeline_shows_the_merged_talks_with_both_sources(
    page: Any, site: str, artifacts: Path
) -> None:
    """Acceptance: the 2019-05-10 Lavrov-Kono event lists seeds 000 and 003 as sources."""
    ids = _seed_ids(page, site)
    page.goto(f"{site}/timeline")
    assert page.locator("section.year h2").first.inner_text() == "1951"
    page.screenshot(path=str(artifacts / "timeline.png"), full_page=False)
    talks = [
        event for event in page.locator("details.event").all()
        if event.locator("summary time").inner_text() == "2019-05-10"
        and event.locator(f'.sources a[href="/articles/{ids["000"]}"]').count()
        and event.locator(f'.sources a[href="/articles/{ids["003"]}"]').count()
    ]
    assert talks, "no 2019-05-10 event with both seed 000 and seed 003 as sources"
    event = talks[0]
    assert not event.locator(".sources").is_visible()
    event.locator("summary").click()
    assert event.locator(".sources").is_visible()
    assert "Lavrov" in event.locator("summary").inner_text()
    columns = event.locator(".sides .side")
    assert columns.count() >= 2
    assert columns.nth(0).locator("blockquote.quote").count() >= 1  # the Russian side
    assert columns.nth(1).locator("blockquote.quote").count() >= 1  # the Japanese side
    event.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "timeline-event-open.png"))
    toggle = event.locator("button.toggle-sides")
    assert toggle.is_visible()
    toggle.click()
    assert "stacked" in (event.locator(".sides").get_attribute("class") or "")
    assert page.console_errors == []


def test_event_permalink_and_article_page(page: Any, site: str, artifacts: Path) -> None:
    ids = _seed_ids(page, site)
    page.goto(f"{site}/timeline")
    permalink = page.locator("details.event .permalink a").first.get_attribute("href")
    page.goto(f"{site}{permalink}")
    assert page.locator("h1").inner_text()
    page.goto(f"{site}/articles/{ids['000']}")
    assert "Lavrov" in page.locator("h1").inner_text()
    assert page.locator(".para.background").count() >= 2  # the recycled "Peace treaty issue" box
    assert page.locator(".para.fresh").count() >= 3
    assert page.locator(".text .hl-quote").count() >= 3
    assert page.locator(".text .hl-actor").count() >= 3
    assert page.locator(".text .hl-date").count() >= 1
    removed = page.locator("details.removed")
    assert not removed.locator("table").is_visible()
    removed.locator("summary").click()
    assert removed.locator("tbody tr").count() >= 3
    page.screenshot(path=str(artifacts / "article-000.png"), full_page=True)
    assert page.console_errors == []


def test_search_highlights_matches(page: Any, site: str, artifacts: Path) -> None:
    page.goto(f"{site}/search")
    page.fill('input[name="q"]', '"peace treaty" Kuril*')
    page.press('input[name="q"]', "Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator("ol.hits li").count() >= 3
    marks = page.locator("ol.hits mark").all_inner_texts()
    assert marks and all(m.lower().startswith(("peace", "treaty", "kuril")) for m in marks)
    page.screenshot(path=str(artifacts / "search.png"), full_page=True)
    page.fill('input[name="q"]', "NEAR(( -- ;")
    page.press('input[name="q"]', "Enter")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() in ("Search", "400")


def test_feed_show_more_and_other_media(page: Any, site: str, browser: Any,
                                        artifacts: Path) -> None:
    ids = _seed_ids(page, site)
    page.goto(f"{site}/")
    assert page.locator("article.item").count() == 5
    first = page.locator(f'article.item:has(h2 a[href="/articles/{ids["000"]}"])')
    assert first.locator(f'.others a[href="/articles/{ids["003"]}"]').count() == 1
    page.screenshot(path=str(artifacts / "feed.png"), full_page=True)
    phone = browser.new_context(viewport=PHONE, is_mobile=True, device_scale_factor=2)
    small = phone.new_page()
    for name, url in (("feed", "/"), ("timeline", "/timeline"),
                      ("article", f"/articles/{ids['003']}"), ("trend", "/dyads/RUS/JPN")):
        small.goto(f"{site}{url}")
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} scrolls sideways at phone width ({width}px)"
        small.screenshot(path=str(artifacts / f"phone-{name}.png"))
    phone.close()


def test_show_more_appends_the_next_page(page: Any, site: str) -> None:
    page.goto(f"{site}/")
    assert page.locator("a.more").count() == 0  # 5 articles fit on one page of 20
    page.goto(f"{site}/?limit=2")
    titles = page.locator("article.item h2").all_inner_texts()
    assert len(titles) == 2
    page.click("a.more")
    expect(page.locator("article.item")).to_have_count(4)  # (CSP forbids wait_for_function)
    assert page.url.endswith("/?limit=2")  # appended in place, no navigation
    page.click("a.more")
    expect(page.locator("article.item")).to_have_count(5)
    assert page.locator("a.more").count() == 0
    everything = page.locator("article.item h2").all_inner_texts()
    assert everything[:2] == titles and len(set(everything)) == 5
    assert page.console_errors == []


def test_trend_chart(page: Any, site: str, artifacts: Path) -> None:
    page.goto(f"{site}/dyads/RUS/JPN")
    assert page.locator("svg.trend rect.bar").count() >= 1
    page.screenshot(path=str(artifacts / "trend.png"), full_page=True)
