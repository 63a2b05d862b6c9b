"""The one base of every failure a user can fix: a bad flag, file, folder or data set.

Its message is one line naming the flag or file and the problem; each command line prints it as
`error: MESSAGE` and exits with status 2, no traceback (runfolder.commandline.one_line_errors).
The trainer's, the export's and the benchmarks' errors derive from it, so each command catches
this one type.
"""

from __future__ import annotations


class OneLineError(Exception):
    """A failure the user can fix; the message names the flag or file and the problem."""
