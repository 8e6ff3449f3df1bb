"""Pfalz, Berdahl & Allison, "Using Recurrent Neural Networks to Dream Sequences of Audio": four LSTM approaches
that dream while they train (see README.md)."""
