"""Gold checker for the ``clean:`` section: chrome removed line by line with its
reason, title/standfirst/dateline/section found, and every body line kept."""

from __future__ import annotations

from typing import Any

from parley.model import Article


def check(article: Article, expected: dict[str, Any]) -> None:
    lines = article.raw.splitlines()

    def line(number: int) -> str:
        return lines[number - 1].strip()

    removed = {r.line_no: r.reason for r in article.removed}
    assert removed == {int(k): v for k, v in expected["removed"].items()}
    for r in article.removed:
        assert r.text == line(r.line_no)

    assert article.title == line(expected["title_line"])
    assert article.standfirst == line(expected["standfirst_line"])
    assert article.section == expected["section"]
    dateline = expected["dateline"]
    assert article.dateline_city == dateline["city"]
    assert article.agency == dateline["agency"]
    assert article.outlet == expected["outlet"]
    assert article.dateline is not None and line(dateline["line"]).startswith(article.dateline)

    texts = article.paragraph_texts()
    assert len(texts) == expected["paragraphs"]
    assert "\n\n".join(texts) == article.text
    # the first paragraph is the dateline line without its dateline
    assert texts[0] == line(dateline["line"])[len(article.dateline) :].strip()
    headings = [p.index for p in article.paragraphs if p.kind == "heading"]
    assert [texts[i] for i in headings] == [line(n) for n in expected["headings"]]

    # body intact: every line that is not chrome, title or standfirst is a paragraph
    structural = {expected["title_line"], expected["standfirst_line"], dateline["line"]}
    body_lines = [
        line(n)
        for n in range(1, len(lines) + 1)
        if line(n) and n not in removed and n not in structural
    ]
    assert texts[1:] == body_lines
