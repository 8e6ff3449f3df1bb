"""The reference data of the five works: list it, fetch it, verify it, find it.

The regression tests compare each work with files the original authors published (their
training inputs, their generated outputs) and with arrays measured by running an original's
own helpers.  ``shared/reference_manifest.json`` says, for every file, the public repository,
the commit and path it comes from, its raw URL at that commit, its size and its sha256.  The
URLs cannot be tried from every machine, so the sha256 is the guarantee: a file whose sum
differs is deleted and the fetch fails, whatever the server said.

Command line::

    python -m shared.reference list [WORK ...] [--to DIR]
    python -m shared.reference fetch [WORK ...] [--to DIR] [--mirror URL] [--manifest FILE]

``fetch`` writes into the cache (``$XDG_CACHE_HOME/audio-repro/reference``, else
``~/.cache/audio-repro/reference``) or ``--to DIR``, laid out as ``<work>/<path>``.  Each file is
downloaded into ``.partial/`` under that folder, resumed from there if a previous download was
cut, checked against its sha256 and only then renamed into place: the work folders only ever
hold complete, verified files.  ``--mirror`` reads the same layout from a local folder, a
``file://`` URL or an ``http(s)://`` base instead of GitHub, so a lab can fetch once
(``fetch --to /srv/reference``), serve that folder, and let every machine fetch from it.

Before fetching, the licence terms of each source are printed.  Several sources have no
licence: their files are used for measurement only and are never redistributed; they stay in
the user's cache, never in this repository.  The gruv arrays are the exception: they were made
for this project (the original helpers run on our own synthetic inputs) and ship with the
repository in ``tests/reference/gruv/``.

Tests find the data with :func:`locate`: ``$AUDIO_REPRO_REFERENCE/<work>``, then the cache,
and, for gruv, ``tests/reference/gruv/`` before both.

Exit status: 0 done; 1 a download failed or a file did not verify (the message says which,
and how to place the files by hand); 2 bad input (an unknown work, a bad mirror or manifest).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from shared.rundir import InputError, cli_main, sha256_of

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = Path(__file__).with_name("reference_manifest.json")
#: The team's shared folder beside the repository (only the team's machines have it).
PARTIAL_DIR = ".partial"
CHUNK = 1 << 16
TIMEOUT_S = 60
EXIT_FETCH_FAILED = 1


class FetchError(Exception):
    """A download failed or a file did not verify; ``str(error)`` says which and what to do."""


@dataclass(frozen=True)
class ReferenceFile:
    """One file of the manifest.

    Attributes
    ----------
    work : str
        The work it belongs to (its folder under the reference root).
    path : str
        Its path inside ``<root>/<work>/`` (POSIX separators; may contain spaces).
    source : str
        Key of the manifest's ``sources`` (repository and licence terms).
    repository, commit, source_path : str
        Where it comes from: ``github.com/<repository>`` at ``commit``, file ``source_path``.
    url : str or None
        Its raw URL at that commit; None for files that ship with the repository.
    size : int
        Its size in bytes.
    sha256 : str
        Its sha256, hex.
    """

    work: str
    path: str
    source: str
    repository: str
    commit: str
    source_path: str | None
    url: str | None
    size: int
    sha256: str


# ----------------------------------------------------------------------------- manifest


def load_manifest(path=None) -> dict:
    """The manifest (``shared/reference_manifest.json`` unless ``path`` is given), checked for shape.

    Raises
    ------
    InputError
        When the file is missing, is not JSON, or lacks ``sources`` / ``works`` / a file's fields.
    """
    path = Path(path) if path is not None else MANIFEST_PATH
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(path, "manifest not found") from None
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(path, f"not a readable JSON manifest ({error})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("works"), dict) or "sources" not in manifest:
        raise InputError(path, "a manifest needs 'sources' and 'works' (see shared/reference_manifest.json)")
    required = {"path", "source", "size", "sha256"}
    for work, entry in manifest["works"].items():
        for item in entry.get("files", []):
            missing = required - set(item)
            if missing:
                raise InputError(path, f"work {work!r}: a file lacks {', '.join(sorted(missing))}")
            if item["source"] not in manifest["sources"]:
                raise InputError(path, f"work {work!r}: {item['path']} names an unknown source {item['source']!r}")
    return manifest


def works(manifest=None) -> list[str]:
    """The works the manifest knows, in its order."""
    return list((manifest or load_manifest())["works"])


def files(work: str, manifest=None) -> list[ReferenceFile]:
    """The reference files of ``work``.

    Raises
    ------
    InputError
        For a work the manifest does not know (naming the accepted ones).
    """
    manifest = manifest or load_manifest()
    if work not in manifest["works"]:
        raise InputError("WORK", f"unknown work {work!r} (accepted: {', '.join(manifest['works'])})")
    return [
        ReferenceFile(work=work, path=item["path"], source=item["source"],
                      repository=item.get("repository") or manifest["sources"][item["source"]].get("repository", ""),
                      commit=item.get("commit") or "", source_path=item.get("source_path"), url=item.get("url"),
                      size=int(item["size"]), sha256=item["sha256"].lower())
        for item in manifest["works"][work].get("files", [])
    ]


def bundled_dir(work: str, manifest=None):
    """The repository folder that holds ``work``'s files (gruv: ``tests/reference/gruv``), or None."""
    folder = (manifest or load_manifest())["works"].get(work, {}).get("bundled")
    return REPO_ROOT / folder if folder else None


