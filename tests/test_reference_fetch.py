"""``python -m shared.reference``: the manifest, ``list``, ``fetch`` and where the tests find the data.

Offline: every download comes from a temporary mirror of generated files, served from a folder
(``file://``) or by a local HTTP server on 127.0.0.1 that understands ``Range`` and can cut a
response short.  Nothing here reaches the network.
"""

import hashlib
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO_ROOT, reference_dir
from shared import reference
from shared.rundir import cli_main

WORK = "demo"
#: Generated files: a plain name, a path with spaces in a sub-folder (as decay's results/), an empty-ish small one.
CONTENTS = {
    "tone.wav": 200_000,
    "results/1 - a run name/Note.gen.wav": 70_001,
    "small.bin": 17,
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def mirror(tmp_path):
    """(mirror folder laid out as <work>/<path>, manifest dict, manifest file, {path: bytes})."""
    rng = np.random.default_rng(19)
    folder = tmp_path / "mirror"
    data = {path: rng.integers(0, 256, size, dtype=np.uint8).tobytes() for path, size in CONTENTS.items()}
    for path, payload in data.items():
        (folder / WORK / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / WORK / path).write_bytes(payload)
    manifest = {
        "sources": {"demo-source": {"repository": "someone/demo", "licence": "none stated",
                                    "terms": "DEMO TERMS: measurement only, never redistributed."}},
        "works": {WORK: {"note": "generated test files", "files": [
            {"path": path, "source": "demo-source", "repository": "someone/demo", "commit": "0" * 40,
             "source_path": f"data/{path}", "url": f"https://example.invalid/{urllib.parse.quote(path)}",
             "size": len(payload), "sha256": sha256(payload)} for path, payload in data.items()]}},
    }
    manifest_file = tmp_path / "manifest.json"
    manifest_file.write_text(json.dumps(manifest))
    return folder, manifest, manifest_file, data


def cli(*arguments, env=None):
    """The real command line, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "shared.reference", *map(str, arguments)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


@pytest.fixture
def command(capsys):
    """The command line's ``main`` in this process: ``command(*arguments)`` → (exit status, stdout, stderr)."""
    def run(*arguments):
        try:
            cli_main(reference.main, [str(argument) for argument in arguments])
            code = 0
        except SystemExit as exit:
            code = exit.code
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(arguments, code, captured.out, captured.err)
    return run


def tree(folder):
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())


# ----------------------------------------------------------------------------- a local HTTP mirror


class MirrorHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the mirror folder with ``Range`` support; ``cut`` maps a path to a byte count sent before hanging up."""

    cut: dict = {}
    log: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.translate_path(self.path)
        if not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as handle:
            payload = handle.read()
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if match:
            start = int(match.group(1))
        self.log.append((urllib.parse.unquote(self.path), self.headers.get("Range")))
        body = payload[start:]
        self.send_response(206 if match else 200)
        if match:
            self.send_header("Content-Range", f"bytes {start}-{len(payload) - 1}/{len(payload)}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        limit = self.cut.pop(urllib.parse.unquote(self.path), None)
        self.wfile.write(body if limit is None else body[:limit])
        if limit is not None:
            self.close_connection = True


@pytest.fixture
def server(mirror):
    folder = mirror[0]
    handler = type("Handler", (MirrorHandler,), {
        "cut": {}, "log": [],
        "__init__": lambda self, *a, **k: MirrorHandler.__init__(self, *a, directory=str(folder), **k)})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


# ----------------------------------------------------------------------------- fetch and list


def test_list_then_complete_fetch_from_a_folder_mirror_then_list(mirror, tmp_path, command):
    folder, manifest, manifest_file, data = mirror
    target = tmp_path / "cache"
    before = command("list", WORK, "--to", target, "--manifest", manifest_file)
    assert before.returncode == 0, before.stderr
    for path, payload in data.items():  # origin, size, sha256 and status on each file's line
        line = next(line for line in before.stdout.splitlines() if f"] {path} " in line)
        assert line.lstrip().startswith("[missing]") and f"{len(payload):,} B" in line and sha256(payload) in line
        assert f"someone/demo@{'0' * 12}:data/{path}" in line
    assert "DEMO TERMS" in before.stdout

    result = cli("fetch", WORK, "--to", target, "--mirror", folder.as_uri(), "--manifest", manifest_file,
                 "--no-progress")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.index("DEMO TERMS") < result.stdout.index("sha256 ok")  # the terms come first
    assert tree(target) == sorted(f"{WORK}/{path}" for path in data)  # no .partial left behind
    for path, payload in data.items():
        assert (target / WORK / path).read_bytes() == payload
    assert reference.list_files([WORK], target, manifest, out=open(os.devnull, "w")) == {WORK: {"present": len(data)}}
    after = command("list", WORK, "--to", target, "--manifest", manifest_file)
    assert after.stdout.count("[present]") == len(data) and "[missing]" not in after.stdout

    again = command("fetch", WORK, "--to", target, "--mirror", folder, "--manifest", manifest_file, "--no-progress")
    # a plain folder works too
    assert again.returncode == 0 and f"0 fetched, {len(data)} already present" in again.stdout


def test_corrupted_file_is_rejected_and_removed(mirror, tmp_path):
    folder, manifest, _, data = mirror
    bad = "results/1 - a run name/Note.gen.wav"
    damaged = bytearray(data[bad])
    damaged[1000] ^= 0xFF
    (folder / WORK / bad).write_bytes(bytes(damaged))  # same size, one byte off: only the sha256 can tell
    target = tmp_path / "cache"
    with pytest.raises(reference.FetchError) as caught:
        reference.fetch([WORK], target, folder.as_uri(), manifest, progress=False, out=open(os.devnull, "w"))
    message = str(caught.value)
    assert f"{WORK}/{bad}" in message and "sha256 mismatch" in message
    assert sha256(data[bad]) in message and sha256(bytes(damaged)) in message  # expected and actual
    assert urllib.parse.quote(bad) in message  # the URL it came from
    assert not (target / WORK / bad).exists()
    assert tree(target) == sorted(f"{WORK}/{path}" for path in data if path != bad)  # the good ones stay; no partial


def test_a_stale_file_in_the_cache_is_replaced(mirror, tmp_path):
    folder, manifest, _, data = mirror
    target = tmp_path / "cache"
    (target / WORK).mkdir(parents=True)
    (target / WORK / "small.bin").write_bytes(b"x" * CONTENTS["small.bin"])  # right size, wrong bytes
    summary = reference.fetch([WORK], target, str(folder), manifest, progress=False, out=open(os.devnull, "w"))
    assert summary[WORK]["fetched"] == len(data) and (target / WORK / "small.bin").read_bytes() == data["small.bin"]


def test_interrupted_download_resumes_over_http(mirror, server, tmp_path):
    _, manifest, _, data = mirror
    base, handler = server
    name = "tone.wav"
    handler.cut[f"/{WORK}/{name}"] = 123_456  # the first response stops after this many bytes
    target = tmp_path / "cache"
    with pytest.raises(reference.FetchError) as caught:
        reference.fetch([WORK], target, base, manifest, progress=False, out=open(os.devnull, "w"))
    assert f"{WORK}/{name}" in str(caught.value) and "resumes" in str(caught.value)
    assert not (target / WORK / name).exists()  # nothing half-written where the file belongs
    partial = target / reference.PARTIAL_DIR / WORK / name
    assert partial.stat().st_size == 123_456

    reference.fetch([WORK], target, base, manifest, progress=False, out=open(os.devnull, "w"))
    assert (target / WORK / name).read_bytes() == data[name]
    assert (f"/{WORK}/{name}", "bytes=123456-") in handler.log  # continued, not restarted
    assert not (target / reference.PARTIAL_DIR).exists()
    assert tree(target) == sorted(f"{WORK}/{path}" for path in data)


def test_network_failure_says_how_to_place_files_by_hand(mirror, tmp_path):
    _, _, manifest_file, _ = mirror
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = tmp_path / "cache"
    result = cli("fetch", WORK, "--to", target, "--mirror", f"http://127.0.0.1:{port}", "--manifest", manifest_file,
                 "--no-progress")
    assert result.returncode == 1
    assert "download from http://127.0.0.1" in result.stderr and "To place the files by hand" in result.stderr
    assert "someone/demo" in result.stderr and str(target / WORK) in result.stderr
    assert not (target / WORK).exists() and not any(path.is_file() for path in target.rglob("*"))


def test_a_missing_file_on_the_mirror_fails_loudly(mirror, server, tmp_path):
    folder, manifest, _, _ = mirror
    (folder / WORK / "small.bin").unlink()
    with pytest.raises(reference.FetchError, match=r"small\.bin.*HTTP 404"):
        reference.fetch([WORK], tmp_path / "cache", server[0], manifest, progress=False, out=open(os.devnull, "w"))
    assert not (tmp_path / "cache" / WORK / "small.bin").exists()


@pytest.mark.parametrize("arguments, expected", [
    (["fetch", "nonsense"], "unknown work 'nonsense'"),
    (["list", "nonsense"], "unknown work 'nonsense'"),
    (["fetch", "demo", "--mirror", "ftp://host/x"], "unsupported scheme 'ftp'"),
    (["fetch", "demo", "--mirror", "file:///no/such/folder"], "does not exist"),
    (["fetch", "demo", "--mirror", "http://"], "has no host"),
])
def test_bad_input_exits_2_with_one_message(mirror, tmp_path, command, arguments, expected):
    result = command(*arguments, "--to", tmp_path / "cache", "--manifest", mirror[2])
    assert result.returncode == 2 and expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "cache").exists()  # nothing written


def test_a_broken_manifest_exits_2(tmp_path, command):
    broken = tmp_path / "manifest.json"
    broken.write_text("{not json")
    result = command("list", "--manifest", broken)
    assert result.returncode == 2 and "manifest.json" in result.stderr and "JSON" in result.stderr


# ----------------------------------------------------------------------------- the project's manifest


def test_project_manifest_pins_every_file_by_commit_and_sha256():
    manifest = reference.load_manifest()
    assert set(manifest["works"]) == {"gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth"}
    for work in manifest["works"]:
        for item in reference.files(work, manifest):
            assert re.fullmatch(r"[0-9a-f]{64}", item.sha256) and item.size > 0, item
            terms = manifest["sources"][item.source]
            assert terms["licence"] and terms["terms"], item.source
            if item.url is None:  # ships with the repository
                assert reference.bundled_dir(work, manifest) is not None
                continue
            assert re.fullmatch(r"[0-9a-f]{7,40}", item.commit), item
            assert item.url == (f"https://raw.githubusercontent.com/{item.repository}/{item.commit}/"
                                f"{urllib.parse.quote(item.source_path)}")
    counts = {work: len(reference.files(work, manifest)) for work in manifest["works"]}
    assert counts == {"gruv": 8, "mdn_vocoder": 1, "dreaming": 15, "decay": 169, "autoencoder_synth": 0}


def test_bundled_gruv_arrays_match_the_manifest():
    folder = reference.bundled_dir("gruv")
    assert folder == REPO_ROOT / "tests" / "reference" / "gruv" and (folder / "README.md").is_file()
    for item in reference.files("gruv"):
        assert reference.sha256_of(folder / item.path) == item.sha256, item.path


def test_manifest_matches_the_copies_audio_repro_reference_points_at():
    """Where ``$AUDIO_REPRO_REFERENCE`` is set (the team's machines, through ``.ci/run``), it holds the files the
    manifest was made from."""
    checked = 0
    for work in ("mdn_vocoder", "dreaming", "decay"):
        if not os.environ.get("AUDIO_REPRO_REFERENCE"):
            break
        folder = Path(os.environ["AUDIO_REPRO_REFERENCE"]) / work
        if not folder.is_dir():
            continue
        for item in reference.files(work):
            path = folder / item.path
            assert path.stat().st_size == item.size and reference.sha256_of(path) == item.sha256, item.path
            checked += 1
    if not checked:
        pytest.skip("AUDIO_REPRO_REFERENCE is not set, or holds none of these works")


# ----------------------------------------------------------------------------- where the tests look


@pytest.fixture
def no_reference(tmp_path, monkeypatch):
    """No $AUDIO_REPRO_REFERENCE and an empty cache."""
    monkeypatch.delenv("AUDIO_REPRO_REFERENCE", raising=False)
    monkeypatch.delenv("REQUIRE_REFERENCE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path


def fake_copy(root, work="mdn_vocoder"):
    """Files of ``work``'s manifest sizes under ``root/<work>`` (locate checks sizes; fetch checks sums)."""
    for item in reference.files(work):
        (root / work / item.path).parent.mkdir(parents=True, exist_ok=True)
        (root / work / item.path).write_bytes(b"\0" * item.size)
    return root / work


def test_missing_data_skips_with_the_fetch_command(no_reference, monkeypatch):
    with pytest.raises(pytest.skip.Exception, match=r"python -m shared\.reference fetch mdn_vocoder"):
        reference_dir("mdn_vocoder")
    monkeypatch.setenv("REQUIRE_REFERENCE", "1")
    with pytest.raises(pytest.fail.Exception, match=r"python -m shared\.reference fetch mdn_vocoder"):
        reference_dir("mdn_vocoder")


def test_search_order_environment_then_cache(no_reference, monkeypatch):
    tmp_path = no_reference
    cache = reference.cache_root()
    assert cache == tmp_path / "xdg" / "audio-repro" / "reference"
    (cache / "mdn_vocoder").mkdir(parents=True)
    (cache / "mdn_vocoder" / "sine_440.wav").write_bytes(b"cut short")  # incomplete: not used
    with pytest.raises(pytest.skip.Exception):
        reference_dir("mdn_vocoder")
    cached = fake_copy(cache)
    assert reference_dir("mdn_vocoder") == cached
    monkeypatch.setenv("AUDIO_REPRO_REFERENCE", str(tmp_path / "mine"))
    (tmp_path / "mine" / "mdn_vocoder").mkdir(parents=True)
    assert reference_dir("mdn_vocoder") == tmp_path / "mine" / "mdn_vocoder"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert reference.cache_root() == reference.Path.home() / ".cache" / "audio-repro" / "reference"


def test_gruv_arrays_come_from_the_repository_first(no_reference, monkeypatch):
    monkeypatch.setenv("AUDIO_REPRO_REFERENCE", str(no_reference))
    (no_reference / "gruv").mkdir()
    assert reference_dir("gruv") == REPO_ROOT / "tests" / "reference" / "gruv"
