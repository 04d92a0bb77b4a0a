"""The quotes stage: sentence -> (speaker, cue, content), and the real seeds."""

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


def run(context: Context, text: str, day: str = "2019-05-10") -> Article:
    article = Article(id="t", text=text, published=PublicationDate(day, "day", "inferred"))
    context.doc = context.nlp(text)
    article = get_stage("actors").func(article, context)
    return get_stage("quotes").func(article, context)


def triples(article: Article) -> list[tuple[str | None, str | None, str, str]]:
    return [(q.speaker_id, q.cue, q.kind, q.text) for q in article.quotes]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"We are ready," Lavrov said.',
         [("sergey-lavrov", "said", "direct", "We are ready")]),
        ("“We are ready,” Sergei Lavrov said.",
         [("sergey-lavrov", "said", "direct", "We are ready")]),
        ('Lavrov said: "We are ready to talk."',
         [("sergey-lavrov", "said", "direct", "We are ready to talk.")]),
        ('"It is hard," Lavrov said, adding that "it takes time."',
         [("sergey-lavrov", "said", "direct", "It is hard"),
          ("sergey-lavrov", "adding", "direct", "it takes time.")]),
        ('Lavrov arrived. "We need more time," he went on to say.',
         [("sergey-lavrov", "went on to say", "direct", "We need more time")]),
        # the complementizer belongs to the reported clause (PARC, PolNeAR)
        ("Taro Kono told reporters that Tokyo was ready for dialogue.",
         [("taro-kono", "told", "indirect", "that Tokyo was ready for dialogue")]),
        ("According to Lavrov, security is another important issue.",
         [("sergey-lavrov", "According to", "indirect", "security is another important issue")]),
        ('Lavrov said the differences were "still big."',
         [("sergey-lavrov", "said", "partial", 'the differences were "still big."')]),
        ('"As was announced by [Russian] President [Vladimir] Putin, we agree," he stated.',
         [(None, "stated", "direct",
           "As was announced by [Russian] President [Vladimir] Putin, we agree")]),
    ],
)
def test_quote_triples(context: Context, text: str, expected: list[tuple]) -> None:
    assert triples(run(context, text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        'The film "Tokyo Story" was shown in Moscow.',
        'The so-called "reset" of relations failed.',
        "The declaration said that the islands would be handed over.",
        "The talks lasted three hours.",
        "",
    ],
)
def test_sentences_without_quotes(context: Context, text: str) -> None:
    assert run(context, text).quotes == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # belief: the clause the verb governs
        ("Kono believes that the islands question can be settled soon.",
         [("taro-kono", "believes", "indirect",
           "that the islands question can be settled soon")]),
        ("The minister fears the talks will stall again.",
         [(None, "fears", "indirect", "the talks will stall again")]),
        # evidence: a poll may "show", but not "say"
        ("A new poll shows that most voters back the treaty.",
         [(None, "shows", "indirect", "that most voters back the treaty")]),
        # intention: the infinitive
        ("Lavrov wants to hold another round of talks in June.",
         [("sergey-lavrov", "wants", "indirect", "to hold another round of talks in June")]),
        ("The Japanese side pledged to continue the dialogue.",
         [("JPN-GOV", "pledged", "indirect", "to continue the dialogue")]),
        # stance: the object with its complements
        ("Lavrov criticized the deployment of missile systems on Hokkaido.",
         [("sergey-lavrov", "criticized", "indirect",
           "the deployment of missile systems on Hokkaido")]),
        ("Kono called the proposal unacceptable.",
         [("taro-kono", "called", "indirect", "the proposal unacceptable")]),
        ("Lavrov cited the 1960 memorandum as proof of a broken commitment.",
         [("sergey-lavrov", "cited", "indirect",
           "the 1960 memorandum as proof of a broken commitment")]),
        # prepositional stance: the object of the preposition
        ("Kono called for a speedy conclusion of the peace treaty.",
         [("taro-kono", "called for", "indirect",
           "a speedy conclusion of the peace treaty")]),
        ("Lavrov warned against attempts to rewrite the results of the war.",
         [("sergey-lavrov", "warned against", "indirect",
           "attempts to rewrite the results of the war")]),
    ],
)
def test_stance_attributions(context: Context, text: str, expected: list[tuple]) -> None:
    assert triples(run(context, text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        # stance verbs without a subject that can hold a view, or without content
        "The weather shows that winter has come early.",
        "The ferry wants repairs before the winter.",
        "Lavrov called Kono on Tuesday.",
        "Kono called a press conference.",
        "The rain pointed to nothing in particular.",
        "The memorandum rejected the declaration.",
    ],
)
def test_stance_verbs_that_yield_nothing(context: Context, text: str) -> None:
    assert run(context, text).quotes == []


