"""parley's exceptions: few, each with a message that says what to do.

    ParleyError
    ├── InputError        a file or text that cannot be read as an article
    ├── StageError        a pipeline stage failed on one article
    ├── StoreError        the store cannot be opened, migrated or written
    ├── KnowledgeError    an actor or codebook data file is invalid
    └── MissingExtra      an optional dependency is not installed

Third-party exceptions are converted to these at the boundary, so callers
(CLI, web, engine) only ever catch ``ParleyError``.
"""

from __future__ import annotations


class ParleyError(Exception):
    """Base class of every error parley raises on purpose."""


class InputError(ParleyError):
    """An input cannot be read as an article; the message names the file and why."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class StageError(ParleyError):
    """A stage failed on one article; the batch goes on and the failure is stored."""

    def __init__(self, stage: str, article_id: str, reason: str) -> None:
        super().__init__(f"stage {stage} failed on article {article_id}: {reason}")
        self.stage = stage
        self.article_id = article_id
        self.reason = reason


class StoreError(ParleyError):
    """The store cannot be opened, migrated or written."""


class KnowledgeError(ParleyError):
    """A knowledge-base or codebook file is invalid; the message names file and entry."""


class MissingExtra(ParleyError):
    """An optional dependency is missing; the message gives the exact install line."""

    def __init__(self, feature: str, extra: str, package: str) -> None:
        super().__init__(
            f"{feature} needs {package}: install it with  pip install 'parley[{extra}]'"
        )
        self.extra = extra
