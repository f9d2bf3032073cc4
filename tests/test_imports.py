"""Importing the suite has no side effects: no file or directory appears."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORED = {".git", ".venv", "__pycache__", ".pytest_cache"}

# conftest first, as pytest does, then every module of the suite.
IMPORT_THE_SUITE = """
import importlib, pathlib, sys
root = pathlib.Path(sys.argv[1])
importlib.import_module("tests.conftest")
for path in sorted((root / "tests").rglob("*.py")):
    importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
"""


def files_under(root: Path) -> set[str]:
    found = set()
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [name for name in subdirectories if name not in IGNORED]
        found.update(
            os.path.relpath(os.path.join(directory, name), root)
            for name in subdirectories + files
            if not name.startswith(".coverage.")  # `make coverage` measures subprocesses: their data, not the suite's
        )
    return found


def test_importing_the_suite_creates_nothing(tmp_path: Path) -> None:
    """In a fresh interpreter, from an empty working directory, with no PLUGINHUB_ settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PLUGINHUB_")}
    env.update(PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    before = files_under(ROOT)

    imported = subprocess.run(
        [sys.executable, "-c", IMPORT_THE_SUITE, str(ROOT)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert imported.returncode == 0, imported.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == []
    assert files_under(ROOT) - before == set()
