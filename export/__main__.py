from runfolder.quiet import quiet_tensorflow

quiet_tensorflow()

from export.cli import main  # noqa: E402

main()
