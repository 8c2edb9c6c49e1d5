"""Cursors: what a page hands out, the next request must read back; anything else is a 422 naming `cursor`."""

import base64
import re
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.cursors import MAX_INT_KEY, MAX_ROW_ID, decode_cursor, encode_cursor
from app.core.errors import InvalidParameter

PROPERTIES = settings(max_examples=200, deadline=None)

item_ids = st.integers(min_value=1, max_value=MAX_ROW_ID)
# Real zones (historical ones have offsets in seconds) and whole-minute fixed offsets.
aware_datetimes = st.datetimes(
    timezones=st.one_of(
        st.just(UTC),
        st.timezones(),
        st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
            lambda minutes: timezone(timedelta(minutes=minutes))
        ),
    )
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _refused(cursor: str, key_type: type) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as refused:
        decode_cursor(cursor, key_type)
    return refused.value


def _decodes_or_names_cursor(cursor: str, key_type: type) -> None:
    try:
        key, item_id = decode_cursor(cursor, key_type)
    except InvalidParameter as refused:
        assert refused.extensions["errors"][0]["parameter"] == "cursor"
    else:
        assert type(key) is key_type and type(item_id) is int
        if key_type is datetime:
            assert key.tzinfo is not None


# Names never hold NUL (PostgreSQL cannot store it), so cursors refuse it.
names = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"))


@PROPERTIES
@given(names, item_ids)
def test_cursor_with_a_text_key_reads_back_as_issued(key, item_id):
    assert decode_cursor(encode_cursor(key, item_id), str) == (key, item_id)


@PROPERTIES
@given(st.integers(min_value=0, max_value=MAX_INT_KEY), item_ids)
def test_cursor_with_a_count_key_reads_back_as_issued(key, item_id):
    assert decode_cursor(encode_cursor(key, item_id), int) == (key, item_id)


@pytest.mark.parametrize("key", [-1, MAX_INT_KEY + 1, 1.5, True, "3"])
def test_cursor_with_an_impossible_count_is_refused(key):
    assert _refused(_b64(orjson.dumps([key, 7])), int).extensions["errors"][0]["parameter"] == "cursor"


@PROPERTIES
@given(aware_datetimes, item_ids)
def test_cursor_with_a_datetime_key_reads_back_as_issued(key, item_id):
    decoded, decoded_id = decode_cursor(encode_cursor(key, item_id), datetime)
    # The same instant, read back in UTC; `==` would refuse times in a DST gap or fold (PEP 495).
    issued = datetime.fromisoformat(key.isoformat()).astimezone(UTC)
    assert (decoded, decoded_id) == (issued, item_id)
    assert decoded.utcoffset() == timedelta(0)


@PROPERTIES
@given(st.one_of(names, aware_datetimes), item_ids)
def test_cursor_is_url_safe_without_padding(key, item_id):
    assert re.fullmatch(r"[A-Za-z0-9_-]+", encode_cursor(key, item_id))


@PROPERTIES
@given(st.text(), st.sampled_from([str, datetime, int]))
def test_invented_cursor_text_is_read_or_refused_naming_cursor(cursor, key_type):
    _decodes_or_names_cursor(cursor, key_type)


@PROPERTIES
@given(st.binary(), st.sampled_from([str, datetime, int]))
def test_cursor_of_arbitrary_bytes_is_read_or_refused_naming_cursor(raw, key_type):
    _decodes_or_names_cursor(_b64(raw), key_type)


@PROPERTIES
@given(json_values, st.sampled_from([str, datetime, int]))
def test_cursor_of_arbitrary_json_is_read_or_refused_naming_cursor(value, key_type):
    _decodes_or_names_cursor(_b64(orjson.dumps(value)), key_type)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not a cursor",
        "!!!!",
        "é",
        _b64(b"\xff\xfe"),
        _b64(b'["a"]'),
        _b64(b'["a", 1, 2]'),
        _b64(b'{"a": 1, "b": 2}'),
        _b64(b"[1, 2]"),
        _b64(b'["a", "1"]'),
        _b64(b'["a", 1.5]'),
        _b64(b'["a", true]'),
        _b64(b'["a", null]'),
        _b64(b"42"),
        _b64(b'"ab"'),
    ],
)
def test_altered_cursor_is_refused_naming_cursor(cursor):
    assert _refused(cursor, str).extensions["errors"][0]["parameter"] == "cursor"


def test_naive_datetime_cursor_is_refused_for_a_datetime_key():
    cursor = encode_cursor(datetime(2025, 5, 1, 12, 0), 7)
    assert _refused(cursor, datetime).extensions["errors"][0]["parameter"] == "cursor"


def test_text_cursor_is_refused_for_a_datetime_key():
    cursor = encode_cursor("Alok Verma", 7)
    assert _refused(cursor, datetime).extensions["errors"][0]["parameter"] == "cursor"
