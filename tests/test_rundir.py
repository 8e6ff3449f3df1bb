"""Tests for shared/rundir.py: atomic writes, JSON files, settings resolution and the
command-line error convention (one ``error:`` line on stderr, exit status 2)."""

import dataclasses
import json
import os
from pathlib import Path
from typing import Literal, Optional

import numpy as np
import pytest

from shared import rundir
from shared.rundir import InputError


@dataclasses.dataclass(frozen=True)
class Settings:
    """A small settings dataclass with one field of every supported kind."""

    preset: str = "default"
    shuffle: bool = False
    steps: int = 10
    learning_rate: float = 0.001
    name: str = "run"
    limit: Optional[int] = None
    hidden: int | None = 32
    mode: Literal["faithful", "fast"] = "faithful"


PRESETS = {
    "tiny": {"steps": 2, "hidden": 4},
    "paper": {"steps": 2000, "shuffle": True, "mode": "fast", "learning_rate": 0.01},
}


def only_file(folder):
    return sorted(os.listdir(folder))


# ----------------------------------------------------------------------------- atomic writes


def test_atomic_path_success(tmp_path):
    final = tmp_path / "model.keras"
    with rundir.atomic_path(final) as temporary:
        assert temporary != final
        assert temporary.parent == final.parent  # same folder, so the rename is atomic
        assert temporary.suffix == ".keras"  # writers that infer the format from the name still work
        assert temporary.name.startswith(".")
        assert not final.exists()
        temporary.write_bytes(b"new contents")
    assert final.read_bytes() == b"new contents"
    assert only_file(tmp_path) == ["model.keras"]


def test_atomic_path_replaces_existing_and_creates_parent(tmp_path):
    final = tmp_path / "run" / "data" / "stats.npz"
    with rundir.atomic_path(final) as temporary:
        assert temporary.parent.is_dir()
        assert temporary.name.endswith(".npz")
        temporary.write_bytes(b"first")
    with rundir.atomic_path(final) as temporary:
        temporary.write_bytes(b"second")
    assert final.read_bytes() == b"second"
    assert only_file(final.parent) == ["stats.npz"]


@pytest.mark.parametrize("exception", [RuntimeError("writer failed"), KeyboardInterrupt()], ids=["error", "interrupt"])
def test_atomic_path_failure_keeps_old_file(tmp_path, exception):
    final = tmp_path / "config.json"
    final.write_text("old and good")
    with pytest.raises(type(exception)):
        with rundir.atomic_path(final) as temporary:
            temporary.write_text("half writ")
            raise exception
    assert final.read_text() == "old and good"
    assert only_file(tmp_path) == ["config.json"]


def test_atomic_path_failure_before_writing(tmp_path):
    final = tmp_path / "out.wav"
    with pytest.raises(ValueError):
        with rundir.atomic_path(final):
            raise ValueError("nothing written yet")
    assert only_file(tmp_path) == []


# ----------------------------------------------------------------------------- JSON and npz


def test_json_round_trip_with_numpy(tmp_path):
    path = tmp_path / "metrics.json"
    document = {
        "float32": np.float32(0.5),
        "float64": np.float64(1.25),
        "int16": np.int16(-7),
        "int64": np.int64(2**40),
        "bool": np.bool_(True),
        "array": np.arange(6, dtype=np.int32).reshape(2, 3),
        "float_array": np.array([0.25, -1.5]),
        "path": Path("runs") / "gruv",
        "nested": {"list": [1, 2.5, "three", None]},
    }
    rundir.write_json(path, document)
    back = rundir.read_json(path)
    assert back == {
        "float32": 0.5,
        "float64": 1.25,
        "int16": -7,
        "int64": 2**40,
        "bool": True,
        "array": [[0, 1, 2], [3, 4, 5]],
        "float_array": [0.25, -1.5],
        "path": str(Path("runs") / "gruv"),
        "nested": {"list": [1, 2.5, "three", None]},
    }
    assert type(back["int64"]) is int and type(back["bool"]) is bool
    assert json.loads(path.read_text()) == back  # plain JSON, readable by anything
    assert only_file(tmp_path) == ["metrics.json"]


