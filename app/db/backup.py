"""Consistent copies of the whole database while it serves, and restoring one.

SQLite uses its online backup API (a page-by-page copy that readers and writers do not notice);
PostgreSQL uses pg_dump and pg_restore in their custom format.
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from app.db.engines import libpq_url


class BackupError(Exception):
    """A backup or restore could not be made; the message says why."""


def _sqlite_file(database_url: str) -> str:
    return make_url(database_url).database or ""


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed; it comes with PostgreSQL's client package")
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our own arguments
    if done.returncode != 0:
        raise BackupError(done.stderr.strip() or f"{Path(command[0]).name} failed")


def _copy_sqlite(source: str, target: str) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    # sqlite3's context manager commits but does not close.
    src.close()
    dst.close()


def backup(database_url: str, path: Path) -> None:
    """Write a consistent copy of the database to `path` while it keeps serving."""
    if database_url.startswith("sqlite"):
        if path.exists():
            path.unlink()
        _copy_sqlite(_sqlite_file(database_url), str(path))
    else:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={path}", libpq_url(database_url)])


def restore(database_url: str, path: Path) -> None:
    """Replace the database's whole content with the backup at `path`."""
    if not path.is_file():
        raise BackupError(f"{path} is not a backup file")
    if database_url.startswith("sqlite"):
        _copy_sqlite(str(path), _sqlite_file(database_url))
    else:
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={libpq_url(database_url)}",
                str(path),
            ]
        )
