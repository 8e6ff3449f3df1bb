"""Sarroff & Casey (ICMC|SMC 2014): |FFT| autoencoders and their resynthesis (in progress: see README.md)."""
