"""The `tandem` command's own answers: help for every option, and clear refusals."""

from __future__ import annotations

import socket

import pytest

from devtools.cli import main


def test_every_demo_option_says_what_it_does(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    shown = capsys.readouterr().out
    for option in ("--tenant", "--people", "--seed"):
        line = next(line for line in shown.splitlines() if line.strip().startswith(option))
        assert len(line.split(maxsplit=2)) == 3, line  # the option, its value, and its help


def test_a_demo_company_too_small_to_make_is_refused_not_silently_grown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--people", "4"]) == 2
    said = capsys.readouterr().err
    assert "--people 4 is too few" in said and "at least 12" in said


def test_a_local_command_without_a_running_server_says_how_to_start_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    for command in (["export", "--cycle", "2027-Q1"], ["revoke", "--email", "a@b.example"]):
        assert main([*command, "--local", url]) == 2
        said = capsys.readouterr().err
        assert f"nothing answers at {url}" in said and "tandem serve" in said, said
        assert "Connection refused" not in said
