"""The test helper that runs the command line in forked children: each start names its own
child, and each status is that child's, whatever order they end in."""

from __future__ import annotations

import time

from tests.cli_children import exit_status, start_cli

UNKNOWN = ["no-such-command"]  # refused by the parser: exit status 2


def test_a_start_after_an_earlier_child_ended_names_the_new_child() -> None:
    first = start_cli({}, UNKNOWN)
    time.sleep(0.5)  # the first has ended: the forker told so before the second start
    second = start_cli({}, UNKNOWN)
    assert second != first
    assert (exit_status(second), exit_status(first)) == (2, 2)


def test_each_status_is_its_own_childs() -> None:
    refused = start_cli({}, UNKNOWN)
    helped = start_cli({}, ["--help"])
    assert (exit_status(helped), exit_status(refused)) == (0, 2)
