"""Train Keras models for drawn-character recognition."""
