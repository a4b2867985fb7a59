"""The command line on a PostgreSQL store (`--store URL`, READER_STORE): the same commands give
the same answers as on the JSON folder, `reader store migrate` and `reader store copy`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from postgres_server import pg_server, pg_url  # noqa: F401  (fixtures)
from reader.cli import main

from test_cli import corpus_args  # noqa: F401  (a fixture: the seeds copied, folders in tmp_path)

DOC = "003_c50da1745df50ef1.txt"


def run(*args, code: int = 0):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def coding(args: list[str]) -> dict[str, object]:
    """Tag, edit the codebook, list and export: what a script sees, without ids and times."""
    run(
        "tag",
        DOC,
        "--quote",
        "Nujaba",
        "--occurrence",
        "1",
        "--tag",
        "actor/Nujaba",
        "--note",
        "first",
        "--coder",
        "ann",
        *args,
    )
    run("tag", DOC, "--span", "4:20", "--tag", "place/Iraq", "--tag", "actor/Nujaba", "--coder", "bob", *args)
    listed = [json.loads(line) for line in run("annotations", "--json", *args).output.splitlines()]
    tags = [json.loads(line) for line in run("tags", "--json", *args).output.splitlines()]
    bob = run("annotations", "--json", "--coder", "bob", *args).output.splitlines()
    csv = run("export", "--format", "csv", "--no-bom", *args).output.splitlines()
    agree = [json.loads(line) for line in run("agree", "--json", *args).output.splitlines()]
    for record in listed:
        for key in ("id", "created", "modified"):
            record.pop(key, None)
    return {
        "annotations": listed,
        "tags": tags,
        "agree": agree,
        "bob": len(bob),
        "csv_rows": len(csv),
        "csv_header": csv[0],
    }


def test_tag_annotations_tags_and_export_answer_alike_on_both_backends(corpus_args, pg_url):
    out = run("store", "migrate", "--store", pg_url).output
    assert "applied\t1\t" in out and "schema version" in out
    on_server = coding([*corpus_args, "--store", pg_url])
    on_folder = coding(corpus_args)
    assert on_server == on_folder
    assert on_server["bob"] == 1 and len(on_server["annotations"]) == 2
    assert "already up to date" in run("store", "migrate", "--store", pg_url).output


def test_an_unmigrated_database_or_a_password_in_the_address_is_refused(corpus_args, pg_url):
    result = run("annotations", *corpus_args, "--store", pg_url, code=3)
    assert "reader store migrate" in result.output
    secret = pg_url.replace("reader_admin@", "reader_admin:s3cret@")
    result = run("annotations", *corpus_args, "--store", secret, code=2)
    assert "password" in result.output and "s3cret" not in result.output


def test_copy_to_the_server_and_back_from_the_shell(corpus_args, pg_url, tmp_path):
    coding(corpus_args)
    folder = Path(corpus_args[corpus_args.index("--annotations") + 1])
    out = run("store", "copy", *corpus_args, "--to", pg_url).output
    assert "copied 2 annotation(s) of 1 document(s)" in out
    back = tmp_path / "back"
    run("store", "copy", "--store", pg_url, "--to", str(back))
    for name in ["codebook.json", f"docs/{DOC}.json"]:
        assert (back / name).read_bytes() == (folder / name).read_bytes()
    result = run("store", "copy", "--store", pg_url, "--to", str(back), code=3)
    assert "already holds annotations" in result.output


def test_reader_store_in_the_environment_of_a_real_process(corpus_args, pg_url, tmp_path):
    run("store", "migrate", "--store", pg_url)
    env = {**os.environ, "READER_STORE": pg_url, "READER_CONFIG_DIR": str(tmp_path / "config")}
    at = corpus_args.index("--annotations")
    args = corpus_args[:at] + corpus_args[at + 2 :]  # an explicit --annotations would win
    env["READER_DATA_DIR"] = str(tmp_path / "data")
    tagged = subprocess.run(
        [sys.executable, "-m", "reader", "tag", DOC, "--span", "0:10", "--tag", "t", "--coder", "ann", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tagged.returncode == 0, tagged.stderr
    where = subprocess.run(
        [sys.executable, "-m", "reader", "where", *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert "store\tpostgresql://reader_admin@/" in where.stdout
    listed = run("annotations", "--json", "--store", pg_url, *corpus_args).output
    assert json.loads(listed)["tags"] == ["t"]
    assert not list(tmp_path.joinpath("data").rglob("*.json"))  # nothing went to a folder


def test_grant_then_a_coder_tags_as_their_role_and_the_server_refuses_another_name(
    corpus_args, pg_server, pg_url, monkeypatch
):
    from reader.store.postgres.address import database

    role = f"cli_{database(pg_url)}"
    pg_server.create_role(role, "pw")
    run("store", "migrate", "--store", pg_url)
    assert "may code in this project" in run("store", "grant", role, "--store", pg_url).output
    monkeypatch.setenv("PGPASSWORD", "pw")
    monkeypatch.delenv("READER_CODER", raising=False)
    mine = pg_server.url(database(pg_url), user=role)
    run("tag", DOC, "--span", "0:10", "--tag", "t", *corpus_args, "--store", mine)
    [record] = [json.loads(x) for x in run("annotations", "--json", *corpus_args, "--store", mine).output.splitlines()]
    assert record["creator"] == role
    refused = run(
        "tag", DOC, "--span", "0:10", "--tag", "t", "--coder", "someone-else", *corpus_args, "--store", mine, code=3
    )
    assert "refused" in refused.output and "pw" not in refused.output.replace("password", "")


def test_export_from_the_server_and_import_into_another_gives_the_same_annotations(
    corpus_args, pg_server, pg_url, tmp_path
):
    run("store", "migrate", "--store", pg_url)
    coding([*corpus_args, "--store", pg_url])
    other = pg_server.url(pg_server.create_database())
    run("store", "migrate", "--store", other)
    project = tmp_path / "out.qdpx"
    run("export", "--format", "qdpx", "-o", str(project), *corpus_args, "--store", pg_url)
    run("import", str(project), "--coder", "ann", *corpus_args, "--store", other)
    listed = [run("annotations", "--json", *corpus_args, "--store", url).output for url in (pg_url, other)]
    assert listed[0] == listed[1] and listed[0].count("\n") == 2
