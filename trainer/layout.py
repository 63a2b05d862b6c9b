"""What a training folder holds: the trainer writes these files, the export reads them."""

BEST_MODEL = "best.keras"
LAST_MODEL = "last.keras"
RUN_FILE = "run.json"
TEST_SAMPLE = "test_sample.npz"
