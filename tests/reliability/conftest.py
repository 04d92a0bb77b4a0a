"""Fixtures of the reliability tests: the PostgreSQL server of the store tests is reused."""

from __future__ import annotations

from store.conftest import fresh_postgres_url, postgres_server

__all__ = ["fresh_postgres_url", "postgres_server"]
