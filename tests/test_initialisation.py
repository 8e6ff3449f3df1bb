"""Initial weights of every preset of every work: independent draws, each from its original's distribution.

The originals drew every parameter independently: Torch's ``params:uniform(-0.08, 0.08)`` over
the flat parameter vector (mdn_vocoder), TF1's one [2L, 4L] glorot kernel (dreaming), Keras
0.1 / Keras 1's per-gate Glorot and ``orthogonal × 1.1`` matrices (gruv, decay), pylearn2's
``rng.uniform`` (autoencoder_synth). A Keras 3 initializer instance returns the same values at
every call, so sharing one between two weights silently copies them; these tests catch that.

For each model built (models are built once per distinct architecture; the presets that share
it are named in the test id), every weight tensor is split into its gate blocks where it has
them, and:

* **independence**: no two random tensors or gate blocks share a run of 8 consecutive values
  (at the start or in the middle of either), which a copied or prefix-shared draw always does
  and an independent float32 draw practically never does;
* **distribution**: the bounds, the mean and the std within 5 standard errors of the specified
  distribution, and a Kolmogorov–Smirnov test against it (p > 1e-4, on at most 20,000 values);
  constants exactly (zero biases, forget-gate biases of 1);
* **orthogonality per gate** (gruv, decay): each (H, H) recurrent gate block Q has
  QᵀQ = 1.21·I (checked as ‖QV‖² = 1.21‖V‖² on 16 random directions V, which a
  non-orthogonal block fails), where Keras 3's default ``Orthogonal`` on the fused kernel makes only the
  fused rows orthonormal.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from scipy import stats

keras = pytest.importorskip("keras")

from shared.rundir import resolve_config  # noqa: E402

WINDOW = 8
KS_SAMPLE = 20_000
KS_ALPHA = 1e-4


# ----------------------------------------------------------------------------- specifications


@dataclasses.dataclass
class Spec:
    """What one tensor (or gate block) must look like: ``kind`` in uniform, truncnormal, constant, orthogonal."""

    kind: str
    value: float  # the uniform limit a, the normal's σ, the constant, or the orthogonal gain


def uniform(limit):
    return Spec("uniform", float(limit))


def constant(value):
    return Spec("constant", float(value))


def lstm_blocks(name, kernel, recurrent, bias, kernel_spec, recurrent_spec, forget_bias, gate_order="ifco"):
    """Split fused (·, 4H) LSTM weights into gate blocks, each with its spec; ``forget_bias`` for the f block."""
    units = kernel.shape[1] // 4
    forget = gate_order.index("f")
    blocks = []
    for gate, letter in enumerate(gate_order):
        columns = slice(gate * units, (gate + 1) * units)
        blocks.append((f"{name}/kernel[{letter}]", kernel[:, columns], kernel_spec))
        blocks.append((f"{name}/recurrent[{letter}]", recurrent[:, columns], recurrent_spec))
        if bias is not None:
            blocks.append((f"{name}/bias[{letter}]", bias[columns],
                           constant(forget_bias) if gate == forget else constant(0.0)))
    return blocks


# ----------------------------------------------------------------------------- checks


def assert_distribution(name, values, spec):
    values = np.asarray(values, np.float64).ravel()
    count = values.size
    if spec.kind == "constant":
        np.testing.assert_array_equal(values, spec.value, err_msg=name)
        return
    if spec.kind == "orthogonal":  # Q = g·(orthogonal) ⟺ (QV)ᵀ(QV) = g²·VᵀV for every V; a random V of 16 columns
        block = values.reshape(int(round(np.sqrt(count))), -1)
        probe = np.random.default_rng(0).normal(size=(block.shape[1], 16))
        projected = block @ probe
        expected = spec.value ** 2 * probe.T @ probe
        np.testing.assert_allclose(projected.T @ projected, expected, atol=1e-5 * np.abs(expected).max(), err_msg=name)
        return
    if spec.kind == "uniform":
        low, high = -spec.value, spec.value
        mean, std = 0.0, spec.value / np.sqrt(3.0)
        std_error_of_std = std * np.sqrt((1.8 - 1.0) / (4 * count))  # the uniform's kurtosis is 1.8
        reference = stats.uniform(loc=low, scale=high - low)
    elif spec.kind == "truncnormal":  # Keras' TruncatedNormal: N(0, σ²) redrawn outside ±2σ
        low, high = -2 * spec.value, 2 * spec.value
        reference = stats.truncnorm(-2.0, 2.0, loc=0.0, scale=spec.value)
        mean, std = 0.0, reference.std()
        std_error_of_std = std * np.sqrt((reference.stats(moments="k") + 2.0) / (4 * count))
    else:
        raise ValueError(spec.kind)
    tolerance = 1e-6 * spec.value
    assert values.min() >= low - tolerance and values.max() <= high + tolerance, (
        f"{name}: values in [{values.min():.4g}, {values.max():.4g}], outside [{low:.4g}, {high:.4g}]")
    if spec.kind == "uniform" and count >= 400:  # the draw fills the interval
        assert values.max() > high * 0.95 and values.min() < low * 0.95, f"{name}: narrower than ±{high:.4g}"
    assert abs(values.mean() - mean) < 5 * std / np.sqrt(count), f"{name}: mean {values.mean():.4g}, expected {mean}"
    assert abs(values.std() - std) < 5 * std_error_of_std + 1e-12, f"{name}: std {values.std():.4g}, expected {std:.4g}"
    sample = values if count <= KS_SAMPLE else np.random.default_rng(0).choice(values, KS_SAMPLE, replace=False)
    p_value = stats.kstest(sample, reference.cdf).pvalue
    assert p_value > KS_ALPHA, f"{name}: Kolmogorov-Smirnov p = {p_value:.2g} against {spec.kind}({spec.value:.4g})"


def shares_a_run(source, target):
    """True when ``target`` contains WINDOW consecutive values of ``source`` (taken at its start and middle)."""
    for start in {0, max(0, source.size // 2 - WINDOW)}:
        window = source[start:start + WINDOW]
        if window.size < WINDOW:
            continue
        for position in np.flatnonzero(target[: target.size - WINDOW + 1] == window[0]):
            if np.array_equal(target[position:position + WINDOW], window):
                return True
    return False


def check_weights(blocks):
    """Distribution of every block, then independence of every pair of random blocks."""
    for name, values, spec in blocks:
        assert_distribution(name, values, spec)
    random_blocks = [(name, np.asarray(values, np.float32).ravel()) for name, values, spec in blocks
                     if spec.kind != "constant"]
    for (name_a, a), (name_b, b) in itertools.permutations(random_blocks, 2):
        assert not shares_a_run(a, b), f"{name_a} repeats values of {name_b}: not an independent draw"


def weights_of(layer):
    return [np.asarray(weight) for weight in layer.weights]


# ----------------------------------------------------------------------------- the works


def distinct(configs, key):
    """Group presets by the settings that shape the model: build each distinct model once."""
    groups = {}
    for preset, config in configs:
        groups.setdefault(key(config), []).append((preset, config))
    return [pytest.param(members[0][1], id="+".join(preset for preset, _ in members)) for members in groups.values()]


def gruv_models():
    from gruv.config import PRESETS, GruvConfig

    configs = [(preset, resolve_config(GruvConfig, PRESETS, preset)) for preset in PRESETS]
    configs.append(("gruv[keras_semantics=0.1.0]", dataclasses.replace(
        resolve_config(GruvConfig, PRESETS, "tiny"), keras_semantics="0.1.0")))
    return distinct(configs, lambda c: (c.feature_dims, c.hidden_dims, c.num_recurrent_units, c.keras_semantics))


@pytest.mark.parametrize("config", gruv_models())
def test_gruv_initialisation(config):
    """Glorot per gate matrix (√(6/(in+out)), 0.1.0: √(2/…)), orthogonal × 1.1 per gate, forget bias 1 (0.1.0: 0)."""
    from gruv.model import build_model

    keras.utils.set_random_seed(1)
    model = build_model(config)
    numerator, forget = (6.0, 1.0) if config.keras_semantics == "0.1.2" else (2.0, 0.0)
    dims, hidden = config.feature_dims, config.hidden_dims
    blocks = []
    kernel, bias = weights_of(model.get_layer("tdd_in"))
    blocks += [("tdd_in/kernel", kernel, uniform(np.sqrt(numerator / (dims + hidden)))),
               ("tdd_in/bias", bias, constant(0))]
    for index in range(config.num_recurrent_units):
        kernel, recurrent, bias = weights_of(model.get_layer(f"lstm_{index}"))
        blocks += lstm_blocks(f"lstm_{index}", kernel, recurrent, bias, uniform(np.sqrt(numerator / (2 * hidden))),
                              Spec("orthogonal", 1.1), forget)
    kernel, bias = weights_of(model.get_layer("tdd_out"))
    blocks += [("tdd_out/kernel", kernel, uniform(np.sqrt(numerator / (hidden + dims)))),
               ("tdd_out/bias", bias, constant(0))]
    assert sum(values.size for _, values, _ in blocks) == model.count_params()
    check_weights(blocks)


def decay_slice(config):
    """Samples per slice: 44100 // q // slices per second, q = 44100 // (2 · highest frequency)."""
    return 44100 // (44100 // (2 * config.highest_freq)) // config.slices_per_second


