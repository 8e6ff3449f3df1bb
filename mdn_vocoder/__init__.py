"""Glover, "Generating sound with recurrent neural nets" (2015): phase vocoder → LSTM → mixture density network (see README.md)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # keep TensorFlow's start-up chatter out of the scripts' output
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
