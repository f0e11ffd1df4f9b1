"""The demo company as the CSV files the importers read: the `data/` folder of the repository.

The history is pinned to one end date, so the committed files are reproducible: `python -m
genxsop_core export-demo data/` writes them again byte for byte, and a test fails when the
generator changes and the files do not. The bytes are those of an export (`exporter.to_csv_bytes`),
with yes/no columns written 1/0 as the templates show them.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from genxsop_core.demo.company import build_demo_data
from genxsop_core.io.exporter import to_csv_bytes
from genxsop_core.io.formats import FORMATS, IMPORT_ORDER

# The last completed week when the files were first written (Monday); history runs up to it.
DEMO_FILES_END = date(2026, 11, 23)


def file_name(kind: str) -> str:
    """`products.csv`, `demand.csv`, ...: the kind a file holds is its name."""
    return f"{kind}.csv"


def _flags_as_digits(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    flags = [c.name for c in FORMATS[kind].columns if c.type == "bool"]
    return frame.astype({name: "int64" for name in flags})


def demo_files(bucket: str = "week", end: date = DEMO_FILES_END) -> dict[str, bytes]:
    """File name -> CSV content for every kind the demo has, in import order."""
    frames = build_demo_data(bucket, end=end)
    return {file_name(kind): to_csv_bytes(_flags_as_digits(frames[kind], kind))
            for kind in IMPORT_ORDER if kind in frames}


def write_demo_files(folder: Path, bucket: str = "week", end: date = DEMO_FILES_END) -> list[Path]:
    """Write the demo files into `folder` (created if missing); returns the paths in import order."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in demo_files(bucket, end).items():
        path = folder / name
        path.write_bytes(content)
        written.append(path)
    return written
