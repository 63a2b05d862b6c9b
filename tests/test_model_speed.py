"""The model-speed benchmark on two copies of the tests' exported model, a few calls each."""

from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor

from typer.testing import CliRunner

from benchmarks.common import HEADER
from benchmarks.model_speed import app


def invoke(*args):
    # In a thread of its own: Playwright's sync API will not start inside the page tests' loop.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(CliRunner().invoke, app, [str(arg) for arg in args]).result()


def test_each_model_is_timed_in_turn(exported_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(exported_dir, copy)
    result = invoke(exported_dir, copy, "--rounds", "2", "--calls", "3")
    assert result.exit_code == 0, result.output
    model = json.loads((exported_dir / "metadata.json").read_text())["model_hash"][:12]
    first = result.output.splitlines()[0]
    assert HEADER.match(first) and f" · model {model}, {model} · " in first, result.output
    assert "wasm, 2 rounds of 3 calls each" in result.output
    for folder in (exported_dir, copy):
        # 11 ops of the classifier, and the two Identity ops that name its feature outputs
        row = re.search(rf"^\| {re.escape(str(folder))} \| 13 \| ([\d.]+) \| ([\d.]+) \|$",
                        result.output, re.M)
        assert row and 0 < float(row[1]) <= float(row[2]), result.output


def test_a_folder_without_a_model_is_refused_in_one_line(tmp_path):
    result = invoke(tmp_path)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {tmp_path}: no model.json and metadata.json (an export folder?)"]