def decay_models():
    from decay.config import PRESETS, DecayConfig

    configs = [(preset, resolve_config(DecayConfig, PRESETS, preset)) for preset in PRESETS]
    return distinct(configs, lambda c: (decay_slice(c), c.hidden_units, c.lstm_layers, c.architecture, c.conv_filters,
                                        c.conv_lengths, c.conv_batchnorm_pool))


@pytest.mark.parametrize("config", decay_models())
def test_decay_initialisation(config):
    """Keras 1: Dense glorot-uniform, zero bias; per-gate glorot and orthogonal × 1.1; forget bias 1; convs U(±0.05)."""
    from decay.model import build_model

    keras.utils.set_random_seed(1)
    features, hidden = decay_slice(config), config.hidden_units
    model = build_model(config, features)
    blocks = []
    if config.architecture == "lstm":
        kernel, bias = weights_of(model.get_layer("dense_in"))
        blocks += [("dense_in/kernel", kernel, uniform(np.sqrt(6 / (features + hidden)))),
                   ("dense_in/bias", bias, constant(0))]
    else:
        for layer in model.get_layer("slice_conv").stack:
            if isinstance(layer, keras.layers.Conv1D):
                kernel, bias = weights_of(layer)
                blocks += [(f"{layer.name}/kernel", kernel, uniform(0.05)), (f"{layer.name}/bias", bias, constant(0))]
            elif isinstance(layer, keras.layers.BatchNormalization):
                gamma, beta, mean, variance = weights_of(layer)
                blocks += [(f"{layer.name}/{part}", values, constant(value)) for part, values, value in
                           (("gamma", gamma, 1), ("beta", beta, 0), ("mean", mean, 0), ("variance", variance, 1))]
    for index in range(config.lstm_layers):
        kernel, recurrent, bias = weights_of(model.get_layer(f"lstm_{index}"))
        blocks += lstm_blocks(f"lstm_{index}", kernel, recurrent, bias,
                              uniform(np.sqrt(6 / (kernel.shape[0] + hidden))), Spec("orthogonal", 1.1), 1.0)
    kernel, bias = weights_of(model.get_layer("dense_out"))
    blocks += [("dense_out/kernel", kernel, uniform(np.sqrt(6 / (hidden + features)))),
               ("dense_out/bias", bias, constant(0))]
    assert sum(values.size for _, values, _ in blocks) == model.count_params()
    check_weights(blocks)


