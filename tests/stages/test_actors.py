"""The actors stage on short sentences and on the real seeds (read from ../shared)."""

from __future__ import annotations

import pytest
import yaml

from parley.model import Article, PublicationDate
from parley.pipeline import Context, get_stage
from paths import ROOT, seed_path

SEED_DAYS = {"000": "2019-05-10", "001": "2015-10-08", "002": "2018-12-07",
             "003": "2019-05-10", "004": "2019-02-25"}


@pytest.fixture(scope="module")
def context() -> Context:
    return Context()


def run(context: Context, text: str, day: str | None = "2019-05-10") -> Article:
    published = PublicationDate(day, "day", "inferred") if day else None
    article = Article(id="t", text=text, published=published)
    context.doc = context.nlp(text)
    return get_stage("actors").func(article, context)


def resolved(article: Article) -> list[tuple[str, str | None]]:
    return [(m.text, m.actor_id) for m in article.mentions]


@pytest.mark.parametrize(
    ("sentence", "day", "expected"),
    [
        ("Sergei Lavrov met Taro Kono in Moscow.", "2019-05-10",
         [("Sergei Lavrov", "sergey-lavrov"), ("Taro Kono", "taro-kono")]),
        ("Japan's foreign minister said the talks would go on.", "2019-05-10",
         [("Japan's foreign minister", "taro-kono")]),
        ("Japan's foreign minister said the talks would go on.", "2015-09-21",
         [("Japan's foreign minister", "fumio-kishida")]),
        ("The Japanese foreign minister arrived.", "2019-09-12",
         [("Japanese foreign minister", "toshimitsu-motegi")]),
        ("Lavrov arrived on Friday. He said the talks were useful.", "2019-05-10",
         [("Lavrov", "sergey-lavrov"), ("He", "sergey-lavrov")]),
        ("Moscow insists on its position.", "2019-05-10", [("Moscow", "RUS-GOV")]),
        ("MOSCOW, May 10. Talks were held in Tokyo.", "2019-05-10", []),
        ("The Soviet government withdrew the offer.", "1960-01-27",
         [("Soviet government", "SUN-GOV")]),
        ("The weather was fine and the harvest was good.", "2019-05-10", []),
        ("A minister said nothing.", "2019-05-10", [("minister", None)]),
    ],
)
def test_mentions_resolve(context: Context, sentence: str, day: str,
                          expected: list[tuple[str, str | None]]) -> None:
    assert resolved(run(context, sentence, day)) == expected


def test_apposition_is_recorded_and_counterpart_uses_the_date(context: Context) -> None:
    text = "Russian Foreign Minister Sergey Lavrov met his Japanese counterpart on Friday."
    article = run(context, text, "2019-05-10")
    lavrov = next(m for m in article.mentions if m.actor_id == "sergey-lavrov")
    assert lavrov.office == "Russian Foreign Minister"
    assert ("Japanese counterpart", "taro-kono") in resolved(article)
    earlier = run(context, text, "2016-03-01")
    assert ("Japanese counterpart", "fumio-kishida") in resolved(earlier)


def test_pronoun_skips_people_inside_quotes(context: Context) -> None:
    text = ('Lavrov spoke to reporters. "As President Putin has said, we are ready," '
            "he went on to say.")
    article = run(context, text)
    assert ("he", "sergey-lavrov") in resolved(article)
    assert ("Putin", "vladimir-putin") in resolved(article)


def test_the_ministry_is_the_last_ministry_named(context: Context) -> None:
    text = "The Japanese Foreign Ministry said so. The ministry added nothing."
    assert ("The ministry", "JPN-MFA") in resolved(run(context, text))


def test_unknown_people_are_kept_with_a_stable_id(context: Context) -> None:
    text = "Ivan Petrovsky, a local farmer, said the harvest was poor. Petrovsky smiled."
    first = run(context, text)
    unknown = [a for a in first.actors if not a.in_kb]
    assert [a.name for a in unknown] == ["Ivan Petrovsky"]
    assert unknown[0].kind == "person"
    again = run(context, text)
    assert [a.id for a in again.actors if not a.in_kb] == [unknown[0].id]
    assert [m.actor_id for m in first.mentions] == [unknown[0].id] * 2


