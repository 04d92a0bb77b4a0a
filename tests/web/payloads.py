"""Hostile records for the XSS tests: every text field an attacker could control.

Each payload, if it ever ran, would set ``window.__xss`` or change
``document.title``; the tests open every page in Chromium and check neither
happened and that the payload text is shown, escaped, on the page.
"""

from __future__ import annotations

from pathlib import Path

from parley.model import (
    Actor,
    Article,
    Event,
    Mention,
    Office,
    Paragraph,
    PublicationDate,
    Quote,
    RemovedLine,
    Span,
    TimeExpr,
)

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    "<svg onload=window.__xss=1><script>document.title='pwned'</script></svg>",
    '<a href="javascript:window.__xss=1">click me</a>',
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=window.__xss=1>",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    "</textarea></title><script>window.__xss=1</script>",
    "<<script>script>window.__xss=1<</script>/script>",
    '<math><mi xlink:href="javascript:window.__xss=1">x</mi></math>',
    '<details open ontoggle="window.__xss=1">',
    "<body onload=window.__xss=1>",
    "{{ 7*7 }} {% raw %}",
    "[[<b onmouseover=window.__xss=1>]] ]] [[",
    '<object data="data:text/html,<script>parent.__xss=1</script>"></object>',
    "<!-- <script>window.__xss=1</script> -->",
]

#: an anchor of each payload that must appear as visible text on the page
VISIBLE = "<script>window.__xss=1</script>"
HOSTILE_DATE = "2020-01-15"


def _article(article_id: str, title: str, speaker_name: str, other_name: str) -> Article:
    """An article whose title, body, names, quotes and chrome all carry payloads."""
    quote_text = f"We reject {PAYLOADS[0]} and {PAYLOADS[1]}"
    paragraphs = [
        f"{speaker_name} met {other_name} on Wednesday {PAYLOADS[2]} {PAYLOADS[3]}.",
        f'"{quote_text}," {speaker_name} said after the talks.',
        f"Background {PAYLOADS[4]} {PAYLOADS[5]} {PAYLOADS[6]} {PAYLOADS[7]}",
        f"Broken markup {PAYLOADS[8]} {PAYLOADS[9]} {PAYLOADS[10]} {PAYLOADS[11]}",
        f"Template {PAYLOADS[12]} markers {PAYLOADS[13]} {PAYLOADS[14]} {PAYLOADS[15]}",
    ]
    text = "\n\n".join(paragraphs)
    spans = []
    position = 0
    for index, body in enumerate(paragraphs):
        start = text.index(body, position)
        spans.append(Paragraph(index, start, start + len(body), "body", background=index == 2))
        position = start + len(body)
    first = text.index(speaker_name)
    other = text.index(other_name)
    quote_start = text.index(quote_text)
    said = text.index(speaker_name, quote_start)
    second_paragraph = spans[1]
    wednesday = text.index("Wednesday")
    return Article(
        id=article_id,
        text=text,
        title=title,
        standfirst=f"Standfirst {PAYLOADS[1]}",
        url="javascript:window.__xss=1",
        source_path=f"hostile/{article_id}.txt",
        outlet=f"Outlet {PAYLOADS[5]}",
        dateline_city=f"CITY {PAYLOADS[0]}",
        section=PAYLOADS[3],
        published=PublicationDate(
            value=HOSTILE_DATE, precision="day", method="inferred",
            evidence=[f"evidence {PAYLOADS[2]}"],
        ),
        paragraphs=spans,
        removed=[RemovedLine(1, f"chrome {PAYLOADS[0]}", "site-chrome"),
                 RemovedLine(2, PAYLOADS[9], f"reason {PAYLOADS[1]}")],
        raw=text,
        actors=[
            Actor("xss-speaker", speaker_name, "person", country="RUS", code="RUSGOV",
                  aliases=[PAYLOADS[4]],
                  offices=[Office(f"Minister {PAYLOADS[1]}", "RUSGOV", start="2019-01-01",
                                  organisation=PAYLOADS[3])],
                  in_kb=False),
            Actor("xss-other", other_name, "person", country="JPN", code="JPNGOV",
                  in_kb=False),
        ],
        mentions=[
            Mention(Span(first, first + len(speaker_name)), speaker_name, "xss-speaker"),
            Mention(Span(other, other + len(other_name)), other_name, "xss-other"),
            Mention(Span(said, said + len(speaker_name)), speaker_name, "xss-speaker"),
        ],
        quotes=[Quote(
            id="q1", kind="direct", text=quote_text,
            span=Span(quote_start, quote_start + len(quote_text)), speaker_id="xss-speaker",
            speaker_text=speaker_name, speaker_span=Span(said, said + len(speaker_name)),
            cue="said", date=HOSTILE_DATE,
            sentence_span=Span(second_paragraph.start, second_paragraph.end),
        )],
        timexes=[TimeExpr("Wednesday", Span(wednesday, wednesday + 9), HOSTILE_DATE)],
        events=[Event(
            id="e1", cameo="040", plover="CONSULT", quad_class=1, goldstein=1.0,
            source_id="xss-speaker", target_id="xss-other",
            sentence_span=Span(spans[0].start, spans[0].end), trigger=f"met {PAYLOADS[7]}",
            date=HOSTILE_DATE, date_granularity="day", place=PAYLOADS[6], quote_ids=["q1"],
        )],
        stages_done=["clean", "dating", "actors", "timex", "quotes", "events"],
    )


SPEAKER = f"{PAYLOADS[0]} Ivanov"
OTHER = f"{PAYLOADS[1]} Tanaka"


def hostile_articles() -> list[Article]:
    return [
        _article("hostile00000001", f"Talks {PAYLOADS[0]} {PAYLOADS[2]}", SPEAKER, OTHER),
        _article("hostile00000002", f"Second report {PAYLOADS[1]} {PAYLOADS[8]}", SPEAKER, OTHER),
    ]


def build_hostile_store(db: str) -> None:
    """Store the hostile records and compute the timeline over them (real analysis)."""
    import parley
    from parley.analysis.timeline import update_corpus

    with parley.open_store(db) as store:
        for article in hostile_articles():
            store.add_article(article)
            store.save_annotations(article)
        update_corpus(store)


def hostile_file(folder: Path) -> Path:
    """A raw scrape whose title and body carry payloads, for the real ingest path."""
    path = folder / "hostile.txt"
    path.write_text(
        "All news\n\n"
        f"Minister {PAYLOADS[0]} says talks {PAYLOADS[1]} went well\n\n"
        f"MOSCOW, January 15. /TASS/. The minister {PAYLOADS[2]} said on Wednesday that "
        f"{PAYLOADS[3]} talks were useful.\n\n"
        f'"We will meet again {PAYLOADS[8]}," he said.\n',
        encoding="utf-8",
    )
    return path
