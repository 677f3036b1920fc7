"""Kinds of staged change: first commit, rename, deletion, mode and type changes, binary
content, submodules and symlinks."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import (
    Repo,
    assert_no_secret,
    fake_aws_key,
    fake_password,
)
from tests.hooks.helpers import (
    commit_count,
    git_commit,
    install_hook,
    locations,
    scan_json,
    write_hook_config,
)

FILLER = [f"line_{number} = {number}" for number in range(1, 11)]


def _text(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def test_first_commit_scans_new_files(repo: Repo, cli: Any) -> None:
    key = fake_aws_key()
    repo.write("app.py", f'import os\naws_key = "{key}"\n')
    repo.write("README.md", "Nothing secret here.\n")
    repo.stage("app.py", "README.md")

    exit_code, document, output = scan_json(cli)

    assert repo.git("rev-parse", "--verify", "--quiet", "HEAD", check=False) == ""
    assert exit_code == 1, output
    assert locations(document) == [("app.py", 2, "AWS Access Key")]
    assert document["files_scanned"] == 2
    assert document["lines_scanned"] == 3
    assert_no_secret(output, key)


def test_first_commit_through_hook(repo: Repo, hook_source: str, pre_commit_home: str) -> None:
    key = fake_aws_key()
    write_hook_config(repo, hook_source)
    repo.write("app.py", f'import os\naws_key = "{key}"\n')
    repo.stage(".pre-commit-config.yaml", "app.py")
    environment = install_hook(repo, pre_commit_home)

    code, output = git_commit(repo, environment)

    assert code != 0, output
    assert "app.py:2" in output
    assert "AWS Access Key" in output
    assert repo.git("rev-parse", "--verify", "--quiet", "HEAD", check=False) == ""
    assert_no_secret(output, key)


def test_rename_with_edit_keeps_baseline(repo: Repo, cli: Any) -> None:
    password = fake_password()
    key = fake_aws_key()
    repo.commit_files({"old.py": _text([*FILLER, f'password = "{password}"'])}, "base")
    created = cli("baseline", "create")
    assert created.exit_code == 0, created.output
    repo.stage(".secrets.baseline")
    repo.commit("add baseline")

    repo.git("mv", "old.py", "new.py")
    # The baselined line changes too (same secret, a comment added), so it
    # is an added line of the renamed file.
    repo.write(
        "new.py", _text([*FILLER, f'password = "{password}"  # rotated yearly', f'k = "{key}"'])
    )
    repo.stage("new.py")
    exit_code, document, output = scan_json(cli)

    assert repo.git("diff", "--cached", "--name-status", "-M").startswith("R")
    assert exit_code == 1, output
    assert locations(document) == [("new.py", 12, "AWS Access Key")]
    assert document["known_to_baseline"] == 1
    assert_no_secret(created.output + output, password, key)


def test_pure_rename_adds_nothing(repo: Repo, cli: Any) -> None:
    password = fake_password()
    repo.commit_files({"old.py": _text([*FILLER, f'password = "{password}"'])}, "base")
    repo.git("mv", "old.py", "new.py")

    exit_code, document, output = scan_json(cli)

    assert exit_code == 0, output
    assert document["results"] == []
    assert document["lines_scanned"] == 0
    assert_no_secret(output, password)


def test_deleted_file_not_reported(repo: Repo, cli: Any) -> None:
    key = fake_aws_key()
    repo.commit_files({"app.py": f'aws_key = "{key}"\n', "keep.py": "x = 1\n"}, "base")
    repo.git("rm", "-q", "app.py")

    exit_code, document, output = scan_json(cli)

    assert exit_code == 0, output
    assert document["results"] == []
    assert document["files_scanned"] == 0
    assert_no_secret(output, key)


def test_removed_lines_not_reported(repo: Repo, cli: Any) -> None:
    key = fake_aws_key()
    password = fake_password()
    original = [*FILLER[:3], f'aws_key = "{key}"', f'password = "{password}"', *FILLER[3:]]
    repo.commit_files({"app.py": _text(original)}, "base")
    edited = [*FILLER[:3], f'password = "{password}"', "debug = True", *FILLER[3:]]
    repo.write("app.py", _text(edited))
    repo.stage("app.py")

    exit_code, document, output = scan_json(cli)

    assert exit_code == 0, output
    assert document["results"] == []
    assert document["lines_scanned"] == 1
    assert_no_secret(output, key, password)


def test_mode_change_adds_nothing(repo: Repo, cli: Any) -> None:
    key = fake_aws_key()
    repo.commit_files({"run.sh": f'AWS_KEY="{key}"\n'}, "base")
    repo.git("update-index", "--chmod=+x", "run.sh")

    exit_code, document, output = scan_json(cli)

    assert repo.git("diff", "--cached", "--raw").startswith(":100644 100755")
    assert exit_code == 0, output
    assert document["results"] == []
    assert_no_secret(output, key)


def test_symlink_replaced_by_file_scanned_whole(repo: Repo, cli: Any) -> None:
    key = fake_aws_key()
    os.symlink("target.py", repo.path / "link.py")
    repo.write("target.py", "x = 1\n")
    repo.stage("link.py", "target.py")
    repo.commit("base")
    (repo.path / "link.py").unlink()
    repo.write("link.py", f'x = 1\naws_key = "{key}"\n')
    repo.stage("link.py")

    exit_code, document, output = scan_json(cli)

    assert repo.git("diff", "--cached", "--name-status").startswith("T")
    assert exit_code == 1, output
    assert locations(document) == [("link.py", 2, "AWS Access Key")]
    assert_no_secret(output, key)


def _binary_with_secret(secret: str) -> bytes:
    # Not UTF-8 (0x89, 0xff) and NUL bytes near the start: binary to git and to the scanner.
    return b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + secret.encode() + b"\n\xff\0\n"


def test_binary_blob_skipped_and_named(repo: Repo, cli: Any) -> None:
    key = fake_aws_key()
    repo.commit_files({"README.md": "docs\n"}, "base")
    repo.write("image.dat", _binary_with_secret(key))
    repo.stage("image.dat")

    exit_code, document, output = scan_json(cli)
    text = cli("scan")

    assert exit_code == 0, output
    assert document["results"] == []
    assert document["skipped"] == [{"filename": "image.dat", "reason": "binary content"}]
    assert text.exit_code == 0, text.output
    assert "skipped image.dat: binary content" in text.stdout
    assert_no_secret(output + text.output, key)


def test_binary_blob_modified_skipped(repo: Repo, cli: Any) -> None:
    key = fake_aws_key()
    repo.commit_files({"image.dat": _binary_with_secret("nothing")}, "base")
    repo.write("image.dat", _binary_with_secret(key))
    repo.stage("image.dat")

    exit_code, document, output = scan_json(cli)

    assert exit_code == 0, output
    assert document["skipped"] == [{"filename": "image.dat", "reason": "binary content"}]
    assert_no_secret(output, key)


def _upstream_with_secret(folder: Path, secret_line: str) -> None:
    folder.mkdir()
    (folder / "settings.py").write_text(secret_line + "\n")
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "settings.py"],
        ["git", "commit", "-q", "--no-verify", "-m", "upstream"],
    ):
        subprocess.run(command, cwd=folder, check=True, capture_output=True)


def test_submodule_pointer_skipped(repo: Repo, cli: Any, tmp_path: Path) -> None:
    key = fake_aws_key()
    upstream = tmp_path / "upstream"
    _upstream_with_secret(upstream, f'aws_key = "{key}"')
    repo.commit_files({"README.md": "docs\n"}, "base")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(upstream), "lib")

    exit_code, document, output = scan_json(cli)

    staged = repo.git("diff", "--cached", "--raw")
    assert ":000000 160000" in staged
    assert exit_code == 0, output
    assert document["results"] == []
    # Only .gitmodules is read; the submodule's files are its own repository's business.
    assert document["files_scanned"] == 1
    assert document["skipped"] == []
    assert_no_secret(output, key)


def test_submodule_pointer_update_skipped(repo: Repo, cli: Any, tmp_path: Path) -> None:
    key = fake_aws_key()
    upstream = tmp_path / "upstream"
    _upstream_with_secret(upstream, "x = 1")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(upstream), "lib")
    repo.commit("add submodule")
    submodule = repo.path / "lib"
    (submodule / "settings.py").write_text(f'x = 1\naws_key = "{key}"\n')
    subprocess.run(["git", "commit", "-qam", "add key"], cwd=submodule, check=True)
    repo.stage("lib")

    exit_code, document, output = scan_json(cli)

    assert repo.git("diff", "--cached", "--raw").startswith(":160000 160000")
    assert exit_code == 0, output
    assert document["results"] == []
    assert document["files_scanned"] == 0
    assert_no_secret(output, key)


def test_symlink_target_file_never_read(repo: Repo, cli: Any, tmp_path: Path) -> None:
    password = fake_password()
    outside = tmp_path / "outside" / "credentials.py"
    outside.parent.mkdir()
    outside.write_text(f'password = "{password}"\n')
    repo.commit_files({"README.md": "docs\n"}, "base")
    os.symlink(outside, repo.path / "credentials.py")
    repo.stage("credentials.py")

    exit_code, document, output = scan_json(cli)

    assert repo.git("ls-files", "-s", "credentials.py").startswith("120000")
    assert exit_code == 0, output
    assert document["results"] == []
    assert document["files_scanned"] == 1
    assert_no_secret(output, password)


def test_symlink_target_text_scanned(repo: Repo, cli: Any) -> None:
    key = fake_aws_key()
    repo.commit_files({"README.md": "docs\n"}, "base")
    os.symlink(key, repo.path / "pointer")
    repo.stage("pointer")

    exit_code, document, output = scan_json(cli)

    assert exit_code == 1, output
    assert locations(document) == [("pointer", 1, "AWS Access Key")]
    assert_no_secret(output, key)


def test_commit_through_hook_after_rename(
    repo: Repo, hook_source: str, pre_commit_home: str
) -> None:
    key = fake_aws_key()
    write_hook_config(repo, hook_source)
    repo.write("old.py", _text(FILLER))
    repo.stage(".pre-commit-config.yaml", "old.py")
    repo.commit("base")
    environment = install_hook(repo, pre_commit_home)
    repo.git("mv", "old.py", "new.py")
    repo.write("new.py", _text([*FILLER, f'aws_key = "{key}"']))
    repo.stage("new.py")

    code, output = git_commit(repo, environment)

    assert code != 0, output
    assert "new.py:11" in output
    assert commit_count(repo) == 1
    assert_no_secret(output, key)


def test_symlink_through_hook(repo: Repo, hook_source: str, pre_commit_home: str) -> None:
    key = fake_aws_key()
    write_hook_config(repo, hook_source)
    repo.stage(".pre-commit-config.yaml")
    repo.commit("base")
    environment = install_hook(repo, pre_commit_home)
    os.symlink(key, repo.path / "pointer")
    repo.stage("pointer")

    code, output = git_commit(repo, environment)

    # pre-commit passes a hook only regular files unless its manifest sets
    # `types`, and the symlink's stored target text must still be scanned.
    assert code != 0, output
    assert "pointer:1" in output
    assert commit_count(repo) == 1
    assert_no_secret(output, key)


def test_symlink_paths_as_arguments(repo: Repo, cli: Any, tmp_path: Path) -> None:
    key = fake_aws_key()
    password = fake_password()
    outside = tmp_path / "outside" / "credentials.py"
    outside.parent.mkdir()
    outside.write_text(f'password = "{password}"\n')
    repo.commit_files({"README.md": "docs\n"}, "base")
    os.symlink(outside, repo.path / "credentials.py")
    os.symlink(key, repo.path / "pointer")
    repo.stage("credentials.py", "pointer")

    # pre-commit passes symlinks by name; the names are not resolved.
    exit_code, document, output = scan_json(cli, "credentials.py", "pointer")

    assert exit_code == 1, output
    assert locations(document) == [("pointer", 1, "AWS Access Key")]
    assert document["files_scanned"] == 2
    assert_no_secret(output, key, password)


def test_unusual_file_names(repo: Repo, cli: Any) -> None:
    passwords = [fake_password(seed) for seed in ("a1Qz", "b2Wx", "c3Ev")]
    names = ["dir with space/\u0444\u0430\u0439\u043b.py", "new\nline.py", 'tab\t"quoted".py']
    repo.commit_files({"README.md": "docs\n"}, "base")
    for name, password in zip(names, passwords):
        repo.write(name, f'x = 1\npassword = "{password}"\n')
    repo.git("add", "-A")

    exit_code, document, output = scan_json(cli)

    assert exit_code == 1, output
    assert locations(document) == sorted((name, 2, "Secret Keyword") for name in names)
    assert_no_secret(output, *passwords)


def test_intent_to_add_not_scanned(repo: Repo, cli: Any) -> None:
    password = fake_password()
    repo.commit_files({"README.md": "docs\n"}, "base")
    repo.write("later.py", f'password = "{password}"\n')
    repo.git("add", "--intent-to-add", "later.py")

    exit_code, document, output = scan_json(cli)

    # Only the path is recorded; the content is not staged and not committed.
    assert exit_code == 0, output
    assert document["results"] == []
    assert_no_secret(output, password)