# ----------------------------------------------------------------------------- where the data is


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/audio-repro/reference``, or ``~/.cache/audio-repro/reference``."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "audio-repro" / "reference"


def is_complete(folder, work: str, manifest=None) -> bool:
    """Whether ``folder`` holds every file of ``work`` at its manifest size (a cheap check; ``fetch`` hashes)."""
    folder = Path(folder)
    wanted = files(work, manifest)
    return folder.is_dir() and all((folder / item.path).is_file() and (folder / item.path).stat().st_size == item.size
                                   for item in wanted)


def candidates(work: str, manifest=None) -> list[tuple[str, Path]]:
    """Where :func:`locate` looks for ``work``, in order, each with a label."""
    places = []
    bundled = bundled_dir(work, manifest)
    if bundled is not None:
        places.append(("repository", bundled))
    if os.environ.get("AUDIO_REPRO_REFERENCE"):
        places.append(("$AUDIO_REPRO_REFERENCE", Path(os.environ["AUDIO_REPRO_REFERENCE"]) / work))
    places.append(("cache", cache_root() / work))
    return places


def locate(work: str, manifest=None):
    """The folder that holds ``work``'s reference files, or None.

    The order: the repository's own folder (gruv only), ``$AUDIO_REPRO_REFERENCE/<work>``, the
    cache.  The cache counts only when complete (every file at its manifest size); the folder
    a user points at counts when it exists.
    """
    for label, folder in candidates(work, manifest):
        if label in ("cache", "repository"):
            if is_complete(folder, work, manifest):
                return folder
        elif folder.is_dir():
            return folder
    return None


def fetch_command(work: str) -> str:
    """The exact command that puts ``work``'s files in the cache."""
    return f"python -m shared.reference fetch {work}"


# ----------------------------------------------------------------------------- verifying and fetching


def check_mirror(mirror: str | None) -> str | None:
    """``mirror`` as a base URL (``file://…``, ``http://…``, ``https://…``), or None.

    A plain path is taken as a local folder.

    Raises
    ------
    InputError
        For another scheme, or a local folder that does not exist.
    """
    if mirror is None:
        return None
    parsed = urllib.parse.urlparse(mirror)
    if parsed.scheme in ("http", "https"):
        if not parsed.netloc:
            raise InputError("--mirror",
                             f"{mirror!r} has no host (accepted: file://FOLDER, http://HOST/BASE, a folder)")
        return mirror.rstrip("/")
    if parsed.scheme == "file":
        folder = Path(urllib.request.url2pathname(parsed.path))
    elif parsed.scheme == "" or (len(parsed.scheme) == 1 and os.name == "nt"):
        folder = Path(mirror)
    else:
        raise InputError("--mirror", f"unsupported scheme {parsed.scheme!r} in {mirror!r} "
                                     "(accepted: file://FOLDER, http://HOST/BASE, https://HOST/BASE, a folder)")
    if not folder.is_dir():
        raise InputError("--mirror", f"mirror folder {folder} does not exist")
    return folder.resolve().as_uri()


