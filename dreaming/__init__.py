"""Pfalz, Berdahl & Allison, "Using Recurrent Neural Networks to Dream Sequences of Audio": four LSTM approaches that dream while they train (see README.md)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # keep TensorFlow's start-up chatter out of the scripts' output
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
