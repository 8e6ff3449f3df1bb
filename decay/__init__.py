"""Sander & Harder (2016), "Learning the decay of a sound signal", in Keras 3: see README.md."""
