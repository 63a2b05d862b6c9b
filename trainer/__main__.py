from runfolder.quiet import quiet_tensorflow

quiet_tensorflow()

from trainer.cli import main  # noqa: E402

main()
