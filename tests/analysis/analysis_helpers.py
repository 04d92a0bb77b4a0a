"""Hand-built articles for the analysis tests (own wording, no article text)."""

from __future__ import annotations

from parley.model import Actor, Article, Event, Paragraph, PublicationDate, Quote, Span

LAVROV = Actor("sergey-lavrov", "Sergey Lavrov", "person", country="RUS", code="RUSGOV")
KONO = Actor("taro-kono", "Taro Kono", "person", country="JPN", code="JPNGOV")
PUTIN = Actor("vladimir-putin", "Vladimir Putin", "person", country="RUS", code="RUSGOV")
ABE = Actor("shinzo-abe", "Shinzo Abe", "person", country="JPN", code="JPNGOV")
RUSSIA = Actor("RUS", "Russia", "country", country="RUS", code="RUS")
JAPAN = Actor("JPN", "Japan", "country", country="JPN", code="JPN")
SOVIET = Actor("SUN", "Soviet Union", "country", country="SUN", code="RUS")


def article(
    article_id: str,
    published: str,
    paragraphs: list[str],
    *,
    actors: tuple[Actor, ...] = (),
) -> Article:
    text = ""
    records = []
    for index, body in enumerate(paragraphs):
        if text:
            text += "\n\n"
        records.append(Paragraph(index, len(text), len(text) + len(body)))
        text += body
    return Article(
        id=article_id,
        text=text,
        title=f"title of {article_id}",
        published=PublicationDate(published, "day", "explicit"),
        paragraphs=records,
        actors=list(actors),
    )


def add_event(
    art: Article,
    paragraph: int,
    cameo: str,
    source: Actor | None,
    target: Actor | None,
    date: str | None,
    *,
    quad_class: int = 1,
    goldstein: float = 4.0,
    place: str | None = None,
    modality: str = "occurred",
    plover: str = "CONSULT",
) -> Event:
    p = art.paragraphs[paragraph]
    event = Event(
        id=f"e{len(art.events)}",
        cameo=cameo,
        plover=plover,
        quad_class=quad_class,
        goldstein=goldstein,
        source_id=source.id if source else None,
        target_id=target.id if target else None,
        sentence_span=Span(p.start, p.end),
        trigger="met",
        date=date,
        date_granularity={4: "year", 7: "month", 10: "day"}.get(len(date or ""), "unknown"),
        place=place,
        modality=modality,  # type: ignore[arg-type]
    )
    art.events.append(event)
    for actor in (source, target):
        if actor is not None and art.actor(actor.id) is None:
            art.actors.append(actor)
    return event


def add_quote(art: Article, paragraph: int, speaker: Actor, *, kind: str = "direct",
              date: str | None = None) -> Quote:
    p = art.paragraphs[paragraph]
    quote = Quote(
        id=f"q{len(art.quotes)}", kind=kind,  # type: ignore[arg-type]
        text=art.text[p.start : p.end], span=Span(p.start, p.end),
        speaker_id=speaker.id, speaker_text=speaker.name, date=date,
        sentence_span=Span(p.start, p.end),
    )
    art.quotes.append(quote)
    if art.actor(speaker.id) is None:
        art.actors.append(speaker)
    return quote
