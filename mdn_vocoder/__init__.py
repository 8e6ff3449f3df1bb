"""Glover, "Generating sound with recurrent neural nets" (2015): phase vocoder → LSTM → mixture density network
(see README.md)."""
