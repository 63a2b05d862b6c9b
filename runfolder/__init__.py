"""What the trainer and the export share: a training folder's files and how they are written.

Neither package imports the other's internals; both import this one.
"""
