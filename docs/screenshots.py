"""Refresh the screenshots of the docs from the demo company: `.venv/bin/python docs/screenshots.py`.

It runs the browser walk of every page (tests/e2e/test_every_page.py) as the admin, who opens every
page, on a fresh demo database, with GENXSOP_SCREENSHOTS naming docs/screenshots/: the walk saves
one 1440x900 picture per page as the page opens (<page>.png, the page's key in
app/genxsop_ui/navigation.py). The Overview's picture becomes docs/screenshot.png, the README's.
The app start, the sign-in and the waiting for each page are the walk's (tests/e2e), not repeated
here. Needs Debian's Chromium (/usr/bin/chromium, or GENXSOP_CHROMIUM): no browser download.

The walk's findings (what a planner should not see) are printed; the pictures are taken either way,
and the script fails only if a page's picture is missing.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "docs" / "screenshots"
README_PAGE = "home"  # the README's picture: the Overview of the demo company
WALK = "tests/e2e/test_every_page.py::test_every_page_reads_as_a_planner_expects[admin]"


def main() -> int:
    from genxsop_ui.navigation import PAGES

    started = time.time()
    walk = subprocess.run(
        [sys.executable, "-m", "pytest", WALK, "-n", "0", "--no-cov", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT, env={**os.environ, "GENXSOP_SCREENSHOTS": str(FOLDER)}, check=False)
    missing = [p.key for p in PAGES
               if not (FOLDER / f"{p.key}.png").exists() or (FOLDER / f"{p.key}.png").stat().st_mtime < started]
    if missing:
        print(f"no new picture of: {', '.join(missing)}", file=sys.stderr)
        return 1
    shutil.copyfile(FOLDER / f"{README_PAGE}.png", ROOT / "docs" / "screenshot.png")
    print(f"{len(PAGES)} pages in {FOLDER.relative_to(ROOT)}/, docs/screenshot.png from {README_PAGE}.png"
          + ("" if walk.returncode == 0 else "; the walk found problems (listed above)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