def test_write_json_unserialisable_keeps_old_file(tmp_path):
    path = tmp_path / "metrics.json"
    rundir.write_json(path, {"ok": 1})
    with pytest.raises(TypeError, match="object"):
        rundir.write_json(path, {"bad": object()})
    assert rundir.read_json(path) == {"ok": 1}
    assert only_file(tmp_path) == ["metrics.json"]


def test_read_json_missing(tmp_path):
    path = tmp_path / "absent.json"
    with pytest.raises(InputError) as error:
        rundir.read_json(path)
    assert str(error.value).startswith(f"{path}: ")
    assert "not found" in str(error.value)


@pytest.mark.parametrize("text", ["{not json", "", '{"a": 1,}'], ids=["broken", "empty", "trailing-comma"])
def test_read_json_malformed(tmp_path, text):
    path = tmp_path / "broken.json"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        rundir.read_json(path)
    assert str(error.value).startswith(f"{path}: ")
    assert "not valid JSON" in str(error.value)


def test_read_json_binary_garbage(tmp_path):
    path = tmp_path / "binary.json"
    path.write_bytes(b"\xff\xfe\x00\x81 not text")
    with pytest.raises(InputError):
        rundir.read_json(path)


def test_save_npz_round_trip(tmp_path):
    path = tmp_path / "data" / "train.npz"
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    rundir.save_npz(path, x=x, mean=np.float64(0.5))
    with np.load(path) as loaded:
        np.testing.assert_array_equal(loaded["x"], x)
        assert loaded["x"].dtype == np.float32
        assert loaded["mean"] == 0.5
    assert only_file(path.parent) == ["train.npz"]


def test_save_npy_round_trip(tmp_path):
    path = tmp_path / "data" / "x.npy"
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    rundir.save_npy(path, x)
    np.testing.assert_array_equal(np.load(path), x)
    assert only_file(path.parent) == ["x.npy"]


# ----------------------------------------------------------------------------- settings


def test_resolve_config_defaults_and_presets():
    assert rundir.resolve_config(Settings, PRESETS, None) == Settings()
    tiny = rundir.resolve_config(Settings, PRESETS, "tiny")
    assert tiny == Settings(preset="tiny", steps=2, hidden=4)
    paper = rundir.resolve_config(Settings, PRESETS, "paper")
    assert paper == Settings(preset="paper", steps=2000, shuffle=True, mode="fast", learning_rate=0.01)


def test_resolve_config_overrides_win_over_preset():
    settings = rundir.resolve_config(Settings, PRESETS, "tiny", ["steps=5", "name = hello=world", "limit=none"])
    assert settings.preset == "tiny"
    assert settings.steps == 5
    assert settings.hidden == 4
    assert settings.name == "hello=world"
    assert settings.limit is None


def test_resolve_config_without_preset_field():
    @dataclasses.dataclass
    class NoPreset:
        steps: int = 1

    assert rundir.resolve_config(NoPreset, {"tiny": {"steps": 3}}, "tiny") == NoPreset(steps=3)


@pytest.mark.parametrize(
    "override, field, expected",
    [
        ("shuffle=true", "shuffle", True),
        ("shuffle=True", "shuffle", True),
        ("shuffle=1", "shuffle", True),
        ("shuffle=false", "shuffle", False),
        ("shuffle=0", "shuffle", False),
        ("steps=42", "steps", 42),
        ("steps=-3", "steps", -3),
        ("learning_rate=1e-3", "learning_rate", 0.001),
        ("learning_rate=2", "learning_rate", 2.0),
        ("name=some text", "name", "some text"),
        ("limit=none", "limit", None),
        ("limit=None", "limit", None),
        ("limit=7", "limit", 7),
        ("hidden=none", "hidden", None),
        ("hidden=64", "hidden", 64),
        ("mode=fast", "mode", "fast"),
    ],
)
def test_apply_overrides_parses_by_type(override, field, expected):
    settings = rundir.apply_overrides(Settings(), [override])
    value = getattr(settings, field)
    assert value == expected
    assert type(value) is type(expected)
    unchanged = {f.name for f in dataclasses.fields(Settings)} - {field}
    assert all(getattr(settings, name) == getattr(Settings(), name) for name in unchanged)


