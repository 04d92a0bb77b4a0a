"""The actor knowledge base: it validates, finds people by any spelling, and knows
who held which office on a given day."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from parley.errors import KnowledgeError
from parley.knowledge import DATA_DIR, Knowledge, load_knowledge


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


def test_packaged_files_validate(kb: Knowledge) -> None:
    kb.validate()
    people = [a for a in kb.actors.values() if a.kind == "person"]
    assert len(people) >= 50
    assert {"RUS", "JPN", "USA", "CHN", "PRK", "KOR", "IRN", "SUN"} <= set(kb.countries)
    for org in ("UN", "OSCE", "ASEAN", "EU", "NATO", "G7", "G20", "APEC", "SCO", "BRICS", "IAEA"):
        assert kb.actors[org].kind == "organisation"


def test_load_is_cached_per_directory() -> None:
    assert load_knowledge() is load_knowledge(None)
    assert load_knowledge(DATA_DIR) is load_knowledge()


@pytest.mark.parametrize(
    ("title", "country", "day", "expected"),
    [
        ("foreign minister", "JPN", "2019-05-10", ["taro-kono"]),
        ("foreign minister", "JPN", "2015-09-21", ["fumio-kishida"]),
        ("foreign minister", "JPN", "2019-09-11", ["toshimitsu-motegi"]),  # handover day
        ("foreign minister", "JPN", "2019-09-10", ["taro-kono"]),
        ("top diplomat", "RUS", "2015-10-08", ["sergey-lavrov"]),
        ("prime minister", "JPN", "2019-05-10", ["shinzo-abe"]),
        ("prime minister", "JPN", "2022-01-01", ["fumio-kishida"]),
        ("prime minister", "RUS", "2015-01-01", ["dmitry-medvedev"]),
        ("president", "RUS", "2010-01-01", ["dmitry-medvedev"]),
        ("chief cabinet secretary", "JPN", "2019-02-25", ["yoshihide-suga"]),
        ("foreign minister", "USA", "2016-01-01", ["john-kerry"]),  # secretary of state
        ("secretary of state", "USA", "2018-05-01", ["mike-pompeo"]),
        ("deputy foreign minister", "JPN", "2014-01-15", ["shinsuke-sugiyama"]),
        ("foreign minister", "JPN", "1900-01-01", []),
        ("dragon tamer", "JPN", "2019-05-10", []),
    ],
)
def test_office_holders_at(kb: Knowledge, title: str, country: str, day: str,
                           expected: list[str]) -> None:
    assert [a.id for a in kb.office_holders_at(title, country, day)] == expected


def test_office_holders_by_code(kb: Knowledge) -> None:
    ids = {a.id for a in kb.office_holders_at("RUSGOV", "RUS", "2019-05-10")}
    assert {"vladimir-putin", "sergey-lavrov", "dmitry-peskov"} <= ids
    assert "taro-kono" not in ids


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Sergei Lavrov", "sergey-lavrov"),
        ("SERGEY LAVROV", "sergey-lavrov"),
        ("Tarō Kōno", "taro-kono"),
        ("Dmitri Peskov", "dmitry-peskov"),
        ("Yuri Ushakov", "yury-ushakov"),
        ("the Kremlin", "RUS-GOV"),
        ("Japan's Foreign Ministry", "JPN-MFA"),
        ("the USSR", "SUN"),
        ("Nobody Atall", None),
    ],
)
def test_lookup_by_any_spelling(kb: Knowledge, name: str, expected: str | None) -> None:
    found = kb.lookup(name)
    assert (found.id if found else None) == expected


def test_ambiguous_surname_is_not_guessed(kb: Knowledge) -> None:
    assert {a.id for a in kb.by_surname("Mori")} == {"takeo-mori", "yoshiro-mori"}
    assert kb.lookup("Mori") is None


def test_stale_offices(kb: Knowledge) -> None:
    stale = {(a.id, o.title) for a, o in kb.stale_offices("2020-01-01", 6)}
    assert ("sergey-lavrov", "foreign minister") in stale
    assert ("vladimir-putin", "president") in stale
    assert not any(actor == "taro-kono" for actor, _ in stale)  # his offices have ended
    assert ("maria-zakharova", "foreign ministry spokesperson") not in stale  # since 2015


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(DATA_DIR, target)
    return target


def test_broken_entries_are_reported_with_file_and_name(tmp_path: Path) -> None:
    folder = _copy_data(tmp_path)
    with (folder / "people.yaml").open("a", encoding="utf-8") as f:
        f.write(
            "\n- id: ivan-broken\n  name: Ivan Broken\n  country: XXX\n  offices:\n"
            "    - {title: foreign minister, code: RUSGOV, start: 2019-05-01, end: 2018-01-01,"
            " organisation: NOWHERE}\n"
            "- name: No Id Here\n"
        )
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(folder)
    message = str(error.value)
    assert "people.yaml: entry 'Ivan Broken'" in message
    assert "unknown country 'XXX'" in message
    assert "ends before it starts" in message
    assert "unknown organisation 'NOWHERE'" in message
    assert "people.yaml: entry 'No Id Here' lacks id" in message


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    folder = _copy_data(tmp_path)
    (folder / "countries.yaml").write_text("- iso3: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"countries\.yaml: not valid YAML"):
        Knowledge(folder).validate()


def test_a_user_folder_replaces_the_packaged_data(tmp_path: Path) -> None:
    folder = _copy_data(tmp_path)
    with (folder / "people.yaml").open("a", encoding="utf-8") as f:
        f.write("\n- id: jane-envoy\n  name: Jane Envoy\n  country: JPN\n  offices:\n"
                "    - {title: ambassador, code: JPNGOV, start: 2020-01-01}\n")
    kb = load_knowledge(folder)
    assert kb.lookup("Jane Envoy") is not None
    assert load_knowledge().lookup("Jane Envoy") is None


def test_every_un_member_and_the_disputed_states_are_countries(kb: Knowledge) -> None:
    assert len(kb.countries) >= 193 + 5
    for iso in ("HUN", "LBY", "FIN", "ETH", "DZA", "AFG", "SRB", "XKX", "TWN", "PSE", "VAT",
                "ESH", "TUV", "KNA", "SSD"):
        assert iso in kb.countries, iso
    assert kb.countries["XKX"].cameo == "KSV"  # documented in countries.yaml
    assert kb.actors["XKX-GOV"].code == "KSVGOV"


@pytest.mark.parametrize(
    ("word", "iso"),
    [("Hungarian", "HUN"), ("Filipino", "PHL"), ("Emirati", "ARE"), ("Kosovar", "XKX"),
     ("Ivorian", "CIV"), ("Burma", "MMR"), ("Ivory Coast", "CIV"), ("Palestinians", "PSE"),
     ("Nigerien", "NER"), ("Nigerian", "NGA"), ("Korean", None), ("Martian", None)],
)
def test_adjectives_and_demonyms(kb: Knowledge, word: str, iso: str | None) -> None:
    assert kb.country_of_adjective(word) == iso


@pytest.mark.parametrize(
    ("name", "expected", "code"),
    [("the African Union", "AU", "IGOAFRAFU"), ("OPEC", "OPEC", "IGOBUSOPC"),
     ("the Taliban", "TALIBAN", "AFGINS"), ("Hezbollah", "HEZBOLLAH", "LBNINS"),
     ("the Red Cross", "ICRC", "NGOIRC"), ("Palestinian Authority", "PSE-GOV", "PSEGOV"),
     ("Kremlin", "RUS-GOV", "RUSGOV")],
)
def test_organisations_and_their_codes(kb: Knowledge, name: str, expected: str,
                                       code: str) -> None:
    actor = kb.lookup(name)
    assert actor is not None and (actor.id, actor.code) == (expected, code)


@pytest.mark.parametrize(
    ("title", "country", "day", "expected"),
    [("president", "SRB", "2020-09-04", ["aleksandar-vucic"]),
     ("prime minister", "SRB", "2015-01-01", ["aleksandar-vucic"]),
     ("prime minister", "XKX", "2020-09-04", ["avdullah-hoti"]),
     ("foreign minister", "IND", "2016-01-01", ["sushma-swaraj"]),
     ("chancellor", "DEU", "2015-01-01", ["angela-merkel"]),
     ("foreign secretary", "GBR", "2017-01-01", ["boris-johnson"]),
     ("president", "UKR", "2013-01-01", ["viktor-yanukovych"]),
     ("president", "UKR", "2014-04-01", [])],  # between Yanukovych and Poroshenko
)
def test_dyad_office_holders(kb: Knowledge, title: str, country: str, day: str,
                             expected: list[str]) -> None:
    assert [a.id for a in kb.office_holders_at(title, country, day)] == expected


def test_the_month_may_is_not_theresa_may(kb: Knowledge) -> None:
    assert kb.by_surname("May") == []
