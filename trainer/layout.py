"""What a training folder holds: the trainer writes these files, the export reads them."""

BEST_MODEL = "best.keras"
LAST_MODEL = "last.keras"
RUN_FILE = "run.json"
TEST_SAMPLE = "test_sample.npz"
CONFIG_FILE = "config.toml"  # the resolved settings; `--config` reads it back
PROGRESS_FILE = "progress.json"  # only while a run is unfinished: the last complete epoch
