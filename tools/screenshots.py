"""Remake the README's pictures of the review walk-through: the case page, the unmask
prompt and the subject's report.

They are taken with Playwright and Debian's Chromium by the browser walk-through
(``tests/test_browser_walkthrough.py``) over the hand-made, synthetic force of
``synthetic/walkthrough.py``, 1000 px wide, as PNG:

    .venv/bin/python tools/screenshots.py            # into docs/img/
    .venv/bin/python tools/screenshots.py --out /tmp/shots

It fails when the walk-through fails or did not run (no Playwright or Chromium: the
test is skipped and no picture is made).
"""

from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PICTURES = ("case-page", "unmask-prompt", "subject-report")
MAX_BYTES = 400_000


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG (from its header)."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="folder of the pictures")
    args = ap.parse_args(argv)
    out: Path = args.out.resolve()
    started = time.time()
    env = {**os.environ, "LINKWATCH_SCREENSHOTS": str(out)}
    test = ["tests/test_browser_walkthrough.py", "-q", "-p", "no:cacheprovider", "-rs"]
    done = subprocess.run([sys.executable, "-m", "pytest", *test], cwd=ROOT, env=env)
    if done.returncode != 0:
        return done.returncode
    bad = 0
    for name in PICTURES:
        path = out / f"{name}.png"
        if not path.exists() or path.stat().st_mtime < started:
            print(f"{path}: not made (was the browser test skipped?)", file=sys.stderr)
            bad += 1
            continue
        width, height = png_size(path)
        size = path.stat().st_size
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {width}x{height}, {size:,} bytes")
        if size > MAX_BYTES:
            print(f"{path}: larger than {MAX_BYTES:,} bytes", file=sys.stderr)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