def test_apply_overrides_returns_a_copy():
    original = Settings()
    changed = rundir.apply_overrides(original, ["steps=3"])
    assert original.steps == 10 and changed.steps == 3
    assert rundir.apply_overrides(original, []) == original


def test_parse_value_directly():
    assert rundir.parse_value(bool, "yes", "here") is True
    assert rundir.parse_value(bool, "OFF", "here") is False
    assert rundir.parse_value(Optional[float], "null", "here") is None
    assert rundir.parse_value(Optional[float], "0.5", "here") == 0.5
    assert rundir.parse_value(Literal["a", "b"], "b", "here") == "b"
    with pytest.raises(InputError) as error:
        rundir.parse_value(int, "4.5", "--set steps")
    assert str(error.value) == "--set steps: '4.5' is not a valid int"


def test_unknown_preset():
    with pytest.raises(InputError) as error:
        rundir.resolve_config(Settings, PRESETS, "huge")
    message = str(error.value)
    assert message.startswith("--preset: ")
    assert "unknown preset 'huge'" in message
    assert "tiny" in message and "paper" in message


@pytest.mark.parametrize(
    "override, fragments",
    [
        ("epochs=3", ["unknown setting 'epochs'", "steps", "learning_rate"]),
        ("steps", ["'steps' is not of the form key=value"]),
        ("steps=ten", ["--set steps", "'ten' is not a valid int"]),
        ("steps=1.5", ["--set steps", "not a valid int"]),
        ("learning_rate=fast", ["--set learning_rate", "'fast' is not a valid float"]),
        ("shuffle=maybe", ["--set shuffle", "'maybe' is not a boolean"]),
        ("limit=lots", ["--set limit", "'lots' is not a valid int"]),
        ("mode=slow", ["--set mode", "'slow' is not one of faithful, fast"]),
    ],
)
def test_bad_overrides(override, fragments):
    with pytest.raises(InputError) as error:
        rundir.resolve_config(Settings, PRESETS, "tiny", ["steps=3", override])
    message = str(error.value)
    assert message.startswith("--set")
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_bad_override_names_its_source():
    with pytest.raises(InputError) as error:
        rundir.apply_overrides(Settings(), ["steps=x"], source="sweep.txt")
    assert str(error.value).startswith("sweep.txt steps: ")


# ----------------------------------------------------------------------------- config.json


def test_write_and_load_config(tmp_path):
    run = tmp_path / "runs" / "gruv" / "tiny"
    settings = rundir.resolve_config(Settings, PRESETS, "tiny", ["limit=3", "mode=fast", "learning_rate=0.5"])
    rundir.write_config(run, settings, inputs=["a.wav", "b.wav"], rate=np.int64(44100))
    assert only_file(run) == ["config.json"]
    loaded, document = rundir.load_config(run, Settings)
    assert loaded == settings
    assert document["inputs"] == ["a.wav", "b.wav"]
    assert document["rate"] == 44100
    assert document["settings"] == dataclasses.asdict(settings)


def test_load_config_without_config_json(tmp_path):
    with pytest.raises(InputError) as error:
        rundir.load_config(tmp_path, Settings)
    message = str(error.value)
    assert message.startswith(f"{tmp_path}: ")
    assert "config.json" in message and "preprocess" in message


