"""CLI tables and error lines never pass node data's control characters to the terminal (issue 12
item 9): an image alias or a remote error holding ESC sequences could clear the screen, set the
window title or hide text."""

from __future__ import annotations

import pytest

from ocv_desktop.cli import _report
from ocv_desktop.cli.images import IMAGE_HEADERS, image_row
from ocv_desktop.cli.output import print_listing, terminal_safe
from ocv_desktop.core.errors import RemoteError
from ocv_desktop.core.models import Image

HOSTILE = "web\x1b]0;owned\x07\x1b[2J\r\u202egnp.exe"


def test_a_listing_shows_control_characters_as_escapes(capsys: pytest.CaptureFixture[str]) -> None:
    image = Image(id="sha256:" + "a" * 64, name=HOSTILE, node_id="n", aliases=(HOSTILE, "plain"))
    print_listing("node-1", "images", [image], IMAGE_HEADERS, image_row, as_json=False)
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\r\u202e")
    assert "web\\x1b]0;owned\\x07\\x1b[2J\\x0d\\u202egnp.exe" in out
    assert out.count("\n") == 2  # header and one row: no line was split or rewritten


def test_json_output_keeps_the_data_exact(capsys: pytest.CaptureFixture[str]) -> None:
    image = Image(id="i", name=HOSTILE, node_id="n")
    print_listing("node-1", "images", [image], IMAGE_HEADERS, image_row, as_json=True)
    out = capsys.readouterr().out
    assert "\\u001b]0;owned" in out and "\x1b" not in out  # JSON escapes it; scripts get the real value


def test_an_error_quoting_remote_output_is_escaped_but_keeps_its_lines(capsys: pytest.CaptureFixture[str]) -> None:
    _report(RemoteError("docker start web", 1, "Error: \x1b[31mno such\x1b[0m\nsecond line"), verbose=0)
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[31mno such" in err
    assert "\nsecond line" in err


def test_plain_text_is_untouched() -> None:
    assert terminal_safe("上海 PVE — debian/12") == "上海 PVE — debian/12"
