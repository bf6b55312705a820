"""The wheel carries the bundled content, so `pip install .` works from any directory."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from .helpers import ROOT


def test_wheel_ships_decks_katas_incidents_roadmap_and_sources(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("studycli-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("decks", "incidents", "roadmap"):
        shipped = {n for n in names if n.startswith(f"studycli/_content/{folder}/")}
        in_repo = {f"studycli/_content/{folder}/{p.name}" for p in (ROOT / folder).glob("*.yaml")}
        if folder == "decks":  # and each kata's folder: spec, stub, reference, checks
            in_repo |= {
                f"studycli/_content/{p.relative_to(ROOT)}"
                for p in (ROOT / "decks" / "katas").glob("*/*")
                if p.name in ("kata.yaml", "stub.py", "solution.py", "checks.py")
            }
        assert in_repo and shipped == in_repo, folder
    assert "studycli/_content/sources.yaml" in names  # the list every card's source names
    assert "studycli/render/fonts/LICENSE" in names or any("fonts/" in n for n in names)