def mdn_models():
    from mdn_vocoder.config import PRESETS, MdnConfig

    configs = [(preset, resolve_config(MdnConfig, PRESETS, preset)) for preset in PRESETS]
    configs.append(("sine[cell=keras]", dataclasses.replace(resolve_config(MdnConfig, PRESETS, "sine"), cell="keras")))
    configs.append(("clarinet[cell=keras]", dataclasses.replace(resolve_config(MdnConfig, PRESETS, "clarinet"),
                                                                cell="keras")))
    return distinct(configs, lambda c: (c.components, c.rnn_size, c.num_layers, c.mixtures, c.cell, c.init_range))


@pytest.mark.parametrize("config", mdn_models())
def test_mdn_vocoder_initialisation(config):
    """Torch: every parameter U(±0.08), each tensor its own draw; the i2h forget-gate bias block set to 1."""
    from mdn_vocoder.model import build_model

    keras.utils.set_random_seed(123)
    dimensions = 2 * config.components
    model = build_model(config, dimensions)
    spec = uniform(config.init_range)
    blocks = []
    for index in range(config.num_layers):
        layer = model.get_layer(f"lstm_{index + 1}")
        if config.cell == "keras":  # one bias: gates i, f, c, o, the forget block also 1
            kernel, recurrent, bias = weights_of(layer)
            blocks += lstm_blocks(layer.name, kernel, recurrent, None, spec, spec, None)
            units = config.rnn_size
            blocks += [(f"{layer.name}/bias[{letter}]", bias[gate * units:(gate + 1) * units],
                        constant(1.0) if letter == "f" else spec) for gate, letter in enumerate("ifco")]
            continue
        input_kernel, input_bias, recurrent_kernel, recurrent_bias = weights_of(layer)
        blocks += lstm_blocks(layer.name, input_kernel, recurrent_kernel, None, spec, spec, None, gate_order="ifog")
        units = config.rnn_size
        for gate, letter in enumerate("ifog"):
            columns = slice(gate * units, (gate + 1) * units)
            blocks.append((f"{layer.name}/i2h_bias[{letter}]", input_bias[columns],
                           constant(1.0) if letter == "f" else spec))
            blocks.append((f"{layer.name}/h2h_bias[{letter}]", recurrent_bias[columns], spec))
    kernel, bias = weights_of(model.get_layer("mdn"))
    blocks += [("mdn/kernel", kernel, spec), ("mdn/bias", bias, spec)]
    assert sum(values.size for _, values, _ in blocks) == model.count_params()
    check_weights(blocks)


