"""kb4tui.sanitize.clean_text and the models against hostile API strings."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb4tui.api.models import Campaign, Enrollment, Policy, StorePurchase, User
from kb4tui.sanitize import clean_text, is_clean

ESC = "\x1b"
HOSTILE = [
    "\x1b[2J\x1b[H",  # clear screen, cursor home
    "\x1b]52;c;cm0gLXJmIH4=\x07",  # OSC 52: write the clipboard
    "\x1b]52;c;cm0gLXJmIH4=\x1b\\",  # the same, ST-terminated
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",  # hyperlink
    "\x9b31m",  # 8-bit CSI
    "\x9d0;title\x9c",  # 8-bit OSC, 8-bit ST
    "\x1bP+q544e\x1b\\",  # DCS (terminal query)
    "\x1b_apc\x1b\\",
    "\x1b7\x1b8\x1bc",  # save/restore cursor, full reset
    "ok\rEVIL",  # carriage return overwrites
    "abc\b\b\bXYZ",  # backspaces
    "\x07\x00\x7f\x85",  # bell, null, DEL, NEL
    "\u202eevil\u202c\u2066x\u2069",  # bidi override and isolate
    "\ud800",  # a lone surrogate (JSON "\\ud800")
    "\x1b",  # a bare ESC at the end
    "\x1b]0;unterminated title",
]
FRIENDLY = [
    "[/Q3] Phish [bold]drill[/bold]",  # Rich markup: text, not styles
    "שלום עולם مرحبا",  # right-to-left scripts
    "\u200fRLM mark",  # a directional mark is kept: it reorders nothing
    "👩🏽‍💻 Security 🛡️ 训练 ｗｉｄｅ",  # emoji with ZWJ and skin tone, CJK, fullwidth
    "Café naïve Ångström",
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_lose_every_control(text: str) -> None:
    for multiline in (False, True):
        cleaned = clean_text(text, multiline=multiline)
        assert all(ch == "\n" or ch.isprintable() or ch == " " for ch in cleaned), repr(cleaned)
        assert ESC not in cleaned and "\x9b" not in cleaned
        cleaned.encode("utf-8")  # no lone surrogate left to crash the terminal writer
        assert is_clean(cleaned, multiline=multiline)


def test_sequences_go_whole_and_text_stays() -> None:
    assert clean_text("Q3 \x1b[1;31mRED\x1b[0m drill") == "Q3 RED drill"
    assert clean_text("a\x1b]52;c;ZXZpbA==\x07b") == "ab"
    assert clean_text("a\x9b2Jb") == "ab"
    assert clean_text("ok\rEVIL") == "ok EVIL"
    assert clean_text("abc\b\b\bXYZ") == "abcXYZ"
    assert clean_text("\u202eevil\u202c") == "evil"
    assert clean_text("x\ud800y") == "x\ufffdy"
    assert clean_text("one\ntwo\tthree") == "one two three"
    assert clean_text("one\r\ntwo\rthree\n", multiline=True) == "one\ntwo\nthree\n"


@pytest.mark.parametrize("text", FRIENDLY)
def test_printable_text_is_kept_exactly(text: str) -> None:
    assert clean_text(text) is text  # the fast path returns the very same object
    assert clean_text(text, multiline=True) == text


_CONTROLS = st.sampled_from(
    [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
    + ["\u202a", "\u202e", "\u2066", "\u2069", "\u2028", "\ud800", "\udfff"]
)
_ANY_TEXT = st.text(st.one_of(st.characters(codec=None), _CONTROLS), max_size=200)


@given(_ANY_TEXT, st.booleans())
def test_any_text_comes_out_printable_and_stable(text: str, multiline: bool) -> None:
    cleaned = clean_text(text, multiline=multiline)
    allowed = {"\n"} if multiline else set()
    for ch in cleaned:
        assert ch in allowed or ch == " " or ch.isprintable() or _is_kept_format(ch), repr(ch)
    assert ESC not in cleaned
    cleaned.encode("utf-8")
    assert clean_text(cleaned, multiline=multiline) == cleaned  # idempotent


def _is_kept_format(ch: str) -> bool:
    """Not "printable" to Python but harmless and meaningful: ZWJ, marks, tags,
    private-use and not-yet-assigned characters (a future emoji)."""
    import unicodedata

    return unicodedata.category(ch) in ("Cf", "Co", "Cn", "Zs")


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=200))
def test_text_without_controls_is_untouched(text: str) -> None:
    bidi = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")
    if bidi.isdisjoint(text):
        assert clean_text(text) == text


def test_ten_thousand_character_name() -> None:
    long = "A" * 5000 + "\x1b[2J" + "B" * 5000
    assert clean_text(long) == "A" * 5000 + "B" * 5000


# ---- the models keep hostile strings exactly as sent (cleaning is for display) ----------

_STRINGY = st.sampled_from(HOSTILE + FRIENDLY + ["x" * 10_000])


@settings(max_examples=60, deadline=None)
@given(name=_STRINGY, status=_STRINGY, email=_STRINGY)
def test_models_keep_hostile_strings_verbatim(name: str, status: str, email: str) -> None:
    campaign = Campaign.from_api({"campaign_id": 1, "name": name, "status": status})
    assert (campaign.name, campaign.status) == (name, status)
    enrollment = Enrollment.from_api(
        {
            "enrollment_id": 2,
            "module_name": name,
            "status": status,
            "user": {"id": 3, "first_name": name, "email": email},
        }
    )
    assert (enrollment.module_name, enrollment.status) == (name, status)
    assert enrollment.user is not None and enrollment.user.email == email
    assert StorePurchase.from_api({"name": name, "description": status}).name == name


_FIELDS: dict[type[Any], list[str]] = {
    Campaign: ["campaign_id", "name", "groups", "status", "content", "start_date", "end_date"],
    Enrollment: ["enrollment_id", "module_name", "user", "status", "enrollment_date"],
    StorePurchase: ["store_purchase_id", "name", "type", "duration", "retired", "publish_date"],
    Policy: ["policy_id", "name", "status", "published"],
    User: ["id", "first_name", "email", "groups", "joined_on", "status"],
}
_WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    _STRINGY,
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
)


@settings(max_examples=80, deadline=None)
@given(model=st.sampled_from(sorted(_FIELDS, key=lambda m: m.__name__)), data=st.data())
def test_nulls_and_wrong_types_in_every_field_never_raise(model: type[Any], data: Any) -> None:
    record = {field: data.draw(_WRONG) for field in _FIELDS[model]}
    parsed = model.from_api(record)
    for field in _FIELDS[model]:
        value = getattr(parsed, field if field != "id" else "id", None)
        if isinstance(record[field], str) and isinstance(value, str):
            assert value == record[field]  # strings that fit are kept as sent


def test_unknown_statuses_are_kept() -> None:
    rows = [{"enrollment_id": i, "status": s} for i, s in enumerate(["Snoozed", "", "PAST_DUE"])]
    assert [e.status for e in Enrollment.from_api_list(rows)] == ["Snoozed", "", "PAST_DUE"]
