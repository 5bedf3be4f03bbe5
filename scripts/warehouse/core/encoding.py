"""Which encoding a raw export that is not UTF-8 is in, decided on the bytes that need deciding
(Bronze records it; Silver reads with it and names it in its warnings).

A file that decodes as UTF-8 is UTF-8; that needs no library. For the others the Bronze scan
keeps a sample of the lines holding non-ASCII bytes (from the first byte that is not UTF-8 on),
and charset-normalizer says which code pages read that sample as plausible text, with how much
"chaos" (mess) each leaves. Statistics cannot tell the Western code pages apart on a few
accented names (cp1250 and cp1252 read "Müller" equally well), so among the plausible readings
the one CRM/ERP exports on Western Windows machines use is preferred: Windows-1252, or Latin-1
when the file has no byte in 0x80-0x9F (the only bytes where the two differ, holding € and the
curly quotes in cp1252 and invisible control characters in Latin-1). Another code page is
chosen only when it reads the sample clearly better (Cyrillic, Greek, ... exports).
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Valid multi-byte UTF-8 sequences: in a file that is mostly UTF-8 with a few stray bytes they
# are explained by UTF-8 and are no evidence for a code page.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_HIGH = re.compile(rb"[\x80-\xff]")
_C1 = re.compile(rb"[\x80-\x9f]")
# How much less chaos a reading in another script must leave to beat the Western one.
TOLERANCE = 0.1
# charset-normalizer's names for the Unicode ranges of Latin text, its punctuation and symbols.
LATIN_ALPHABETS = {
    "Basic Latin",
    "Control character",
    "Latin-1 Supplement",
    "Latin Extended-A",
    "Latin Extended-B",
    "Latin Extended Additional",
    "General Punctuation",
    "Currency Symbols",
    "Letterlike Symbols",
    "Spacing Modifier Letters",
    "Box Drawing",
    "Block Elements",
    "Mathematical Operators",
    "Geometric Shapes",
}
# Below this confidence the encoding counts as undecided: a warning, the file is still read.
DECIDED = 0.8

LABELS = {"latin-1": "Latin-1", "cp1252": "Windows-1252", "utf-16": "UTF-16"}
# Encodings Bronze records for files that read every character as written (no detection).
UNICODE = ("ascii", "utf-8", "utf-8-sig", "utf-16")


def detect_encoding(sample: bytes) -> tuple[str, float]:
    """The encoding of a file that is not valid UTF-8, from ``sample`` (its lines that hold
    non-ASCII bytes), and the confidence of that reading (0 to 1: 1 - charset-normalizer's
    chaos for it, 0 when there is nothing to decide on). The name is a Python codec name:
    ``cp1252``, ``latin-1`` or, for a file in another script, what charset-normalizer found
    (e.g. ``cp1251``)."""
    evidence = _UTF8_SEQUENCE.sub(b"", sample)
    western = "cp1252" if _C1.search(evidence) and _decodes(evidence, "cp1252") else "latin-1"
    if not _HIGH.search(evidence):
        return western, 0.0  # nothing to decide on (e.g. a character cut off at the end)
    western_chaos = _chaos(evidence, western)
    # Another Latin code page (cp437, mac_roman, cp1250, ...) reading a few names a little
    # better is noise; a reading in another script (Cyrillic, Greek, ...) that is clearly
    # better is a fact about the export. No Unicode encoding can be right: the file has no NUL
    # bytes (Bronze calls those binary) and is not UTF-8.
    others = [
        m
        for m in from_bytes(evidence)
        if not m.encoding.startswith("utf") and not set(m.alphabets) <= LATIN_ALPHABETS
    ]
    best = min(others, key=lambda m: m.chaos, default=None)
    if best is not None and best.chaos + TOLERANCE < western_chaos:
        return codecs.lookup(best.encoding).name, _confidence(best.chaos)
    return western, _confidence(western_chaos)


def _chaos(evidence: bytes, encoding: str) -> float:
    """charset-normalizer's chaos (0: clean text, 1: noise) for reading ``evidence`` so."""
    name = "latin_1" if encoding == "latin-1" else encoding
    match = from_bytes(evidence, cp_isolation=[name], threshold=1.0).best()
    return 1.0 if match is None else match.chaos


def label(encoding: str) -> str:
    """A reader's name for an encoding: ``Windows-1252`` for cp1252, ..."""
    return LABELS.get(encoding, encoding)


def _confidence(chaos: float) -> float:
    return round(max(0.0, 1.0 - chaos), 2)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True