def test_an_unresolvable_name_leaves_the_others(context: Context) -> None:
    # two KB people are called Mori and neither was in office on this day
    article = run(context, "Mori and Sergey Lavrov spoke on the phone.", "1995-01-01")
    assert ("Mori", None) in resolved(article)
    assert ("Sergey Lavrov", "sergey-lavrov") in resolved(article)
    assert [a.id for a in article.actors] == ["sergey-lavrov"]


def test_actors_are_only_those_mentioned(context: Context) -> None:
    article = run(context, "Shinzo Abe visited Singapore.", "2018-11-14")
    assert {a.id for a in article.actors} == {"shinzo-abe", "SGP"}
    assert all(article.text[m.span.start : m.span.end] == m.text for m in article.mentions)


@pytest.mark.parametrize("seed", sorted(SEED_DAYS))
def test_seed_golden_actors(context: Context, seed: str) -> None:
    """The ``actors:`` golden section, on the raw seed text (the full pipeline's run
    is checked by tests/test_gold.py)."""
    import goldcheck.actors

    text = seed_path(seed).read_text(encoding="utf-8")
    gold = yaml.safe_load((ROOT / "tests" / "gold" / f"seed_{seed}.yaml").read_text())
    goldcheck.actors.check(run(context, text, SEED_DAYS[seed]), gold["actors"])


def test_actor_code_is_that_of_the_office_held_on_the_day(context: Context) -> None:
    as_minister = run(context, "Taro Kono spoke.", "2019-05-10")
    assert as_minister.actor("taro-kono").code == "JPNGOV"  # type: ignore[union-attr]
    as_defence_minister = run(context, "Taro Kono spoke.", "2020-01-10")
    assert as_defence_minister.actor("taro-kono").code == "JPNMIL"  # type: ignore[union-attr]


def _actor(article: Article, actor_id: str | None):  # type: ignore[no-untyped-def]
    return next(a for a in article.actors if a.id == actor_id)


@pytest.mark.parametrize(
    ("sentence", "anchor", "kind", "country", "code"),
    [
        ("Iraqi police arrested five men.", "Iraqi police", "group", "IRQ", "IRQCOP"),
        ("Afghan troops entered the town.", "Afghan troops", "group", "AFG", "AFGMIL"),
        ("Protesters in Cairo demanded new elections.", "Protesters", "group", "EGY",
         "EGYOPP"),
        ("Serbian officials rejected the plan.", "Serbian officials", "group", "SRB", "SRBGOV"),
        ("A Syrian official said the talks had failed.", "Syrian official", "person", "SYR",
         "SYRGOV"),
        ("Hungarian Prime Minister Ferenc Nemeth Kovacs arrived in Vienna.",
         "Ferenc Nemeth Kovacs", "person", "HUN", "HUNGOV"),
    ],
)
def test_unknown_actors_take_the_country_their_phrase_states(
    context: Context, sentence: str, anchor: str, kind: str, country: str, code: str
) -> None:
    article = run(context, sentence, "2019-05-10")
    mention = next(m for m in article.mentions if m.text.endswith(anchor))
    actor = _actor(article, mention.actor_id)
    assert (actor.kind, actor.country, actor.code, actor.in_kb) == (kind, country, code, False)


@pytest.mark.parametrize(
    "sentence",
    ["Police arrested five men.", "The soldiers in the story were tired.",
     "Officials said nothing."],
)
def test_group_nouns_without_a_country_make_no_actor(context: Context, sentence: str) -> None:
    article = run(context, sentence, "2019-05-10")
    assert [a for a in article.actors if a.kind == "group"] == []


def test_we_in_a_quote_is_the_speakers_government(context: Context) -> None:
    text = ('"We have agreed to meet again," Lavrov said.\n\n'
            '"Our position is clear," the Japanese Foreign Ministry said.\n\n'
            'We will see.')
    article = run(context, text, "2019-05-10")
    sides = [(m.text, m.actor_id) for m in article.mentions if m.kind == "speaker side"]
    assert sides == [("We", "RUS-GOV"), ("Our", "JPN-GOV")]  # the last "We" is unquoted


def test_sentence_starts_are_those_of_the_parse() -> None:
    """The per-parse table of sentence starts answers as ``Token.sent.start`` does."""
    from parley.stages.actors import _sentence_index

    doc = Context().nlp("Lavrov met Kono. They talked for hours.\n\nPutin said nothing. " * 3)
    assert [_sentence_index(doc, t.i) for t in doc] == [t.sent.start for t in doc]
