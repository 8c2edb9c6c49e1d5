"""The project's own scripts work from a clone in any folder, a private one included."""

import os
import shutil
import subprocess
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def test_the_pgvector_cluster_starts_from_a_folder_other_users_cannot_enter(tmp_path):
    clone = tmp_path / "clone"
    shutil.copytree(ROOT / "scripts", clone / "scripts")
    (clone / ".venv").symlink_to(ROOT / ".venv")
    clone.chmod(0o700)
    tmp_path.chmod(0o700)
    started = subprocess.run(
        [str(clone / "scripts" / "postgres.sh"), "start", "--pgvector"],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert started.returncode == 0, started.stderr
    exports = dict(line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines())
    data = Path(exports["BYLINE_TEST_PGVECTOR_DATA"])
    try:
        with psycopg.connect(exports["BYLINE_TEST_PGVECTOR_URL"], autocommit=True) as connection:
            assert connection.execute("CREATE EXTENSION vector").statusmessage == "CREATE EXTENSION"
    finally:
        subprocess.run([str(clone / "scripts" / "postgres.sh"), "stop", str(data)], cwd=clone, check=True, timeout=120)
    assert not data.exists()
    assert os.stat(clone).st_mode & 0o777 == 0o700
