"""Glover's mixture density output (``mdn.lua``): the diagonal-Gaussian mixture, its loss and its sampler.

The network's last layer is linear with ``Nc + 2·Nc·D`` outputs (README, "The method" §3), read as

* ``z[:Nc]``: mixture logits, π = softmax;
* ``z[Nc : Nc + Nc·D]``: the means, viewed (D, Nc) row-major, μ[d, c] = z[Nc + d·Nc + c];
* ``z[Nc + Nc·D :]``: the same layout for s, σ = exp(s) + 1e-12, a **standard deviation** in
  the likelihood.

:func:`negative_log_likelihood` is the per-sample −log Σ_c π_c N(y; μ_c, diag σ_c²) in the log
domain (keras.ops, log-sum-exp).  Its autodiff gradient is Schuster's analytic one, which
the original coded by hand (:func:`torch_gradient`, a numpy transcription of ``mdn.lua``
kept for the gradient check its own ``test.lua`` ran).  :func:`torch_density` is the
original's linear-domain density, for the same tests.

:func:`sample` is ``mdn.lua``'s sampler: the **highest-weight** component (not a draw), and
μ + √(bias·σ)·z (faithful: the sampler reads σ as a variance; ``corrected``: √bias·σ).
"""

from __future__ import annotations

import math

import numpy as np

#: mdn.lua adds 1e-12 to σ (since commit 2b0647f).
SIGMA_EPSILON = 1e-12


def output_size(mixtures: int, dimensions: int) -> int:
    """Nc + 2·Nc·D: the width of the output layer."""
    return mixtures + 2 * mixtures * dimensions


def split(z, mixtures: int, dimensions: int):
    """(logits (…, Nc), μ (…, D, Nc), s (…, D, Nc)) of the raw output ``z`` (…, Nc + 2·Nc·D)."""
    from keras import ops

    batch_shape = tuple(ops.shape(z)[:-1])
    logits = z[..., :mixtures]
    means = ops.reshape(z[..., mixtures:mixtures + mixtures * dimensions], (*batch_shape, dimensions, mixtures))
    log_sigma = ops.reshape(z[..., mixtures + mixtures * dimensions:], (*batch_shape, dimensions, mixtures))
    return logits, means, log_sigma


def negative_log_likelihood(y, z, mixtures: int, dimensions: int):
    """Per-sample NLL −log Σ_c π_c Π_d N(y_d; μ_dc, σ_dc), shape of ``y`` without its last axis.

    The loss the original optimised is the **sum** of this over the batch and the S steps
    (README, "The method" §3); σ = exp(s) + 1e-12 as in ``mdn.lua``.
    """
    from keras import ops

    logits, means, log_sigma = split(z, mixtures, dimensions)
    sigma = ops.exp(log_sigma) + SIGMA_EPSILON
    standardised = (ops.expand_dims(y, -1) - means) / sigma
    log_normal = (-0.5 * ops.sum(ops.square(standardised), axis=-2) - ops.sum(ops.log(sigma), axis=-2)
                  - 0.5 * dimensions * math.log(2 * math.pi))
    log_weights = ops.log_softmax(logits, axis=-1)
    return -ops.logsumexp(log_weights + log_normal, axis=-1)


# ----------------------------------------------------------------------------- the original, in numpy (tests)


def _split_numpy(z, mixtures, dimensions):
    z = np.asarray(z, dtype=np.float64)
    logits = z[:, :mixtures]
    means = z[:, mixtures:mixtures + mixtures * dimensions].reshape(-1, dimensions, mixtures)
    log_sigma = z[:, mixtures + mixtures * dimensions:].reshape(-1, dimensions, mixtures)
    return logits, means, log_sigma


def torch_density(y, z, mixtures: int, dimensions: int) -> np.ndarray:
    """p_bc = π_bc·exp(−½ Σ_d ((y_d − μ_dc)/σ_dc)²) / ((2π)^{D/2} Π_d σ_dc), linear domain, float64.

    As ``mdn.lua:50-64``.
    """
    logits, means, log_sigma = _split_numpy(z, mixtures, dimensions)
    weights = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)  # faithful: no max subtraction
    sigma = np.exp(log_sigma) + SIGMA_EPSILON
    exponent = -0.5 * (((np.asarray(y, dtype=np.float64)[:, :, None] - means) / sigma) ** 2).sum(axis=1)
    return weights * np.exp(exponent) / ((2 * np.pi) ** (dimensions / 2) * sigma.prod(axis=1))


def torch_gradient(y, z, mixtures: int, dimensions: int) -> np.ndarray:
    """Schuster's gradient of Σ_b −log Σ_c p_bc with respect to ``z``, as ``mdn.lua:107-135`` computes it.

    Responsibilities γ_bc = p_bc / Σ_c p_bc; d/dlogits = π − γ; d/dμ = γ(μ − y)/σ²;
    d/ds = −γ((y − μ)²/σ² − 1).  (The original's < 1e-50 fallback is not reproduced: the
    log-domain loss never needs it.)
    """
    logits, means, log_sigma = _split_numpy(z, mixtures, dimensions)
    density = torch_density(y, z, mixtures, dimensions)
    gamma = density / density.sum(axis=1, keepdims=True)
    weights = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    sigma = np.exp(log_sigma) + SIGMA_EPSILON
    difference = np.asarray(y, dtype=np.float64)[:, :, None] - means
    d_means = gamma[:, None, :] * (means - np.asarray(y, dtype=np.float64)[:, :, None]) / sigma ** 2
    d_log_sigma = -gamma[:, None, :] * (difference ** 2 / sigma ** 2 - 1)
    return np.concatenate([weights - gamma, d_means.reshape(len(z), -1), d_log_sigma.reshape(len(z), -1)], axis=1)


# ----------------------------------------------------------------------------- sampling


def sample(z, noise, mixtures: int, dimensions: int, bias: float = 1.0, spread: str = "faithful"):
    """One draw per row of ``z`` (B, Nc + 2·Nc·D) with standard-normal ``noise`` (B, D) (mdn.lua:137-155).

    The component is the argmax of π (deterministic); the draw is μ_c + √(bias·σ_c)·noise
    (``faithful``) or μ_c + √bias·σ_c·noise (``corrected``: σ as the std the loss trained).
    """
    from keras import ops

    logits, means, log_sigma = split(z, mixtures, dimensions)
    chosen = ops.cast(ops.one_hot(ops.argmax(logits, axis=-1), mixtures), means.dtype)[:, None, :]
    mean = ops.sum(means * chosen, axis=-1)
    sigma = ops.sum((ops.exp(log_sigma) + SIGMA_EPSILON) * chosen, axis=-1)
    std = ops.sqrt(bias * sigma) if spread == "faithful" else math.sqrt(bias) * sigma
    return mean + std * noise
