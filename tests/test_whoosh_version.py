"""A Whoosh other than the tested version is named at once, not found out by slower searches."""

from __future__ import annotations

import pytest

from index.whoosh_version import SUPPORTED, UnsupportedWhoosh, check


def test_the_installed_whoosh_is_the_supported_one():
    assert check() is True


def test_another_version_warns_naming_the_supported_one():
    with pytest.warns(UnsupportedWhoosh, match=r"whoosh-reloaded==2\.7\.5"):
        assert check((2, 7, 6)) is False
    assert SUPPORTED == (2, 7, 5)
