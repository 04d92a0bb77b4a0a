"""Reading articles as they come (text scrapes, HTML, JSON Lines, RSS/Atom).

``read_inputs(paths, settings)`` yields a ``RawDocument`` per article or an
``InputError`` per unreadable input; cleaning (``parley.stages.clean``) turns a
``RawDocument`` into an ``Article``.
"""

from __future__ import annotations

from parley.inputs.readers import decode_bytes, detect_format, read_inputs

__all__ = ["decode_bytes", "detect_format", "read_inputs"]
