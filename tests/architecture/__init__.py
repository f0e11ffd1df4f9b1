"""Rules of the architecture, checked on the source."""
