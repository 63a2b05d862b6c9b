"""runfolder's shared pieces on their own: the one base of one-line errors, the --out guard the
trainer and the export share, and a finished run read back (the commands' own refusals are the
tables of test_bad_inputs.py)."""

from __future__ import annotations

import ast
import importlib
import json
import re
from pathlib import Path

import pytest

from runfolder.errors import OneLineError
from runfolder.finished import FinishedRun, FinishedRunError, source_weights
from runfolder.guard import OutputKind, refuse_unsafe_out
from tests.helpers import ROOT


def test_every_error_class_of_the_packages_is_a_one_line_error():
    """Each command catches OneLineError alone: an error class of another base would escape as a
    traceback."""
    found = []
    for package in ("trainer", "export", "runfolder", "benchmarks"):
        for file in sorted((ROOT / package).glob("**/*.py")):
            tree = ast.parse(file.read_text())
            module = ".".join(file.relative_to(ROOT).with_suffix("").parts)
            found += [(module, node.name) for node in tree.body
                      if isinstance(node, ast.ClassDef) and node.name.endswith("Error")]
    assert len(found) >= 12
    for module, name in found:
        assert issubclass(getattr(importlib.import_module(module), name), OneLineError), name


def test_a_missing_chromium_is_a_one_line_error(tmp_path, monkeypatch):
    """The export checks its model in Chromium; without one it says so in the one error type
    every command catches (it was a FileNotFoundError that only the export's CLI caught)."""
    import export.browser

    monkeypatch.setattr(export.browser, "CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(OneLineError, match="no-chromium: Chromium not found"):
        with export.browser.chromium():
            pass


class GuardError(OneLineError):
    pass


NOTE = OutputKind(
    is_one=lambda folder: (folder / "note.txt").is_file(), error=GuardError,
    unresolvable="{out}: {reason}", inside="{out}: inside {inside}", a_file="{out}: a file",
    not_one="{out}: another kind", needs_force="{out}: pass --force",
)


def note(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "note.txt").write_text("kept")
    return folder


@pytest.mark.parametrize("name, prepare, force, refusal", [
    ("inside one", lambda t: note(t / "a") / "b", True, "{t}/a/b: inside {t}/a"),
    ("inside one, through a link", lambda t: (t / "l").symlink_to(note(t / "a")) or t / "l" / "b",
     True, "{t}/l/b: inside {t}/a"),
    ("a file", lambda t: t / "f" if (t / "f").write_text("x") else None, True, "{t}/f: a file"),
    ("a dangling link", lambda t: (t / "l").symlink_to(t / "gone") or t / "l", True,
     "{t}/l: a file"),
    ("another kind", lambda t: (t / "site").mkdir() or (t / "site" / "i").write_text("x")
     and t / "site", True, "{t}/site: another kind"),
    ("one, without --force", lambda t: note(t / "a"), False, "{t}/a: pass --force"),
    ("one, with --force", lambda t: note(t / "a"), True, None),
    ("an empty folder", lambda t: (t / "e").mkdir() or t / "e", False, None),
    ("a new folder", lambda t: t / "new" / "deeper", False, None),
])
def test_the_guard_refuses_what_replacing_would_damage(tmp_path, name, prepare, force, refusal):
    out = prepare(tmp_path)
    if refusal is None:
        refuse_unsafe_out(out, NOTE, force)
        return
    with pytest.raises(GuardError) as raised:
        refuse_unsafe_out(out, NOTE, force)
    assert str(raised.value) == refusal.format(t=tmp_path)


def run_folder(folder: Path, **record) -> Path:
    folder.mkdir()
    (folder / "run.json").write_text(json.dumps({
        "model": "cnn", "labels": ["0", "1"], "input": "drawing", "input_size": 28,
        "channels": 1, "preprocessing": {"kind": "strokes-box-com", "size": 28, "box": 20,
                                         "pen": 0.12, "oversample": 4, "max_strokes": 64},
        "settings": {"data": ["a", "b"], "data_weight": [1, 3]},
        "metrics": {"test_accuracy": 0.9, "not_sure_threshold": 0.4}, **record}))
    (folder / "classifier.keras").write_bytes(b"not loaded until asked for")
    return folder


def test_a_finished_run_reads_its_record_once_checked_and_names_its_problems(tmp_path):
    run = FinishedRun.read(run_folder(tmp_path / "m", ink_limit=0.3))
    assert (run.architecture, run.labels, run.image_shape) == ("cnn", ["0", "1"], (28, 28))
    assert (run.not_sure_threshold, run.ink_limit, run.candidate_groups) == (0.4, 0.3, [])
    assert run.training_data == [Path("a"), Path("b")]
    for folder, message in [
        (tmp_path / "none", f"{tmp_path}/none: no such folder (give a training run's --out)"),
        (tmp_path, f"{tmp_path}: not a trained model (no run.json; train one with"),
    ]:
        with pytest.raises(FinishedRunError, match=re.escape(message)):
            FinishedRun.read(folder)
    (tmp_path / "m" / "classifier.keras").unlink()
    with pytest.raises(FinishedRunError, match="classifier.keras: missing"):
        FinishedRun.read(tmp_path / "m")


def test_a_source_counts_its_weight_each_time_it_is_named():
    assert source_weights({"data": ["a", "b"], "data_weight": [1, 3]}) == {"a": 1, "b": 3}
    assert source_weights({"data": ["a", "b", "b", "b"]}) == {"a": 1, "b": 3}  # before weights
    assert source_weights({}) == {}


def test_the_classifier_is_loaded_once_however_often_it_is_used(tmp_path, monkeypatch):
    """--init used to load it three times (the new labels' rows, the replay's targets, the
    replay's accuracy before fine-tuning), and read run.json again."""
    import runfolder.finished

    loads = []
    monkeypatch.setattr(runfolder.finished, "load_classifier",
                        lambda run: loads.append(run.folder) or object())
    run = FinishedRun.read(run_folder(tmp_path / "m"))
    assert run.classifier is run.classifier and loads == [tmp_path / "m"]
