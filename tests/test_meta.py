"""The data version: what every cache keys on, so it must never repeat."""
from __future__ import annotations

from dashboard.data import meta


def test_data_version_never_repeats_after_a_restore_brings_an_older_one_back(migrated):
    with migrated.begin() as conn:
        first = meta.bump_data_version(conn)
        second = meta.bump_data_version(conn)
        assert second > first
        meta.put(conn, meta.DATA_VERSION, str(first))  # a backup from before `second` is restored
        third = meta.bump_data_version(conn)
    assert third > second  # not `second` again: cached results for it describe other data
