"""Helpers of run_bareos_systemtest.py that need no Bareos mirror."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "run_bareos_systemtest", Path(__file__).resolve().parent / "run_bareos_systemtest.py")
rbs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rbs)

CMAKE = """
create_systemtest(${SYSTEMTEST_PREFIX} ${BASENAME})
set_tests_properties(
  system:demo:make
  PROPERTIES FIXTURES_SETUP "system:demo:make-fixture"
             FIXTURES_REQUIRED "system:demo-fixture"
)
set_tests_properties(
  system:demo:alpha
  PROPERTIES FIXTURES_REQUIRED "system:demo:make-fixture;system:demo-fixture"
)
add_requirements("${SYSTEMTEST_PREFIX}${BASENAME}" "beta" "zeta")
"""


def test_fixture_order_follows_setup_and_requirements():
    rest = ["testrunner-alpha", "testrunner-beta", "testrunner-make", "testrunner-zeta"]
    assert rbs.fixture_order(CMAKE, "demo", rest) == [
        "testrunner-make", "testrunner-alpha", "testrunner-zeta", "testrunner-beta"]


def test_fixture_order_without_properties_is_alphabetic():
    rest = ["testrunner-a", "testrunner-b"]
    assert rbs.fixture_order("", "demo", rest) == rest
    # another scenario's properties do not apply
    assert rbs.fixture_order(CMAKE.replace("demo", "other"), "demo",
                             ["testrunner-alpha", "testrunner-make"]) == [
        "testrunner-alpha", "testrunner-make"]


def test_configure_text_replaces_known_and_blanks_unknown():
    assert rbs.configure_text("a=@x@ b=@y@", {"x": "1"}) == "a=1 b="
