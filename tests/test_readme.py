"""The README is the manual: its commands are the ones CI runs, and it documents every option."""

from __future__ import annotations

import re

import click

from conftest import ROOT
from evidex.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.strip().splitlines()[-1]
    assert f"```sh\n{command}\n```" in README


def test_quick_start_ingests_the_corpus_and_searches():
    assert re.search(r"```sh\n.*pip install -e \. && \.venv/bin/evidex ingest corpus/ && \.venv/bin/evidex search", README)


def test_every_command_and_option_is_documented():
    missing = []
    for name, command in cli.commands.items():
        if f"evidex {name}" not in README:
            missing.append(f"command {name}")
        for param in command.params:
            if isinstance(param, click.Option):
                for opt in param.opts:
                    if opt.startswith("--") and not re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", README):
                        missing.append(f"{name} {opt}")
    assert missing == []
