import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from trainer.cli import main  # noqa: E402

main()
