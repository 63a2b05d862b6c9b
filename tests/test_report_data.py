"""The report describes its model's training data from the run, not from a loader's count of a
whole source (which includes the test split, once per time the source was given)."""

from __future__ import annotations

from trainer.report import training_data


def test_training_data_is_the_runs_images_and_each_source_once():
    run = {
        "data_source": "mnist (70,000 images) + pen (7,494 pen characters) + pen (7,494 pen "
                       "characters) + pen (7,494 pen characters)",
        "settings": {"data": ["mnist", "pen", "pen", "pen"]},
        "class_counts": {"train": [6000, 6100, 6200]},
    }
    assert training_data(run) == "18,300 images, validation held out, from mnist + pen (×3)"


def test_a_run_that_recorded_neither_is_described_as_it_was():
    assert training_data({"data_source": "old run"}) == "old run"


def test_the_test_split_is_named_by_the_runs_sources_each_once(tmp_path):
    from trainer.evalsets import trained_on
    from trainer.trained import TrainedModel

    run = {"data_source": "pen (7,494 pen characters) + pen (7,494 pen characters)",
           "settings": {"data": ["mnist", "pen", "pen", "pen"]}}
    assert trained_on(TrainedModel(tmp_path, run)) == "mnist + pen"