def test_load_config_unknown_keys(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"settings": {"steps": 3, "epochs": 9, "batch": 2}}))
    with pytest.raises(InputError) as error:
        rundir.load_config(tmp_path, Settings)
    message = str(error.value)
    assert message.startswith(f"{path}: ")
    assert "epochs" in message and "batch" in message


def test_load_config_malformed(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"settings": {')
    with pytest.raises(InputError) as error:
        rundir.load_config(tmp_path, Settings)
    assert str(error.value).startswith(f"{path}: ")


@pytest.mark.parametrize("document", [[1, 2, 3], {"settings": None}], ids=["list", "settings-null"])
def test_load_config_not_an_object(tmp_path, document):
    (tmp_path / "config.json").write_text(json.dumps(document))
    with pytest.raises(InputError):
        rundir.load_config(tmp_path, Settings)


# ----------------------------------------------------------------------------- cli_main


def test_cli_main_input_error(tmp_path, capsys):
    missing = tmp_path / "input.wav"

    def main(argv):
        assert argv == ["--run", "somewhere"]
        raise InputError(missing, "file not found")

    with pytest.raises(SystemExit) as exit_info:
        rundir.cli_main(main, ["--run", "somewhere"])
    assert exit_info.value.code == 2 == rundir.EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error:")
    assert str(missing) in lines[0] and "file not found" in lines[0]


def test_cli_main_success_and_other_errors(capsys):
    calls = []
    assert rundir.cli_main(calls.append, ["x"]) == 0
    assert calls == [["x"]]

    def crashes(argv):
        raise ZeroDivisionError("a bug, not bad input")

    with pytest.raises(ZeroDivisionError):  # a bug keeps its traceback
        rundir.cli_main(crashes)
    assert capsys.readouterr().err == ""


# ----------------------------------------------------------------------------- a quiet start

def test_stderr_without_drops_only_the_matching_lines(capfd):
    # C++ writes straight to file descriptor 2, so the filter must work below sys.stderr
    with rundir.stderr_without(rundir.TENSORFLOW_CHATTER):
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
                    b"I0000 00:00:17.1 30032 port.cc:153] oneDNN custom operations are on. You may see ...\n"
                    b"a real problem\n")
    assert capfd.readouterr().err == "a real problem\n"


def _cli_modules() -> list[str]:
    """Every script of the project: the modules that start through ``cli_main``."""
    root = Path(__file__).resolve().parents[1]
    folders = ("gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth", "shared")
    modules = [f"{folder}.{path.stem}" for folder in folders for path in sorted((root / folder).glob("*.py"))
               if "cli_main(main" in path.read_text()]
    assert len(modules) >= 20, modules
    return modules


def test_help_and_argument_errors_never_import_tensorflow():
    import subprocess
    import sys

    probe = ("import runpy, sys\n"
             "for module in sys.argv[1:]:\n"
             "    for arguments in (['--help'], ['--no-such-option']):\n"
             "        sys.argv = [module, *arguments]\n"
             "        try:\n"
             "            runpy.run_module(module, run_name='__main__', alter_sys=True)\n"
             "        except SystemExit:\n"
             "            pass\n"
             "        if 'tensorflow' in sys.modules:\n"
             "            print(module, *arguments, file=sys.stderr)\n"
             "            sys.exit(1)\n")
    result = subprocess.run([sys.executable, "-c", probe, *_cli_modules()], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, f"imported TensorFlow: {result.stderr.strip().splitlines()[-1:]}"


def test_a_script_that_imports_tensorflow_starts_quietly():
    import subprocess
    import sys

    script = ("from shared.rundir import cli_main\n"
              "def main(argv):\n"
              "    import keras\n"
              "    print(float(keras.ops.sum(keras.ops.ones((2,)))))\n"
              "cli_main(main)\n")
    environment = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2.0"
    assert result.stderr == "", f"start-up chatter: {result.stderr[:300]}"
