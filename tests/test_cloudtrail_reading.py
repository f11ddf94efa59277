"""How CloudTrail files are read: gzip members and damage, ownership of the caller's records, shared values.

The gzip format (RFC 1952) allows several members in one file; CloudTrail writes one per file
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html).
"""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path

import pytest

import kmssim

DATA = Path(__file__).parent / "data" / "cloudtrail"
EXAMPLES = DATA / "aws_examples.json"


def test_a_gzip_file_of_two_members_is_read_whole(tmp_path: Path) -> None:
    records = json.loads(EXAMPLES.read_text())["Records"]
    text = json.dumps({"Records": records}).encode()
    one = tmp_path / "one.json.gz"
    one.write_bytes(gzip.compress(text))
    # the same bytes split across two gzip members: a reader that stops after the first member fails to parse
    two = tmp_path / "two.json.gz"
    two.write_bytes(gzip.compress(text[:500]) + gzip.compress(text[500:]))
    expected = kmssim.read_cloudtrail(one).events
    assert len(expected) == 7
    assert kmssim.read_cloudtrail(two).events.equals(expected)


@pytest.mark.parametrize("damage", ["cut", "flipped byte", "crc"])
def test_a_damaged_gzip_file_is_named(tmp_path: Path, damage: str) -> None:
    data = bytearray(gzip.compress(EXAMPLES.read_bytes()))
    if damage == "cut":
        data = data[: len(data) // 2]
    elif damage == "flipped byte":
        data[len(data) // 2] ^= 0xFF
    else:
        data[-6] ^= 0x01  # the CRC-32 in the trailer
    path = tmp_path / "damaged.json.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(kmssim.CloudTrailFormatError, match=r"damaged\.json\.gz: a damaged gzip file"):
        kmssim.read_cloudtrail(path)


def test_the_log_shares_no_objects_with_the_callers_records() -> None:
    records = json.loads(EXAMPLES.read_text())["Records"]
    before = copy.deepcopy(records)
    log = kmssim.read_cloudtrail(records)
    decrypt = log.events.set_index("event_id").loc["abcde202-ba1a-467c-b4ba-f729d45ae521"]
    decrypt["encryption_context"]["Department"] = "changed"
    decrypt["request_parameters"]["keyId"] = "changed"
    assert records == before


def test_file_and_list_sources_give_the_same_events() -> None:
    from_file = kmssim.read_cloudtrail(EXAMPLES)
    from_list = kmssim.read_cloudtrail(json.loads(EXAMPLES.read_text())["Records"])
    assert from_file.events.equals(from_list.events)
    assert from_file.events.dtypes.equals(from_list.events.dtypes)
    assert (from_file.other_sources, from_file.duplicates) == (
        from_list.other_sources,
        from_list.duplicates,
    )


def test_an_empty_log_has_every_column_and_no_rows() -> None:
    log = kmssim.read_cloudtrail({"Records": []})
    assert len(log) == 0 and list(log.events.columns)[:3] == ["time", "event_name", "region"]
    assert all(dtype == "object" for dtype in log.events.dtypes.drop("time"))
