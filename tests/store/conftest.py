"""The ``store`` fixture: every store test runs on SQLite and on a real PostgreSQL.

The PostgreSQL server is started once per session from the Debian binaries in a
temporary folder on 127.0.0.1 and a free port (as the ``postgres`` user when the
tests run as root, since PostgreSQL refuses to run as root), then stopped.  Each
test gets its own fresh database.  Tests skip with a clear message only when the
binaries are missing (``make system-deps`` installs them).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.store import open_store
from parley.store.base import Store


def _pg_bin() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as_postgres(args: list[str]) -> None:
    command = " ".join(f"'{a}'" for a in args)
    if os.geteuid() == 0:
        subprocess.run(["su", "postgres", "-c", command], check=True, capture_output=True,
                       timeout=120)
    else:
        subprocess.run(args, check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a throwaway PostgreSQL server (the ``postgres`` maintenance database)."""
    binaries = _pg_bin()
    if binaries is None:
        pytest.skip("PostgreSQL binaries not found under /usr/lib/postgresql: "
                    "run `make system-deps` (Debian package postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="parley-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    folder.chmod(0o700)
    data, port = folder / "data", _free_port()
    _run_as_postgres([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"])
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-o", options,
                      "-l", str(folder / "log"), "-w", "start"])
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        _run_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


_SCHEMAS = itertools.count()


def fresh_postgres_url(server_url: str) -> str:
    """A URL whose connections work in a new, empty schema of the test server
    (a schema per test is much faster than a database per test)."""
    import psycopg

    name = f"parley_test_{os.getpid()}_{next(_SCHEMAS)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')  # name built from digits only
    return f"{server_url}?options=-csearch_path%3D{name}"


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    return fresh_postgres_url(postgres_server)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "parley.db")
    return fresh_postgres_url(request.getfixturevalue("postgres_server"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened
