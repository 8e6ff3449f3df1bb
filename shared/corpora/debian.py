"""The Debian packages behind the real tier: where their files are, their licences, their installed versions."""

from __future__ import annotations

import shutil
import subprocess


SONIC_PI = "/usr/share/sonic-pi/samples"
HYDROGEN_808 = "/usr/share/hydrogen/data/drumkits/TR808EmulationKit"
FLUID_R3 = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
GUITAR_STRUMS = "/usr/share/hydrogen/data/drumkits/belofilms_GuitarStrums"
FLUIDSYNTH = "/usr/bin/fluidsynth"

#: The ``requires`` of a corpus rendered from FluidR3_GM by the fluidsynth CLI.
FLUIDSYNTH_SOUNDFONT = (("fluidsynth", FLUIDSYNTH), ("fluid-soundfont-gm", FLUID_R3))

#: Per Debian package: its licence and a note, recorded in the manifest of every corpus that reads it.
SOURCES = {
    "sonic-pi-samples": {
        "licence": "CC0 (per /usr/share/doc/sonic-pi-samples/copyright)",
        "note": "Sonic Pi's sample pack; each sample is a freesound.org upload released as CC0",
    },
    "hydrogen-data": {
        "licence": "GPL (drumkit.xml of TR808EmulationKit; package GPL-2+)",
        "note": "Hydrogen's TR808EmulationKit by ArtemioLabs: synthesized from scratch to simulate the TR-808",
    },
    "fluid-soundfont-gm": {
        "licence": "MIT (FluidR3_GM by Frank Wen, per /usr/share/doc/fluid-soundfont-gm/copyright)",
        "note": "General MIDI soundfont; its TR-808 drum kit is bank 128 preset 25 (sample origin unstated)",
    },
    "hydrogen-drumkits-effects": {
        "licence": "CC-BY-3.0 (belofilms_GuitarStrums by Gabriel Verdugo Soto <belo@belofilms.com>: drumkit.xml "
                   "<license>CC-BY 3.0 Unported</license>; /usr/share/doc/hydrogen-drumkits-effects/copyright)",
        "note": "Hydrogen kit 'belofilms.com - AC-Guitar-Strums (flac)': 295 real acoustic-guitar strums, about 24 "
                "chords x plain/DOWN/UP takes x 4 velocity layers, 96 kHz 24-bit stereo FLAC",
    },
    "fluidsynth": {
        "licence": "LGPL-2.1+ (the renderer; its output carries the soundfont's licence)",
        "note": "fluidsynth CLI, reverb and chorus off, 32-bit float output",
    },
}


def with_note(package: str, note: str) -> dict:
    """``SOURCES[package]`` with its note replaced by ``note``: what one corpus uses of the package."""
    return {**SOURCES[package], "note": note}


def package_version(package: str) -> str | None:
    """The installed Debian version of ``package`` (``dpkg-query``), or None where unknown."""
    dpkg_query = shutil.which("dpkg-query")
    if dpkg_query is None:
        return None
    result = subprocess.run(
        [dpkg_query, "-W", "-f=${Version}", package], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None