def dreaming_models():
    from dreaming.config import PRESETS, DreamingConfig

    configs = [(preset, resolve_config(DreamingConfig, PRESETS, preset)) for preset in PRESETS]
    return distinct(configs, lambda c: (c.approach, c.seg_len, c.rows, c.weight_stddev))


@pytest.mark.parametrize("config", dreaming_models())
def test_dreaming_initialisation(config):
    """TF1: U(±1/√L) for both kernels (glorot over [2L, 4L]), drawn independently; zero bias + forget 1;
    heads TruncatedNormal(0, σ), σ 1e-6 (0.1 for transpose), zero bias."""
    from dreaming.model import build_network, head_stddev

    network = build_network(config)
    units = config.seg_len
    kernel, recurrent, bias = weights_of(network.cell)
    blocks = lstm_blocks("lstm_cell", kernel, recurrent, bias,
                         uniform(1 / np.sqrt(units)), uniform(1 / np.sqrt(units)), 1.0)
    sigma = Spec("truncnormal", head_stddev(config))
    for head in [network.head] + ([network.mix] if network.mix is not None else []):
        kernel, bias = weights_of(head)
        blocks += [(f"{head.name}/kernel", kernel, sigma), (f"{head.name}/bias", bias, constant(0))]
    assert sum(values.size for _, values, _ in blocks) == network.count_params()
    check_weights(blocks)


