"""GRUV's training helpers that need Keras: the callback that stops at Fiala's target loss.

This module holds :class:`StopBelowLoss`, the Keras callback that ends training once an
epoch's loss is below a target (Fiala trained "until MSE < ~0.15"); it lives here, at module
level, so that ``gruv.train`` can import Keras only after its arguments are parsed.
"""

from __future__ import annotations

import keras
import numpy as np


class StopBelowLoss(keras.callbacks.Callback):
    """Stop once an epoch's training loss is below ``target`` (Fiala: "trained until MSE < ~0.15")."""

    def __init__(self, target: float):
        super().__init__()
        self.target = target

    def on_epoch_end(self, epoch, logs=None):
        if logs and logs.get("loss", np.inf) < self.target:
            print(f"\nloss {logs['loss']:.4f} < target {self.target}: stopping after epoch {epoch + 1}")
            self.model.stop_training = True
