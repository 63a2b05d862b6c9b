"""What a training folder holds: the trainer writes these files, the export reads them."""

BEST_MODEL = "best.keras"
RUN_FILE = "run.json"
TEST_SAMPLE = "test_sample.npz"
