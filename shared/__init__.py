"""Shared I/O and evaluation for the five reproductions (no models, no training loops)."""
