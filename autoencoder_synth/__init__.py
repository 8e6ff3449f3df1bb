"""Sarroff & Casey (ICMC|SMC 2014): |FFT| autoencoders, their resynthesis and the live instrument: see README.md."""
