"""Which font file fontconfig picks for a family and style, asked in this process.

The same calls ``fc-match`` makes (parse the pattern, apply the configuration's substitutions and the
defaults, match), through the fontconfig library WeasyPrint's Pango already uses, so the answer is the
one the renderer will get. One ``fc-match`` process per family and style cost about 8 ms of CPU each,
some 80 of them for the shipped languages; here the configuration is loaded once and a match takes
well under a millisecond.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
from functools import cache

FC_MATCH_PATTERN = 0  # FcMatchKind: FcMatchPattern
FC_RESULT_MATCH = 0  # FcResult: FcResultMatch


@cache
def _fontconfig() -> tuple[ctypes.CDLL, ctypes.c_void_p] | None:
    """The library and its current configuration (loaded once), or None where it is missing."""
    name = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    lib.FcNameParse.restype = ctypes.c_void_p
    lib.FcNameParse.argtypes = [ctypes.c_char_p]
    lib.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    lib.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
    lib.FcFontMatch.restype = ctypes.c_void_p
    lib.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    lib.FcPatternGetString.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_char_p),
    ]
    lib.FcPatternDestroy.argtypes = [ctypes.c_void_p]
    config = lib.FcInitLoadConfigAndFonts()
    return (lib, ctypes.c_void_p(config)) if config else None


def font_file(family: str, style: str) -> str:
    """The file fontconfig picks for ``family:style=STYLE`` ("" if none), as ``fc-match -f %{file}``."""
    loaded = _fontconfig()
    if loaded is None:
        return _fc_match(family, style)
    lib, config = loaded
    pattern = lib.FcNameParse(f"{family}:style={style}".encode())
    if not pattern:
        return ""
    try:
        lib.FcConfigSubstitute(config, pattern, FC_MATCH_PATTERN)
        lib.FcDefaultSubstitute(pattern)
        result = ctypes.c_int()
        match = lib.FcFontMatch(config, pattern, ctypes.byref(result))
    finally:
        lib.FcPatternDestroy(pattern)
    if not match:
        return ""
    try:
        file = ctypes.c_char_p()
        if lib.FcPatternGetString(match, b"file", 0, ctypes.byref(file)) != FC_RESULT_MATCH or not file.value:
            return ""
        return file.value.decode("utf-8", "surrogateescape")
    finally:
        lib.FcPatternDestroy(match)


def _fc_match(family: str, style: str) -> str:
    """The command-line tool, where the library cannot be loaded here."""
    try:
        return subprocess.run(
            ["fc-match", "-f", "%{file}", f"{family}:style={style}"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
