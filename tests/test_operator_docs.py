"""What an operator reads: help on every option, the version, and every setting documented."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

from pluginhub.cli import parser
from pluginhub.config import PREFIX, Settings

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "pluginhub.cli"]


def every_parser(root: argparse.ArgumentParser, path: str = "pluginhub") -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(path, root)]
    for action in root._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += every_parser(child, f"{path} {name}")
    return found


def test_every_option_and_command_says_what_it_does() -> None:
    missing = []
    for path, command in every_parser(parser()):
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                missing += [f"{path} {c.dest}" for c in action._choices_actions if not c.help]
            elif not action.help:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)} | env
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, env=environment, check=False, timeout=60)


def test_version() -> None:
    answer = run("--version")
    assert answer.returncode == 0
    assert re.fullmatch(r"pluginhub \d+\.\d+\.\d+\S*\n", answer.stdout)


def test_a_setting_with_a_wrong_value_is_named_without_a_traceback(tmp_path: Path) -> None:
    for name, value in (("PLUGINHUB_LOG_FORMAT", "xml"), ("PLUGINHUB_GZIP_MIN_BYTES", "lots")):
        answer = run("export-schema", **{name: value})
        assert answer.returncode == 2
        assert name in answer.stderr and "Traceback" not in answer.stderr


def settings_in(text: str) -> set[str]:
    return set(re.findall(r"\b(PLUGINHUB_[A-Z_]+)\b", text))


def test_env_example_lists_every_setting_with_its_default() -> None:
    expected = {PREFIX + f.name.upper() for f in fields(Settings)}
    example = (ROOT / ".env.example").read_text()
    assigned = dict(re.findall(r"^#?\s*(PLUGINHUB_[A-Z_]+)=(.*)$", example, re.MULTILINE))
    assert set(assigned) == expected
    defaults = Settings()
    for f in fields(Settings):
        default = getattr(defaults, f.name)
        if default not in ("", None):
            assert assigned[PREFIX + f.name.upper()] == str(default), f.name


def test_the_readme_settings_table_has_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Settings") :]
    assert {PREFIX + f.name.upper() for f in fields(Settings)} <= settings_in(table)
