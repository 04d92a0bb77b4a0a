"""Hostile text in every field, rendered in Chromium: nothing may execute.

The payloads (``web/payloads.py``) would set ``window.__xss``, change
``document.title`` or open a dialog if they ever ran.  Pages are opened with the
Content-Security-Policy *bypassed*, so that escaping alone is what is tested
(the CSP is a second wall, checked in ``test_api.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parley.web import create_app
from web.payloads import OTHER, PAYLOADS, SPEAKER, VISIBLE, hostile_file

pytestmark = pytest.mark.browser
TOKEN = "xss-test-token"

#: counts every element attribute that could run script, and every script element
#: that is not ours; both must be zero
_DOM_CHECK = """() => {
  const handlers = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value.trim().toLowerCase();
      if (attr.name.startsWith('on') || value.startsWith('javascript:')
          || (attr.name === 'srcdoc')) handlers.push(el.tagName + ' ' + attr.name);
    }
  }
  const scripts = Array.from(document.scripts).map(s => s.getAttribute('src'))
    .filter(src => src !== '/static/app.js');
  const embeds = document.querySelectorAll('iframe, object, embed, math, body svg:not(.trend)');
  return {handlers, scripts, embeds: embeds.length, xss: window.__xss === undefined ? null
          : String(window.__xss), title: document.title};
}"""


@pytest.fixture(scope="module")
def site(hostile_store: str, live_server: Any) -> Iterator[str]:
    with live_server(create_app(hostile_store, token=TOKEN)) as server:
        yield server.url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900})
    opened = context.new_page()
    opened.dialogs = []

    def on_dialog(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    opened.on("dialog", on_dialog)
    yield opened
    context.close()


def _assert_inert(page: Any, url: str) -> str:
    """Open ``url``, wait for anything that might run, check nothing did; the visible text."""
    page.goto(url)
    page.wait_for_load_state("load")
    for summary in page.locator("details > summary").all()[:20]:
        summary.click()  # opened <details> must not run anything either (ontoggle)
    page.wait_for_timeout(150)
    found = page.evaluate(_DOM_CHECK)
    assert found["xss"] is None, f"payload executed on {url}"
    assert found["title"] != "pwned", f"title changed on {url}"  # the payload sets exactly this
    assert found["handlers"] == [], f"script-bearing attributes on {url}: {found['handlers']}"
    assert found["scripts"] == [], f"foreign <script> on {url}: {found['scripts']}"
    assert found["embeds"] == 0, f"embedded frames/objects on {url}"
    assert page.dialogs == [], f"a dialog opened on {url}"
    return str(page.locator("body").inner_text())


def test_hostile_records_never_execute(page: Any, site: str, artifacts: Path) -> None:
    timeline = page.request.get(f"{site}/api/timeline").json()["items"]
    assert timeline, "the hostile store should have a merged event"
    pages = {
        "/": [VISIBLE],
        "/?" + "actor=" + "%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E": [VISIBLE],
        "/timeline": [VISIBLE, "We reject"],
        f"/timeline/{timeline[0]['id']}": [VISIBLE],
        "/articles/hostile00000001": [VISIBLE, PAYLOADS[8], PAYLOADS[12], PAYLOADS[15]],
        "/articles/hostile00000002": [VISIBLE],
        "/actors": [SPEAKER, OTHER],
        "/actors/xss-speaker": [SPEAKER, "Minister " + PAYLOADS[1]],
        "/actors/xss-other": [OTHER],
        "/search?q=Ivanov": ["Ivanov"],
        "/search?q=%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E": ["script"],
        "/search?q=reject+markers": [],
        "/dyads/RUS/JPN": [],
        "/ingest": [],
        "/no-such-page%3Cscript%3E": [],
    }
    for path, expected in pages.items():
        text = _assert_inert(page, site + path)
        for needle in expected:
            assert needle in text, f"{needle!r} not shown as text on {path}"
    page.goto(f"{site}/articles/hostile00000001")
    assert page.locator('a[href^="javascript"]').count() == 0
    assert page.locator(".text mark, .text b").count() == 0
    page.screenshot(path=str(artifacts / "xss-article.png"), full_page=True)


def test_hostile_upload_through_the_real_ingest(page: Any, site: str, tmp_path: Path,
                                                artifacts: Path) -> None:
    """A hostile scrape and file name, ingested and processed from the browser."""
    source = hostile_file(tmp_path)
    renamed = tmp_path / "<img src=x onerror=window.__xss=1>.txt"
    source.rename(renamed)
    garbage = tmp_path / "binary.txt"
    garbage.write_bytes(b"\x00\xff\xfe\x00" * 64)
    page.goto(f"{site}/ingest")
    page.set_input_files('input[name="files"]', [str(renamed), str(garbage)])
    page.fill('input[name="token"]', TOKEN)
    page.click('form.ingest button[type="submit"]')
    page.wait_for_selector("#job[data-state]", timeout=30_000)  # the job's page, at once
    assert page.locator("#job .state").inner_text() in ("queued", "ingesting", "processing",
                                                       "done")
    page.wait_for_selector('#job[data-state="done"]', timeout=120_000)  # polled by app.js
    rows = page.locator("table.results tbody tr").all_inner_texts()
    assert "ingested 1" in page.locator("#job .counts").inner_text()
    assert any("ingested" in row and "onerror" in row for row in rows), rows
    assert any("binary.txt" in row and "skipped" in row for row in rows), rows
    found = page.evaluate(_DOM_CHECK)
    assert found["xss"] is None and found["handlers"] == []
    page.screenshot(path=str(artifacts / "xss-ingest.png"), full_page=True)
    link = page.locator("table.results a").first.get_attribute("href")
    text = _assert_inert(page, site + link)
    assert VISIBLE in text or "<img src=x" in text
