"""Deciding the code page of an export that is not UTF-8, on the bytes that need deciding."""

import pytest

from warehouse.core.encoding import DECIDED, detect_encoding, label


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        # € and curly quotes: bytes 0x80-0x9F, control characters when read as Latin-1.
        ("1,€uro-Bank\n2,“Christy”\n", "cp1252", "cp1252"),
        # Accents only: Latin-1 and Windows-1252 read them alike; Latin-1, as before.
        ("1,Müller\n2,Sørensen\n3,Åsa\n", "latin-1", "latin-1"),
        # A Cyrillic export reads as noise in any Western code page.
        ("1,Привет Москва\n2,Иван Петров\n", "cp1251", "cp1251"),
    ],
)
def test_the_code_page_is_decided_with_a_confidence(text, codec, expected):
    encoding, confidence = detect_encoding(text.encode(codec))
    assert encoding == expected
    assert DECIDED <= confidence <= 1


def test_valid_utf8_sequences_in_a_mostly_utf8_file_are_no_evidence():
    # One Latin-1 byte among UTF-8 text: the UTF-8 bytes (0x85 in "Å") must not make it cp1252.
    assert detect_encoding("Åsa,".encode() + b"M\xfcller\n")[0] == "latin-1"


def test_nothing_to_decide_on_is_undecided():
    encoding, confidence = detect_encoding(b"")
    assert encoding == "latin-1"
    assert confidence < DECIDED


def test_labels_name_the_code_page_for_people():
    assert label("cp1252") == "Windows-1252"
    assert label("cp1251") == "cp1251"
