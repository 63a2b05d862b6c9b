"""Japanese from KanjiVG and tomoe: the readers on small files written here, the synthetic writer,
the label set, and a tiny model trained on real KanjiVG shapes and exported with its candidate
groups and credit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from benchmarks.japanese_model import variant_set
from export import ExportError
from export.convert import output_layer_weights
from runfolder.finished import FinishedRun
from tests.helpers import JAPANESE_KANA, SHARED_DATA, write_kanjivg
from trainer.dataset import DataError
from trainer.sources import load_path
from trainer.sources.japanese import (
    GROUPS,
    JAPANESE_RECIPE,
    KANA,
    japanese_characters,
    labels_of,
    model_label,
)
from trainer.sources.kanjivg import CREDIT, read_kanjivg, read_references
from trainer.sources.tomoe import read_tdic
from trainer.synthetic import draw, rng_for

KANJIVG = SHARED_DATA / "kanjivg" / "kanji"


def test_every_path_command_is_sampled_in_stroke_order(tmp_path):
    strokes = read_kanjivg(write_kanjivg(
        tmp_path, "04e00.svg",
        "M10,10 L90,10",  # absolute line
        "m10,20 l80,0 h-10 v10 H10 V20 z",  # relative lines, horizontal, vertical, close
        "M10,50 C20,40 30,40 40,50 c10,10 20,10 30,0 S90,40 100,50 s10,10 0,20",  # cubic, smooth
        "M10,80 Q30,60 50,80 q20,20 40,0 T100,80 t0,10",  # quadratic and its smooth forms
        "M20,95 A10,10 0 0,1 40,95 a10,10 0 0,0 20,0",  # arcs
    ))
    assert len(strokes) == 5
    first, closed, curve, quadratic, arc = strokes
    np.testing.assert_allclose(first[[0, -1]], [[10, 10], [90, 10]])
    assert len(first) >= 80 / 3  # sampled along the line, not its two ends alone
    np.testing.assert_allclose(closed[[0, -1]], [[10, 20], [10, 20]])  # z returns to the start
    assert (closed[:, 0].max(), closed[:, 1].max()) == pytest.approx((90, 30))
    np.testing.assert_allclose(curve[[0, -1]], [[10, 50], [100, 70]])
    np.testing.assert_allclose(quadratic[[0, -1]], [[10, 80], [100, 90]])
    np.testing.assert_allclose(arc[[0, -1]], [[20, 95], [60, 95]], atol=1e-9)
    assert arc[:, 1].max() > 100  # the first arc bows down (sweep 1), below its ends


def test_variant_files_are_more_shapes_of_their_character_and_small_kana_of_the_large(tmp_path):
    for name in ("03064.svg", "03063.svg", "04e14.svg", "04e14-Kaisho.svg", "053e3.svg",
                 "030ed.svg"):
        shutil.copy(KANJIVG / name, tmp_path / name)  # つ, っ, 且 and its Kaisho form, 口, ロ
    write_kanjivg(tmp_path, "03064-Hyougai.svg", "M10,10 L90,90")
    labels, references = read_references(tmp_path)
    assert labels == ["つ", "ロ", "且"]  # kana first; っ is drawn as つ, 口 as ロ (its group's)
    assert [len(references[label]) for label in labels] == [3, 2, 2]
    assert references["つ"][1][0].tolist()[0] == [10, 10]  # in name order: 03064-Hyougai first
    kana_only, _ = read_references(tmp_path / "kana")
    assert kana_only == ["つ", "ロ"]


def test_the_label_set_is_the_kana_and_the_2136_joyo_kanji_with_groups_declared_once():
    chars = japanese_characters()
    assert len(chars) == len(set(chars)) == len(KANA) + 2136
    assert {"が", "ぱ", "ヴ", "ガ", "パ", "日", "働"} <= set(chars)
    members = [char for group in GROUPS for char in group]
    assert len(members) == len(set(members))  # each character in one group at most
    for pair in ("つっ", "やゃ", "カヵ", "ロ口", "ニ二", "へヘ", "エ工"):
        assert any(set(pair) <= set(group) for group in GROUPS), pair
    labels = labels_of(chars)
    assert "っ" not in labels and "口" not in labels and "つ" in labels and "ロ" in labels
    assert model_label("っ") == "つ" and model_label("口") == "ロ" and model_label("日") == "日"


def test_tomoe_reads_each_character_with_its_strokes(tmp_path):
    (tmp_path / "t.tdic").write_text(
        "あ\n:2\n2 (54 58) (249 68) \n3 (147 10) (145 201) (182 252) \n\n"
        "旧「ね」\n:1\n2 (1 2) (3 4)\n\n口\n:1\n3 (10 10) (10 200) (200 200)\n", encoding="utf-8")
    characters = read_tdic(tmp_path / "t.tdic")
    assert [c.label for c in characters] == ["あ", "旧「ね」", "口"]
    assert characters[0].strokes == [[(54, 58), (249, 68)], [(147, 10), (145, 201), (182, 252)]]
    dataset = load_path(tmp_path)  # the folder; 旧「ね」 is no label of the set
    assert sorted(dataset.labels) == ["あ", "ロ"]  # 口 is read as its group's label
    assert dataset.x_train.shape[1:] == (48, 48) and dataset.credits


@pytest.mark.parametrize("name, text, message", [
    ("broken path", "M10,10 C20,20 30", "stroke 1: not an SVG path"),
    ("unknown command", "M10,10 X20,20", "stroke 1: unknown path command 'X'"),
])
def test_a_broken_path_names_the_file_and_the_stroke(tmp_path, name, text, message):
    path = write_kanjivg(tmp_path, "04e00.svg", "M1,1 L2,2", text)
    with pytest.raises(DataError) as error:
        read_kanjivg(path)
    assert str(error.value).startswith(f"{path}: stroke 2: {message.split(': ', 1)[1]}")


def test_the_synthetic_writer_is_seeded_and_stays_on_the_pad():
    reference = read_kanjivg(KANJIVG / "09451.svg")  # 鑑, 23 strokes
    drawings = [draw(reference, rng_for(0, "鑑", n)) for n in range(30)]
    again = draw(reference, rng_for(0, "鑑", 0))
    assert again == drawings[0]
    assert draw(reference, rng_for(1, "鑑", 0)) != drawings[0]  # another writer
    points = np.array([point for drawing in drawings for stroke in drawing for point in stroke])
    assert points.min() >= 0 and points.max() <= 1
    counts = {len(drawing) for drawing in drawings}
    assert max(counts) <= 23 and min(counts) < 23  # some neighbouring strokes were joined
    spans = [np.ptp(np.concatenate([np.array(s) for s in d]), axis=0).max() for d in drawings]
    assert max(spans) - min(spans) > 0.2  # written at different sizes


def test_a_tiny_japanese_model_exports_its_candidate_groups_and_credit(japanese_dir,
                                                                       japanese_export):
    """The tiny Japanese model of tests/conftest.py (kana from KanjiVG, つ and っ among them),
    exported: metadata.json offers っ with つ, names KanjiVG and its licence, and says the pad is
    one character; the page's personal head fits on the config's 256 features. Its output bias
    was zeroed, as an untrained model's: the converter drops a bias of zeros, which the page reads
    from the graph, so the export keeps it."""
    run = json.loads((japanese_dir / "run.json").read_text())
    assert set(run["labels"]) == set(labels_of(list(JAPANESE_KANA))) and "っ" not in run["labels"]
    assert run["input_size"] == 48
    metadata = json.loads((japanese_export / "metadata.json").read_text(encoding="utf-8"))
    weights = json.loads((japanese_export / "model.json").read_text())["weightsManifest"]
    shapes = {weight["name"]: weight["shape"] for group in weights for weight in group["weights"]}
    assert shapes[metadata["output_layer"]["bias"]] == [len(run["labels"])]
    assert metadata["feature_size"] == 256
    assert ["つ", "っ"] in metadata["candidate_groups"]
    assert all(group[0] in metadata["labels"] for group in metadata["candidate_groups"])
    assert metadata["credit"] == {"trained_on": [CREDIT["attribution"]],
                                  "licence": "CC BY-SA 3.0"}
    assert metadata["one_character"] is True
    assert metadata["preprocessing"]["max_strokes"] >= 30


def test_a_run_recorded_before_one_character_is_one_character_when_it_has_candidate_groups():
    def one_character(run: dict) -> bool:
        return FinishedRun(Path("run"), run).one_character

    assert one_character({"one_character": True}) and not one_character({"one_character": False})
    assert one_character({"candidate_groups": [["つ", "っ"]]})
    assert not one_character({"candidate_groups": []}) and not one_character({})


def test_output_layer_weights_missing_from_the_graph_are_one_line_naming_model_json(tmp_path):
    manifest = [{"weights": [{"name": "x/probabilities/MatMul/ReadVariableOp", "shape": [8, 30]}]}]
    (tmp_path / "model.json").write_text(json.dumps({"weightsManifest": manifest}))
    with pytest.raises(ExportError) as error:
        output_layer_weights(tmp_path, 8, 30)
    assert str(error.value) == (f"{tmp_path / 'model.json'}: the output layer's bias [30] are "
                                "not among the graph's weights (the converter dropped them)")


def test_the_benchmark_reads_variant_forms_alone_under_their_label(tmp_path):
    """benchmarks.japanese_model's KanjiVG set: each variant form of a model label, drawn as it
    is on the model's pad; main forms and characters outside the labels left out."""
    for name in ("065e5.svg", "065e5-Kaisho.svg", "05b57-Kaisho.svg", "03063.svg"):
        shutil.copy(KANJIVG / name, tmp_path / name)  # 日, its Kaisho form, 字's, っ
    write_kanjivg(tmp_path, "03063-Hyougai.svg", "M10,10 L90,90")  # a form of っ, read as つ
    x, y = variant_set(tmp_path, ["つ", "日"], JAPANESE_RECIPE)
    assert sorted(y.tolist()) == [0, 1] and x.shape == (2, 48, 48)
    assert (x.reshape(2, -1).max(axis=1) > 0).all()


def test_mobilenet_from_scratch_follows_its_batch_statistics_within_a_short_run():
    """The Japanese recipe trains MobileNetV3Small from scratch in a thousand steps: with Keras'
    momentum 0.999 its batch statistics stayed at their initial values and validation at chance."""
    import keras

    from trainer.model import SCRATCH_MOMENTUM, mobilenet_backbone

    momenta = {layer.momentum for layer in mobilenet_backbone(32, 0.75, "none").layers
               if isinstance(layer, keras.layers.BatchNormalization)}
    assert momenta == {SCRATCH_MOMENTUM} and SCRATCH_MOMENTUM <= 0.99
