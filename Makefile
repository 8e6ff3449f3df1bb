# make reproduce | make test | make lessons | make regress | make mutations | make corpora | make system-deps
# Each target creates .venv if it is missing; nothing needs installing by hand.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# Debian packages behind the real corpora (shared/corpora/), the listening-page browser test (chromium),
# the instrument's audio output (libportaudio2, for sounddevice), and the instrument's live tests: a JACK server
# with its dummy driver (jackd2; jack_lsp, jack_wait) and an OSC client we did not write (liblo-tools: oscsend).
DEB_PACKAGES := sox fluidsynth fluid-soundfont-gm sonic-pi-samples hydrogen-data hydrogen-drumkits-effects chromium mma libportaudio2 jackd2 liblo-tools

.PHONY: reproduce test regress mutations corpora system-deps venv lessons docs

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev,realtime,cluster,monitor]'
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed

# Installs the Debian packages when it can (root, or passwordless sudo); otherwise prints the command.
# A failure here does not stop the other targets: tests that need a missing package skip (or fail under CI=true).
system-deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "system-deps: all present ($(DEB_PACKAGES))"; exit 0; fi; \
	cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$(echo $$missing)"; \
	if [ "$$(id -u)" = 0 ]; then sh -c "$$cmd" || echo "system-deps: install failed; run as root: $$cmd"; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo sh -c "$$cmd" || echo "system-deps: install failed; run: sudo sh -c '$$cmd'"; \
	else echo "system-deps: missing $$missing; install them with: sudo sh -c '$$cmd'"; fi

# One pytest worker per core (pytest-xdist), each test file whole on one worker: a module's fixtures are made once.
test: system-deps $(VENV)/.installed-dev
	$(PY) -m pytest -n auto --dist loadfile

# The regression tests alone (run this after upgrading TensorFlow / Keras / numpy; a few minutes): every test that
# reads reference data (tests/conftest.py::reference_dir), the fetcher's, the golden outputs (tests/golden/) and the
# synthetic corpora's sha256 (tests/test_corpora_identity.py).
# Reference data: tests/reference/gruv/ ships with the repository; the rest: python -m shared.reference fetch.
regress: $(VENV)/.installed-dev
	$(PY) -m pytest --regress $$( (grep -l 'reference_dir(' tests/test_*.py; echo tests/test_golden.py; echo tests/test_corpora_identity.py) | sort -u)

# Plausible wrong changes, one or more per checklist item, each against its work's tests (tests/mutations/);
# writes <work>/results/mutations.{json,md} and the READMEs' mutation tables. Not part of `make test`: about an hour.
mutations: system-deps $(VENV)/.installed-dev
	$(PY) tests/mutations/run.py

# the quick runs, the lessons (each work's tutorial executed and rendered) and the listening page linking both
reproduce: system-deps $(VENV)/.installed-dev
	$(PY) -m shared.suite

# the lessons alone: runs/lessons/<work>.html and index.html
lessons docs: $(VENV)/.installed-dev
	$(PY) -m shared.lessons --out runs/lessons

corpora: system-deps $(VENV)/.installed
	$(PY) -m shared.corpora build-all --out corpora