def test_transcript_turns_are_quotes(context: Context) -> None:
    text = ("Partial transcript as follows:\n\nHOST: Will the talks go ahead?\n\n"
            "LAVROV: We are ready to meet in June.\n\nHOST: Thank you.\n\n"
            "CORRECTION: An earlier version misspelled a name.")
    quotes = run(context, text).quotes
    assert [(q.kind, q.speaker_text, q.text) for q in quotes] == [
        ("indirect", "HOST", "Will the talks go ahead?"),
        ("indirect", "LAVROV", "We are ready to meet in June."),
        ("indirect", "HOST", "Thank you."),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lavrov: Tokyo must accept the results of the war\n\nThe minister spoke in Moscow.",
         [("sergey-lavrov", "indirect", "Tokyo must accept the results of the war")]),
        ("Update: The talks were moved to Friday.", []),
        ("NOTE: one label alone is no transcript.", []),
    ],
)
def test_headline_turns(context: Context, text: str, expected: list[tuple]) -> None:
    quotes = run(context, text).quotes
    assert [(q.speaker_id, q.kind, q.text) for q in quotes] == expected


def test_quote_has_when_where_and_spans(context: Context) -> None:
    text = 'TOKYO, February 25. /TASS/. "We have agreed," the Japanese Foreign Ministry stated.'
    (quote,) = run(context, text, "2019-02-25").quotes
    assert quote.speaker_id == "JPN-MFA"
    assert quote.place == "Tokyo"
    assert quote.date == "2019-02-25"
    assert quote.speaker_span is not None and quote.cue_span is not None
    speaker = text[quote.speaker_span.start : quote.speaker_span.end]
    assert speaker == "the Japanese Foreign Ministry"
    assert text[quote.cue_span.start : quote.cue_span.end] == "stated"
    assert quote.sentence_span is not None
    assert text[quote.sentence_span.start : quote.sentence_span.end].startswith('"We have')


def test_quotation_running_over_paragraphs(context: Context) -> None:
    text = ('"We have waited long enough.\n\n"Now it is time to act," Lavrov said. "Soon.\n\n'
            '"Very soon."\n\nThe talks ended.')
    quotes = run(context, text).quotes
    assert [(q.speaker_id, q.text) for q in quotes] == [
        ("sergey-lavrov", "We have waited long enough."),
        ("sergey-lavrov", "Now it is time to act"),
        ("sergey-lavrov", "Soon."),
        ("sergey-lavrov", "Very soon."),
    ]


def test_a_quotation_signed_with_a_dash(context: Context) -> None:
    text = "“We want the islands back.” ― Ivan Petrovsky, a fisherman"
    (quote,) = run(context, text).quotes
    assert (quote.kind, quote.cue, quote.text) == ("direct", "―", "We want the islands back.")
    assert quote.speaker_text == "Ivan Petrovsky"


def test_continued_quotation_keeps_the_speaker(context: Context) -> None:
    text = '"We are ready," the Russian top diplomat said. "We will wait."'
    quotes = run(context, text).quotes
    assert [(q.speaker_id, q.kind, q.text) for q in quotes] == [
        ("sergey-lavrov", "direct", "We are ready"),
        ("sergey-lavrov", "direct", "We will wait."),
    ]


@pytest.mark.parametrize("seed", sorted(SEED_DAYS))
def test_seed_golden_quotes(context: Context, seed: str) -> None:
    """The ``quotes:`` golden section, on the raw seed text."""
    import goldcheck.quotes

    text = seed_path(seed).read_text(encoding="utf-8")
    gold = yaml.safe_load((ROOT / "tests" / "gold" / f"seed_{seed}.yaml").read_text())
    goldcheck.quotes.check(run(context, text, SEED_DAYS[seed]), gold["quotes"])


def test_an_overlong_sentence_is_not_read_for_quotes_or_events(context: Context) -> None:
    """A run-on "sentence" of thousands of tokens (a feed dump, a hostile line) is not
    prose: its clauses are not read (that cost time quadratic in its length); the
    sentences around it still are."""
    from parley.nlp import LONGEST_SENTENCE

    run_on = "Lavrov said " * LONGEST_SENTENCE
    text = f"Taro Kono told reporters that Tokyo was ready for dialogue.\n\n{run_on}\n\n" \
           "Russia and Japan signed an agreement on Friday."
    article = run(context, text)
    assert triples(article) == [
        ("taro-kono", "told", "indirect", "that Tokyo was ready for dialogue")]
    article = get_stage("timex").func(article, context)
    article = get_stage("events").func(article, context)
    assert article.events and all(
        not text[e.sentence_span.start:e.sentence_span.end].startswith("Lavrov said")
        for e in article.events)
    shorter = run(context, "Lavrov said " * 3 + "that talks would go on.")
    assert shorter.quotes  # the same cue in a sentence of prose length is read
