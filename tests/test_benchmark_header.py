"""benchmarks/common.py's header line: which commit, which model, which CPU, which day."""

from __future__ import annotations

import hashlib
import json

import pytest
import typer

from benchmarks import common
from runfolder.layout import CLASSIFIER_MODEL


def test_an_export_is_named_by_its_model_hash_and_a_run_by_its_classifier(tmp_path):
    export, run = tmp_path / "export", tmp_path / "run"
    export.mkdir()
    run.mkdir()
    (export / "metadata.json").write_text(json.dumps({"model_hash": "ab" * 32}))
    (run / CLASSIFIER_MODEL).write_bytes(b"a classifier")
    line = common.header(export, run)
    run_hash = hashlib.sha256(b"a classifier").hexdigest()[:12]
    assert common.HEADER.match(line), line
    commit, model, cpu, day = line.split(" · ")
    assert model == f"model {'ab' * 6}, {run_hash}"
    assert commit.startswith("commit ") and cpu == common.cpu_name() and len(day) == 10


def test_an_export_without_model_hash_gets_it_computed(tmp_path):
    """As export/version.py's model_hash: model.json's bytes, then each weight shard's."""
    model_json = json.dumps({"weightsManifest": [{"paths": ["a.bin", "b.bin"]}]}).encode()
    files = {"model.json": model_json, "a.bin": b"first", "b.bin": b"second",
             "metadata.json": b'{"name": "made before model_hash"}'}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    expected = hashlib.sha256(model_json + b"first" + b"second").hexdigest()[:12]
    assert common.model_id(tmp_path) == expected


def test_no_model_and_no_git(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "ROOT", tmp_path)  # not a git checkout
    line = common.header()
    assert line.startswith("commit unknown · model none · ") and common.HEADER.match(line)


def test_a_folder_that_holds_no_model_is_one_error_line(tmp_path, capsys):
    with pytest.raises(typer.Exit) as exit_:
        common.header(tmp_path)
    assert exit_.value.exit_code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == (f"error: {tmp_path}: neither an export (metadata.json) nor a training run "
                    f"({CLASSIFIER_MODEL})")


def test_tables_align_numbers_right():
    assert common.markdown_table(["set", "accuracy"], [["uji", common.percent(0.99)]], "lr") == (
        "| set | accuracy |\n|---|---:|\n| uji | 99.00% |")
    assert common.percent(None) == "-"


def test_teaching_picks_each_writers_first_drawings_of_each_digit():
    class Drawn:
        def __init__(self, label: str, writer: str) -> None:
            self.label, self.writer = label, writer

    drawn = [Drawn(label, writer) for label, writer in
             [("1", "a"), ("1", "b"), ("1", "a"), ("2", "a"), ("1", "a")]]
    assert common.taught_drawings(drawn, "a", 2) == [0, 2, 3]  # type: ignore[arg-type]

