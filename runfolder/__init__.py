"""What the trainer and the export share: a training folder's files and how they are written,
and TensorFlow starting without its C++ log lines (`quiet`).

Neither package imports the other's internals; both import this one.
"""
