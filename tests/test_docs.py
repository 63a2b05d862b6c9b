"""README.md and docs/ stay true: every relative link and anchor resolves, every file and test
named in backticks exists (a renamed twin moves the map with it), every command in README parses
(`make -n` for make, `--help` and its flags for `python -m`), and every table in BENCHMARKS.md
names the commit and the model it measured, with benchmarks the repository has."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from benchmarks.common import HEADER

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "BENCHMARKS.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
COMMAND = re.compile(r"^(make|python -m|\.venv/bin/python -m)\b")


def without_code(markdown: str) -> str:
    """The text outside fenced blocks and code spans, where a link is a link."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def anchors(doc: Path) -> Iterator[str]:
    """GitHub's ids for a page's headings: lower case, punctuation dropped, spaces as hyphens,
    a repeated one numbered."""
    seen: dict[str, int] = {}
    for heading in re.findall(r"^#{1,6} (.+)$", FENCE.sub("", doc.read_text()), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")
        seen[slug] = seen.get(slug, -1) + 1
        yield slug if seen[slug] == 0 else f"{slug}-{seen[slug]}"


# "doc", not "page": tests/conftest.py marks a test with a `page` argument as a browser test.
@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(doc):
    broken = []
    for target in LINK.findall(without_code(doc.read_text())):
        if re.match(r"^[a-z]+:", target):
            continue  # another site: not checked offline
        path, _, anchor = target.partition("#")
        linked = (doc.parent / path).resolve() if path else doc
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in set(anchors(linked)):
            broken.append(f"{target}: no heading #{anchor} in {linked.relative_to(ROOT)}")
    assert not broken, broken


def readme_commands() -> list[str]:
    """Every command in README: each line of its shell blocks, and each code span elsewhere
    (tables, text) that starts as a command does."""
    readme = (ROOT / "README.md").read_text()
    commands = []
    for language, body in FENCE.findall(readme):
        if language in ("sh", "bash", "shell"):
            commands += [line.split(" #")[0].strip() for line in body.splitlines() if line.strip()]
    commands += [span for span in CODE_SPAN.findall(FENCE.sub("", readme)) if COMMAND.match(span)]
    return list(dict.fromkeys(commands))


# A file of the repository named in a code span, and the test after `::` where one is named.
CITED_FILE = re.compile(r"`((?:trainer|export|runfolder|benchmarks|web|tests|configs|types|tfjs)"
                        r"/[\w./-]+\.(?:json|mjs|js|py|toml|ts))(?:::(\w+))?`")


def test_every_file_and_test_the_docs_name_exists():
    cited = [(doc, path, test)
             for doc in DOCS for path, test in CITED_FILE.findall(doc.read_text())]
    assert len(cited) > 50

    def exists(path: str, test: str) -> bool:
        file = ROOT / path
        if not file.is_file():  # or a file a command makes, such as the export's web/models.json
            return not test and subprocess.run(["git", "check-ignore", "-q", path],
                                               cwd=ROOT).returncode == 0
        return not test or re.search(rf"^def {test}\(", file.read_text(), re.MULTILINE) is not None

    missing = [f"{doc.name}: {path}{'::' + test if test else ''}"
               for doc, path, test in cited if not exists(path, test)]
    assert not missing, missing


def test_readme_has_commands_to_check():
    assert {"make setup", "make train", "make serve HOST=0.0.0.0"} <= set(readme_commands())


@cache
def help_text(module: str, command: str) -> str:
    result = subprocess.run([sys.executable, "-m", module, command, "--help"], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, f"python -m {module} {command} --help:\n{result.stderr}"
    return result.stdout


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_parses(command):
    words = shlex.split(command)
    if words[0] == "make":
        result = subprocess.run(["make", "-n", *words[1:]], cwd=ROOT, capture_output=True,
                                text=True)
        assert result.returncode == 0, f"make -n {command}:\n{result.stderr}"
        return
    assert COMMAND.match(command), f"{command}: not a command this test knows how to check"
    module, subcommand, *args = words[words.index("-m") + 1:]
    shown = help_text(module, subcommand)
    unknown = [flag for flag in args if flag.startswith("--")
               and not re.search(rf"{re.escape(flag.split('=')[0])}\b", shown)]
    assert not unknown, f"{command}: {unknown} not in `python -m {module} {subcommand} --help`"


def benchmark_tables(markdown: str) -> Iterator[tuple[int, str, bool]]:
    """(line number, first row, whether a header line is above it) for each table: a header line
    (benchmarks/common.py's HEADER, as a line of its own, in backticks or not) counts for the next
    table of its section only."""
    header_above = False
    lines = FENCE.sub("", markdown).splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith("#"):
            header_above = False
        elif HEADER.match(line.strip().strip("`")):
            header_above = True
        elif line.startswith("|") and not lines[number - 2].startswith("|"):
            yield number, line, header_above
            header_above = False


def test_every_table_in_benchmarks_names_the_commit_and_model_it_measured():
    tables = list(benchmark_tables((ROOT / "BENCHMARKS.md").read_text()))
    assert tables
    missing = [f"BENCHMARKS.md:{number}: {row[:60]}" for number, row, named in tables if not named]
    assert not missing, f"no `commit … · model … · CPU · date` line above: {missing}"


def test_a_table_without_its_header_line_is_found():
    header = "`commit 1a0ef82 · model a8c47f6c4b05 · AMD EPYC · 2026-12-07`"
    page = f"## A\n\n{header}\n\n| a |\n|---|\n| 1 |\n\nmore\n\n| b |\n|---|\n\n## B\n\n| c |\n"
    assert [named for _, _, named in benchmark_tables(page)] == [True, False, False]


def test_benchmarks_cites_only_benchmarks_the_repository_has():
    text = (ROOT / "BENCHMARKS.md").read_text()
    cited = set(re.findall(r"benchmarks[./](\w+)", text))
    assert cited and not [name for name in sorted(cited)
                          if not any((ROOT / "benchmarks" / f"{name}{suffix}").is_file()
                                     for suffix in (".py", ".mjs"))]
