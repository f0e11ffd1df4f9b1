"""The wheel holds every module of the source tree (a Dask worker installed from it must be able to
import any chunk it is sent; an editable install hides a package missing from the wheel)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import genxsop_core

ROOT = Path(genxsop_core.__file__).resolve().parents[1]
SHIPPED = {"genxsop_core": ROOT / "genxsop_core", "genxsop_ui": ROOT / "app" / "genxsop_ui"}


def _source_files() -> set[str]:
    """Every module and packaged template, as its path inside the wheel."""
    files = set()
    for package, folder in SHIPPED.items():
        for path in folder.rglob("*"):
            if path.suffix in {".py", ".mako"} and "__pycache__" not in path.parts:
                files.add(f"{package}/{path.relative_to(folder).as_posix()}")
    return files


def _build_wheel(tmp_path: Path, pyproject: str | None = None) -> Path:
    """Build from a copy of the tree, so the checkout gets no build/ or egg-info folders."""
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "genxsop_core", source / "genxsop_core", ignore=ignore)
    shutil.copytree(ROOT / "app" / "genxsop_ui", source / "app" / "genxsop_ui", ignore=ignore)
    (source / "pyproject.toml").write_text(pyproject or (ROOT / "pyproject.toml").read_text())
    out = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                    "--quiet", "--wheel-dir", str(out)], check=True, capture_output=True, timeout=300)
    (wheel,) = out.glob("genxsop-*.whl")
    return wheel


def _missing_from(wheel_file: Path) -> list[str]:
    with zipfile.ZipFile(wheel_file) as wheel:
        return sorted(_source_files() - set(wheel.namelist()))


def test_the_wheel_holds_every_module_of_the_source_tree(tmp_path):
    missing = _missing_from(_build_wheel(tmp_path))
    assert not missing, f"modules left out of the wheel (pyproject.toml [tool.setuptools]): {missing}"


def test_a_hand_written_package_list_is_caught(tmp_path):
    """The check is not vacuous: the old pyproject, which listed packages by hand, is reported."""
    listed_by_hand = (ROOT / "pyproject.toml").read_text().split("[tool.setuptools.packages.find]")[0] + (
        '[tool.setuptools]\npackages = ["genxsop_core", "genxsop_core.io"]\n')
    missing = _missing_from(_build_wheel(tmp_path, listed_by_hand))
    assert "genxsop_core/forecasting/strategies/chronos.py" in missing
    assert "genxsop_core/forecasting/engine.py" in missing
