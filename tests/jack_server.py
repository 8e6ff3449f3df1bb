"""A private JACK server with the dummy driver, for the live instrument's tests and its soak benchmark.

``jackd --no-realtime -n <name> -d dummy -r <rate> -p <period>``: no sound card, no realtime
privileges, a clock that asks for one period every period/rate seconds as a card would.  Clients
find it through ``JACK_DEFAULT_SERVER=<name>`` (:meth:`JackServer.env`); PortAudio discovers JACK
when it initialises, so a client that should see it is a process started after the server.

Named ``jack_server`` (not ``jack``) so that it never hides the JACK-Client package's ``jack`` module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


class JackUnavailable(RuntimeError):
    """jackd is not installed, or did not come up."""


class JackServer:
    """Start with :meth:`start` (or ``with JackServer(…) as server``), stop with :meth:`stop`.

    ``log`` is jackd's own output (its stderr and stdout): :meth:`xruns` counts the xruns it reported.
    """

    def __init__(self, rate: int = 22050, period: int = 1024, name: str | None = None):
        self.rate, self.period = rate, period
        self.name = name or f"audio-repro-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.process: subprocess.Popen | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="jackd-", suffix=".log", delete=False)
        self.log_path = Path(self._log.name)

    def env(self, base=None) -> dict:
        """The environment for a client of this server."""
        env = dict(os.environ if base is None else base)
        env["JACK_DEFAULT_SERVER"] = self.name
        env.pop("JACK_NO_START_SERVER", None)
        return env

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def xruns(self) -> int:
        """The xruns jackd reported ("JackEngine::XRun: client = … was not finished")."""
        return self.log.count("JackEngine::XRun")

    def start(self, timeout: float = 15.0) -> "JackServer":
        jackd = shutil.which("jackd")
        if jackd is None or shutil.which("jack_lsp") is None:
            raise JackUnavailable("jackd / jack_lsp not found")
        self.process = subprocess.Popen(
            [jackd, "--no-realtime", "-n", self.name, "-d", "dummy", "-r", str(self.rate), "-p", str(self.period)],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, env=self.env())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # up when jack_lsp lists the dummy driver's ports
            if self.process.poll() is not None:
                break
            listed = subprocess.run(["jack_lsp"], env={**self.env(), "JACK_NO_START_SERVER": "1"},
                                    capture_output=True, text=True, timeout=10)
            if listed.returncode == 0 and "system:playback_1" in listed.stdout:
                return self
            time.sleep(0.2)
        log = self.log.strip().splitlines()[-5:]
        self.stop()
        raise JackUnavailable(f"jackd did not come up in {timeout:g} s: " + " | ".join(log))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def close(self) -> None:
        self.stop()
        self._log.close()
        self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> "JackServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
