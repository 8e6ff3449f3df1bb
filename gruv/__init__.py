"""GRUV (Nayebi & Vitelli 2015) and J. Fiala's blog reproduction of it, in Keras 3: see README.md."""
