"""The keymap file: read what is valid, report what is not, never raise."""

from __future__ import annotations

from reader.config import default_keymap_path, load_keymap


def test_missing_file_is_no_keymap_and_no_problem(tmp_path):
    keymap = load_keymap(tmp_path / "keymap.toml")
    assert keymap.keys == {} and keymap.problems == []


def test_default_path_is_in_the_config_folder(isolated_user_dirs):
    assert default_keymap_path() == isolated_user_dirs / "config" / "keymap.toml"


def test_strings_and_lists_of_keys(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('[keys]\n"reader.cursor.down" = "j, down"\n"reader.cursor.up" = ["k", "up"]\n', encoding="utf-8")
    keymap = load_keymap(path)
    assert keymap.keys == {"reader.cursor.down": "j,down", "reader.cursor.up": "k,up"}
    assert keymap.problems == []


def test_bad_values_and_sections_are_reported_and_skipped(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('[keys]\n"reader.cursor.down" = 3\n"reader.cursor.up" = "k"\n[colours]\nx = 1\n', encoding="utf-8")
    keymap = load_keymap(path)
    assert keymap.keys == {"reader.cursor.up": "k"}
    assert len(keymap.problems) == 2
    assert "'reader.cursor.down' must be a string" in keymap.problems[0]
    assert "unknown section(s) ignored: colours" in keymap.problems[1]


def test_invalid_toml_and_undecodable_file(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text("[keys\n", encoding="utf-8")
    assert load_keymap(path).problems[0].startswith(f"Invalid TOML in {path}")
    path.write_bytes(b"\xff\xfe[keys]")
    assert load_keymap(path).problems[0].startswith(f"Cannot read {path}")
