"""Return-to addresses stay on this site (core/web/redirects.py)."""

import pytest

from core.web.redirects import local_address


@pytest.mark.parametrize("target", ["/sites/3", "/actions?status=open", "/"])
def test_a_path_on_this_site_is_kept(target):
    assert local_address(target, "/home") == target


@pytest.mark.parametrize(
    "target",
    [None, "", "https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x", "x"],
)
def test_anything_else_is_the_default(target):
    assert local_address(target, "/home") == "/home"
