"""What a training folder holds: the trainer writes these files, the export reads them."""

BEST_MODEL = "best.keras"  # the training model (augmentation + classifier) of the best epoch
LAST_MODEL = "last.keras"  # the last epoch, optimizer state included, for --resume
# The best epoch's classifier alone: stock Keras layers only, so the export loads it without
# knowing the trainer's custom augmentation layers.
CLASSIFIER_MODEL = "classifier.keras"
RUN_FILE = "run.json"
TEST_SAMPLE = "test_sample.npz"
CONFIG_FILE = "config.toml"  # the resolved settings; `--config` reads it back
# Keras' CSVLogger, one row per epoch, appended across phases and --resume: an epoch run again
# after an interruption appears twice, and its last row is the one that counts.
HISTORY_FILE = "history.csv"
REPORT_DIR = "report"  # `python -m trainer evaluate` writes its report here by default
# Only while a run is unfinished: the state that goes with last.keras, and with best.keras.
PROGRESS_FILE = "progress.json"
BEST_PROGRESS_FILE = "best-progress.json"

CLASSIFIER = "classifier"  # the classifier's name inside the training model
# The classifier's output layer: the trainer names it so, the export finds its weights by it.
PROBABILITIES = "probabilities"
