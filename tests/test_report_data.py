"""The report describes its model's training data from the run, not from a loader's count of a
whole source (which includes the test split, once per time the source was given); and draws
labels as the text they are."""

from __future__ import annotations

import logging

import matplotlib
import numpy as np
import pytest
from matplotlib import font_manager
from PIL import Image

from runfolder.finished import FinishedRun
from trainer import figures
from trainer.report import Page, training_data


def test_training_data_is_the_runs_images_and_each_source_once(tmp_path):
    run = {
        "data_source": "mnist (70,000 images) + pen (7,494 pen characters) + pen (7,494 pen "
                       "characters) + pen (7,494 pen characters)",
        "settings": {"data": ["mnist", "pen", "pen", "pen"]},
        "class_counts": {"train": [6000, 6100, 6200]},
    }
    assert training_data(FinishedRun(tmp_path, run)) == ("18,300 images, validation held out, "
                                                         "from mnist + pen (×3)")


def test_a_run_that_recorded_neither_is_described_as_it_was(tmp_path):
    old = FinishedRun(tmp_path, {"data_source": "old run", "settings": {}})
    assert training_data(old) == "old run"


def test_the_test_split_is_named_by_the_runs_sources_each_once(tmp_path):
    from trainer.evalsets import trained_on

    run = {"data_source": "pen (7,494 pen characters) + pen (7,494 pen characters)",
           "settings": {"data": ["mnist", "pen", "pen", "pen"]}}
    assert trained_on(FinishedRun(tmp_path, run)) == "mnist + pen"


def test_labels_are_drawn_as_text_in_the_figures_and_the_page(tmp_path):
    """Labels a person may type on the page: never mathtext (matplotlib) nor markup (HTML)."""
    labels = ["$\\foo$", "<b>x</b>", "a$b", "&amp;"]
    figures.confusion_heatmap(np.eye(4, dtype=int), labels, tmp_path / "heatmap.png")
    figures.per_class_chart(labels, np.ones(4), np.ones(4), tmp_path / "per-class.png")
    figures.class_counts_chart([1, 2, 3, 4], labels, tmp_path / "counts.png")
    assert all(Image.open(tmp_path / name).size[0] > 100
               for name in ("heatmap.png", "per-class.png", "counts.png"))
    page = Page(tmp_path, labels)
    assert [page.label(k) for k in range(4)] == [
        "$\\foo$", "&lt;b&gt;x&lt;/b&gt;", "a$b", "&amp;amp;"]


@pytest.fixture
def without_cjk_fonts(monkeypatch):
    """A machine without fonts-noto-cjk: matplotlib knows no CJK font, and none is installed."""
    manager = font_manager.fontManager
    monkeypatch.setattr(manager, "ttflist", [e for e in manager.ttflist if "CJK" not in e.name])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *args, **kwargs: [])
    monkeypatch.setitem(matplotlib.rcParams, "font.family", matplotlib.rcParams["font.family"])
    manager._findfont_cached.cache_clear()  # what it found before the font was hidden
    yield
    manager._findfont_cached.cache_clear()


def test_kana_labels_are_drawn_quietly_in_the_font_there_is_without_a_cjk_font(
    without_cjk_fonts, tmp_path, caplog, recwarn
):
    caplog.set_level(logging.WARNING)
    fonts = figures.use_label_fonts()
    assert [font.name for font in fonts] == ["DejaVuSans.ttf"]
    assert figures.missing_glyphs(["あ", "い", "7"], fonts) == ["あ", "い"]
    figures.confusion_heatmap(np.eye(3, dtype=int), ["あ", "い", "7"], tmp_path / "heatmap.png")
    with Image.open(tmp_path / "heatmap.png") as heatmap:
        assert heatmap.size[0] > 100
    assert not caplog.records and not recwarn.list  # matplotlib said nothing, at every label
