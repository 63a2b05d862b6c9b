"""One definition of metadata.json (web/metadata.schema.json) and of run.json
(runfolder/run.schema.json): the export refuses what the page refuses, field by field."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from runfolder.schema import METADATA_SCHEMA, RUN_SCHEMA, schema_problem
from tests.helpers import ROOT

TABLE = json.loads((ROOT / "tests" / "js" / "bad-metadata.json").read_text())


def test_good_metadata_passes():
    assert schema_problem(TABLE["good"], METADATA_SCHEMA) is None


@pytest.mark.parametrize("case", TABLE["bad"], ids=lambda case: json.dumps(case))
def test_the_export_refuses_what_the_page_refuses_naming_the_field(case):
    """tests/js/metadata.test.js runs the same table through the page's check."""
    metadata = {**TABLE["good"], **case.get("change", {})}
    metadata.pop(case.get("remove"), None)
    problem = schema_problem(metadata, METADATA_SCHEMA)
    assert problem is not None and problem.startswith(case["names"]), problem


def keywords(schema: object) -> set[str]:
    """Every keyword the schema uses (property names and $defs' names are not keywords)."""
    if isinstance(schema, list):
        return set().union(*map(keywords, schema)) if schema else set()
    if not isinstance(schema, dict):
        return set()
    found = set(schema)
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            found |= set().union(*map(keywords, value.values())) if value else set()
        elif key not in ("enum", "const", "required"):
            found |= keywords(value)
    return found


def test_the_page_implements_every_keyword_of_the_metadata_schema():
    source = (ROOT / "web" / "schema.js").read_text()
    page = set(re.findall(r"'([$\w]+)'", source[source.index("KEYWORDS"):source.index("];")]))
    assert keywords(json.loads(METADATA_SCHEMA.read_text())) <= page


def test_run_json_fields_the_page_reads_are_declared_once():
    run = RUN_SCHEMA.read_text()
    for field in ("labels", "input_size", "channels", "input", "preprocessing"):
        assert f'"urn:drawrecog:metadata.schema.json#/$defs/{field}"' in run


def test_the_schema_lists_the_exports_own_choices():
    """The choices the export declares (export/__init__.py) are the ones the schema accepts."""
    from export import BACKENDS, FORMAT_VERSION, QUANTIZATIONS

    properties = json.loads(METADATA_SCHEMA.read_text())["properties"]
    assert properties["quantization"]["enum"] == list(QUANTIZATIONS)
    assert properties["backends"]["items"]["enum"] == list(BACKENDS)
    assert properties["format_version"]["enum"] == [FORMAT_VERSION]


@pytest.mark.parametrize("change, problem", [
    ({"metrics": {"test_accuracy": float("nan")}}, "Out of range float values"),
    ({"preprocessing": []}, "preprocessing: [] is not of type 'object'"),
])
def test_the_trainer_writes_no_run_record_the_export_would_refuse(tmp_path, change, problem):
    from trainer.train import TrainingError, checked_record

    run = {"model": "cnn", "labels": ["0", "1"], "input": "drawing", "input_size": 28,
           "channels": 1, "preprocessing": TABLE["good"]["preprocessing"], "settings": {},
           "metrics": {"test_accuracy": 0.9}}
    assert json.loads(checked_record(run, tmp_path)) == run
    with pytest.raises(TrainingError, match=re.escape(problem)) as refused:
        checked_record({**run, **change}, tmp_path)
    assert str(refused.value).endswith(f"; the run's checkpoints are kept in {tmp_path}")


def test_the_installed_package_finds_the_metadata_schema_outside_a_checkout(tmp_path):
    """Installed, runfolder/ sits in site-packages with no web/ beside it: pyproject.toml installs
    the page's schema into the package (as `pip wheel` shows), and the package reads it there."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    site = tmp_path / "site-packages"
    shutil.copytree(ROOT / "runfolder", site / "runfolder",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (site / "runfolder" / "web").mkdir()
    for name in setuptools["package-data"]["runfolder.web"]:
        shutil.copy(ROOT / setuptools["package-dir"]["runfolder.web"] / name,
                    site / "runfolder" / "web" / name)
    read = ("from runfolder.schema import METADATA_SCHEMA, _validator; "
            "_validator(METADATA_SCHEMA); print(METADATA_SCHEMA)")
    result = subprocess.run([sys.executable, "-c", read], cwd=tmp_path, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(site)}, check=True)
    assert Path(result.stdout.strip()) == site / "runfolder" / "web" / "metadata.schema.json"