def source_url(item: ReferenceFile, mirror: str | None) -> str:
    """Where ``item`` is downloaded from: ``<mirror>/<work>/<path>``, or the manifest's URL."""
    if mirror is not None:
        return f"{mirror}/{urllib.parse.quote(item.work)}/{urllib.parse.quote(item.path)}"
    return item.url


def _open(url: str, offset: int):
    """(response, resumed) for ``url`` from byte ``offset``; ``resumed`` is False when it restarts at 0."""
    if url.startswith("file:"):
        handle = open(urllib.request.url2pathname(urllib.parse.urlparse(url).path), "rb")
        handle.seek(offset)
        return handle, True
    request = urllib.request.Request(url, headers={"User-Agent": "audio-repro-reference/1"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as error:
        if error.code == 416 and offset:  # the partial file is already whole (or longer): start again
            return _open(url, 0)
        raise
    return response, response.status == 206


def _by_hand(item: ReferenceFile, root: Path) -> str:
    origin = f"github.com/{item.repository} at commit {item.commit}, file {item.source_path!r}"
    return (f"To place the files by hand: download {origin} (or copy it from a machine that has it) to "
            f"{root / item.work / item.path}; `python -m shared.reference list {item.work}` shows every file's "
            f"sha256, and `fetch` verifies what is there. Or point AUDIO_REPRO_REFERENCE at a folder that holds "
            f"<work>/<path>, or fetch from a lab mirror with --mirror.")


def download(item: ReferenceFile, root: Path, mirror: str | None = None, progress: bool = True) -> Path:
    """Put ``item`` at ``root/<work>/<path>``, verified; resume a cut download; return the path.

    The bytes go to ``root/.partial/<work>/<path>`` first.  A partial file from an earlier,
    interrupted run is continued (an HTTP ``Range`` request, or a seek in a local mirror).  The
    finished file is hashed: a match is renamed into place, a mismatch is deleted.

    Raises
    ------
    FetchError
        On a network or file error (the partial file is kept, for the next run to resume) or a
        sha256 mismatch (the file is deleted; the message names it, both sums and the URL).
    """
    final = root / item.work / item.path
    partial = root / PARTIAL_DIR / item.work / item.path
    url = source_url(item, mirror)
    if url is None:
        raise FetchError(f"{item.work}/{item.path}: the manifest gives no URL for this file")
    partial.parent.mkdir(parents=True, exist_ok=True)
    offset = partial.stat().st_size if partial.exists() else 0
    if offset > item.size:
        partial.unlink()
        offset = 0
    try:
        response, resumed = _open(url, offset) if offset < item.size else (None, True)
        if response is not None:
            with response, open(partial, "ab" if resumed else "wb") as out:
                bar = _progress_bar(item, offset if resumed else 0, progress)
                try:
                    for block in iter(lambda: response.read(CHUNK), b""):
                        out.write(block)
                        bar.update(len(block))
                finally:
                    bar.close()
        if partial.stat().st_size < item.size:  # urllib returns a short body without complaint when a server hangs up
            raise ConnectionError("the connection closed before the whole file arrived")
    except (urllib.error.URLError, http.client.HTTPException, OSError,
            ValueError) as error:  # timeouts, resets, cut bodies
        reason = getattr(error, "reason", None) or error
        if isinstance(error, urllib.error.HTTPError):
            reason = f"HTTP {error.code} {error.reason}"
            if error.code == 404:
                reason += " (the URL is wrong, or the mirror lacks the file)"
        kept = partial.stat().st_size if partial.exists() else 0
        raise FetchError(f"{item.work}/{item.path}: download from {url} failed: {reason}. "
                         f"{kept} of {item.size} bytes are kept in {partial} and the next fetch resumes from there. "
                         + _by_hand(item, root)) from None
    actual = sha256_of(partial)
    if actual != item.sha256:
        size = partial.stat().st_size
        partial.unlink()
        raise FetchError(f"{item.work}/{item.path}: sha256 mismatch, file deleted. Expected {item.sha256}, "
                         f"got {actual} ({size} bytes, expected {item.size}), downloaded from {url}. "
                         "The URL serves something else than the pinned file; nothing was kept.")
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, final)
    return final


def _progress_bar(item: ReferenceFile, initial: int, progress: bool):
    from tqdm import tqdm

    return tqdm(total=item.size, initial=initial, unit="B", unit_scale=True, unit_divisor=1024, leave=False,
                desc=f"{item.work}/{item.path}"[-60:], disable=None if progress else True)


def licence_text(work: str, manifest=None) -> list[str]:
    """The terms of each source ``work``'s files come from, one line each."""
    manifest = manifest or load_manifest()
    lines = []
    for source in dict.fromkeys(item.source for item in files(work, manifest)):
        terms = manifest["sources"][source]
        lines.append(f"  {terms.get('repository', source)} (licence: {terms.get('licence', 'not stated')}): "
                     f"{terms.get('terms', '')}")
    return lines


def fetch(selected=None, root=None, mirror=None, manifest=None, progress=True, out=None) -> dict:
    """Fetch and verify the reference files of ``selected`` works (all by default) into ``root``.

    Files already in place with the right sha256 are kept; a wrong one is replaced.  Bundled
    works (gruv) are verified in the repository and not copied.

    Parameters
    ----------
    selected : list of str, optional
        Works to fetch (default: every work of the manifest).
    root : Path, optional
        Target folder (default :func:`cache_root`).
    mirror : str, optional
        A folder, ``file://`` or ``http(s)://`` base laid out as ``<work>/<path>``.
    manifest : dict, optional
        A loaded manifest (default ``shared/reference_manifest.json``).
    progress : bool
        Show a progress bar per file (on a terminal).
    out : file, optional
        Where to print (default stdout).

    Returns
    -------
    dict
        ``{work: {"fetched": n, "present": n, "bundled": n}}``.

    Raises
    ------
    InputError
        For an unknown work or a bad mirror (before anything is written).
    FetchError
        When a file cannot be downloaded or does not verify (after the others were tried).
    """
    out = out or sys.stdout
    manifest = manifest or load_manifest()
    selected = list(selected or manifest["works"])
    for work in selected:
        files(work, manifest)  # unknown work: InputError before anything is written
    mirror_base = check_mirror(mirror)
    root = Path(root) if root is not None else cache_root()
    print(f"Reference data -> {root}" + (f" (from mirror {mirror_base})" if mirror_base else ""), file=out)
    print("Licence terms (the files stay in this folder; several sources have no licence, so they are used for "
          "measurement only and never redistributed):", file=out)
    for line in dict.fromkeys(line for work in selected for line in licence_text(work, manifest)):
        print(line, file=out)
    summary, failures = {}, []
    for work in selected:
        counts = {"fetched": 0, "present": 0, "bundled": 0}
        bundled = bundled_dir(work, manifest)
        wanted = files(work, manifest)
        if not wanted:
            print(f"{work}: {manifest['works'][work].get('note', 'no reference files')}", file=out)
        for index, item in enumerate(wanted, 1):
            label = f"[{work} {index}/{len(wanted)}] {item.path}"
            if bundled is not None:
                path = bundled / item.path
                if not path.is_file() or sha256_of(path) != item.sha256:
                    failures.append(f"{work}/{item.path}: the copy in {path} is missing or does not match sha256 "
                                    f"{item.sha256}; restore it from the repository "
                                    f"(git checkout -- {path.relative_to(REPO_ROOT)})")
                    continue
                counts["bundled"] += 1
                continue
            final = root / work / item.path
            if final.is_file() and final.stat().st_size == item.size and sha256_of(final) == item.sha256:
                counts["present"] += 1
                continue
            if final.exists():
                final.unlink()  # a stale or damaged copy: replaced by a verified one
            try:
                download(item, root, mirror_base, progress)
            except FetchError as error:
                failures.append(str(error))
                print(f"{label}: FAILED", file=out, flush=True)
                continue
            counts["fetched"] += 1
            print(f"{label}: {item.size:,} bytes, sha256 ok", file=out, flush=True)
        if bundled is not None and wanted:
            print(f"{work}: ships with the repository in {bundled.relative_to(REPO_ROOT)} "
                  f"({counts['bundled']} files verified); nothing to fetch", file=out)
        elif wanted:
            print(f"{work}: {counts['fetched']} fetched, {counts['present']} already present, "
                  f"{len(wanted) - counts['fetched'] - counts['present']} failed -> {root / work}", file=out)
        summary[work] = counts
    partial_root = root / PARTIAL_DIR
    if partial_root.is_dir() and not any(path.is_file() for path in partial_root.rglob("*")):
        shutil.rmtree(partial_root, ignore_errors=True)
    if failures:
        raise FetchError(f"{len(failures)} file(s) failed:\n" + "\n".join(f"- {failure}" for failure in failures))
    return summary


# ----------------------------------------------------------------------------- listing


def status(item: ReferenceFile, root: Path, manifest=None) -> str:
    """``present``, ``missing``, ``partial`` (a download to resume) or ``wrong size`` for ``item`` under ``root``."""
    bundled = bundled_dir(item.work, manifest)
    path = (bundled if bundled is not None else root / item.work) / item.path
    if not path.is_file():
        return "partial" if (root / PARTIAL_DIR / item.work / item.path).is_file() else "missing"
    return "present" if path.stat().st_size == item.size else "wrong size"


def list_files(selected=None, root=None, manifest=None, out=None) -> dict:
    """Print each work's files: origin, size, sha256, licence, local status; return ``{work: {status: n}}``."""
    out = out or sys.stdout
    manifest = manifest or load_manifest()
    selected = list(selected or manifest["works"])
    for work in selected:
        files(work, manifest)
    root = Path(root) if root is not None else cache_root()
    counts = {}
    for work in selected:
        wanted = files(work, manifest)
        bundled = bundled_dir(work, manifest)
        where = bundled.relative_to(REPO_ROOT) if bundled is not None else root / work
        print(f"== {work}: {len(wanted)} files, {sum(item.size for item in wanted):,} bytes, in {where}", file=out)
        print(f"   {manifest['works'][work].get('note', '')}", file=out)
        for line in licence_text(work, manifest):
            print(f"   licence:{line[1:]}", file=out)
        found = locate(work, manifest)
        if not wanted:
            pass
        elif found is not None and bundled is None:
            print(f"   tests use: {found}", file=out)
        elif found is None:
            print(f"   tests: no complete copy found; run `{fetch_command(work)}`", file=out)
        if wanted and bundled is None:
            print(f"   status of each file in {root / work}:", file=out)
        tally = {}
        for item in wanted:
            state = status(item, root, manifest)
            tally[state] = tally.get(state, 0) + 1
            origin = f"{item.repository}@{item.commit[:12]}:{item.source_path}" if item.source_path else item.repository
            print(f"   [{state}] {item.path}  {item.size:,} B  sha256 {item.sha256}  from {origin}", file=out)
        counts[work] = tally
    return counts


# ----------------------------------------------------------------------------- command line


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.reference", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("list", "show each work's files, their origin, sha256, licence and whether they are here"),
                       ("fetch", "download and verify the files into the cache (or --to DIR)")):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument("works", nargs="*", metavar="WORK", help="works (default: all)")
        command.add_argument("--to", type=Path, default=None, help=f"target folder (default {cache_root()})")
        command.add_argument("--manifest", type=Path, default=None,
                             help="another manifest (default shared/reference_manifest.json)")
        if name == "fetch":
            command.add_argument("--mirror", default=None,
                                 help="fetch from a mirror laid out as <work>/<path>: a folder, file://FOLDER or "
                                      "http(s)://BASE")
            command.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    manifest = load_manifest(args.manifest)
    if args.command == "list":
        list_files(args.works, args.to, manifest)
        return
    try:
        fetch(args.works, args.to, args.mirror, manifest, progress=not args.no_progress)
    except FetchError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(EXIT_FETCH_FAILED)


if __name__ == "__main__":
    cli_main(main)
