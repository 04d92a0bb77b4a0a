"""The event codebook and the CAMEO table validate, and bad files fail with a clear message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from parley.errors import KnowledgeError
from parley.knowledge.codebook import PACKAGED_DATA, ROOT_CODES, load_codebook


def test_packaged_codebook_validates() -> None:
    book = load_codebook()
    assert all(root in book.codes for root in ROOT_CODES)
    for code in book.codes.values():
        assert code.plover and code.name
        assert code.quad_class in (0, 1, 2, 3, 4)
        assert -10.0 <= code.goldstein <= 10.0
    used = {p.code for p in book.patterns} | set(book.intent_codes.values()) | {book.demand_code}
    assert used <= set(book.codes)


@pytest.mark.parametrize(
    ("code", "plover", "quad", "goldstein"),
    [("057", "SUPPORT", 1, 8.0), ("040", "CONSULT", 1, 1.0), ("127", "REJECT", 3, -5.0),
     ("190", "ASSAULT", 4, -10.0), ("036", "AGREE", 1, 4.0)],
)  # fmt: skip
def test_known_code_facts(code: str, plover: str, quad: int, goldstein: float) -> None:
    info = load_codebook().code(code)
    assert (info.plover, info.quad_class, info.goldstein) == (plover, quad, goldstein)


def test_patterns_with_objects_come_first() -> None:
    candidates = load_codebook().candidates("withdraw")
    assert [p.code for p in candidates][:2] == ["127", "087"]
    with_objects = [bool(p.objects) for p in candidates]
    assert with_objects == sorted(with_objects, reverse=True)
    assert not with_objects[-1]  # a bare "withdraw" (from a place) is 087 too


def _copy(tmp_path: Path) -> Path:
    for name in ("codebook.yaml", "cameo.csv"):
        shutil.copy(PACKAGED_DATA / name, tmp_path / name)
    return tmp_path


def test_unknown_code_names_file_and_entry(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    book = folder / "codebook.yaml"
    book.write_text(book.read_text().replace('code: "057"', 'code: "0577"', 1))
    with pytest.raises(KnowledgeError, match=r"codebook\.yaml: entry 1 .*'0577' is not listed"):
        load_codebook(folder)


def test_missing_root_code_is_reported(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    table = folder / "cameo.csv"
    lines = [line for line in table.read_text().splitlines() if not line.startswith("15,")]
    table.write_text("\n".join(lines) + "\n")
    with pytest.raises(KnowledgeError, match="root codes missing: 15"):
        load_codebook(folder)


def test_bad_goldstein_is_reported(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    table = folder / "cameo.csv"
    table.write_text(
        table.read_text().replace(
            "057,Sign formal agreement,SUPPORT,1,8.0", "057,Sign formal agreement,SUPPORT,1,high"
        )
    )
    with pytest.raises(KnowledgeError, match=r"cameo\.csv:\d+: code 057 needs"):
        load_codebook(folder)


def test_entry_without_words_is_reported(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    book = folder / "codebook.yaml"
    book.write_text(book.read_text() + '  - code: "010"\n')
    with pytest.raises(KnowledgeError, match="needs 'verbs' or 'nouns'"):
        load_codebook(folder)


def test_a_folder_with_only_one_file_uses_the_packaged_other(tmp_path: Path) -> None:
    shutil.copy(PACKAGED_DATA / "cameo.csv", tmp_path / "cameo.csv")
    assert load_codebook(tmp_path).patterns
