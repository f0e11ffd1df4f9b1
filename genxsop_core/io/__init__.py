"""Data in and out: file formats, reading, validation, import and export."""