def autoencoder_models():
    from autoencoder_synth.config import PRESETS, TABLE_1, TABLE_2, TABLE_3, AutoencoderConfig, model_settings

    names = {resolve_config(AutoencoderConfig, PRESETS, preset).model for preset in PRESETS}
    names |= {f"ae1-{hidden}" for hidden in TABLE_1}
    names |= {f"ae2-{hidden}-{hidden2}" for hidden, hidden2 in TABLE_2}
    names |= {f"deep-{hidden}-{hidden2}" for hidden, hidden2 in TABLE_3}
    configs = [(name, dataclasses.replace(AutoencoderConfig(), **model_settings(name))) for name in sorted(names)]
    configs.append(("ae1-256[tied=false]", dataclasses.replace(AutoencoderConfig(), tied=False)))
    return distinct(configs, lambda c: (c.kind, c.hidden, c.hidden2, c.tied))


@pytest.mark.parametrize("config", autoencoder_models())
def test_autoencoder_synth_initialisation(config):
    """pylearn2: W (and an untied W′) U(−irange/2, irange/2), biases 0; the deep model's two parts drawn apart."""
    from autoencoder_synth.model import build_model

    model = build_model(config)
    spec = uniform(config.irange / 2)
    parts = [model.first, model.second] if config.kind == "deep" else [model]
    blocks = []
    for part in parts:
        blocks += [(f"{part.name}/W", np.asarray(part.kernel), spec),
                   (f"{part.name}/hb", np.asarray(part.hidden_bias), constant(0)),
                   (f"{part.name}/vb", np.asarray(part.visible_bias), constant(0))]
        if part.kernel_prime is not None:
            blocks.append((f"{part.name}/Wprime", np.asarray(part.kernel_prime), spec))
    assert sum(values.size for _, values, _ in blocks) == model.count_params()
    check_weights(blocks)


# ----------------------------------------------------------------------------- the checks themselves can fail


def test_a_shared_initializer_instance_is_caught():
    """One Keras 3 initializer instance used twice repeats its values (the defect these tests guard against)."""
    shared = keras.initializers.RandomUniform(-0.08, 0.08)
    first, second = np.asarray(shared((20, 64))), np.asarray(shared((100, 64)))
    with pytest.raises(AssertionError, match="independent"):
        check_weights([("a", first, uniform(0.08)), ("b", second, uniform(0.08))])
    fresh = np.asarray(keras.initializers.RandomUniform(-0.08, 0.08)((100, 64)))
    check_weights([("a", first, uniform(0.08)), ("c", fresh, uniform(0.08))])


@pytest.mark.parametrize("wrong, spec", [
    (lambda rng: rng.uniform(-0.1, 0.1, 5000), uniform(0.08)),  # a wider limit
    (lambda rng: rng.uniform(-0.06, 0.06, 5000), uniform(0.08)),  # a narrower one (Keras 3's fused glorot, say)
    (lambda rng: rng.normal(0, 0.08 / np.sqrt(3), 5000).clip(-0.08, 0.08), uniform(0.08)),  # a normal in range
    (lambda rng: rng.uniform(-0.2, 0.2, 5000), Spec("truncnormal", 0.1)),  # uniform where a truncated normal belongs
    (lambda rng: np.linalg.qr(rng.normal(size=(32, 32)))[0], Spec("orthogonal", 1.1)),  # orthogonal without the gain
])
def test_a_wrong_distribution_is_caught(wrong, spec):
    with pytest.raises(AssertionError):
        assert_distribution("wrong", wrong(np.random.default_rng(0)), spec)
