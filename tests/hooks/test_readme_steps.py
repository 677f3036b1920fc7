"""The README's setup steps, followed in order, let the first commit through."""

from __future__ import annotations

import json

from tests.conftest import Repo
from tests.hooks.helpers import git_commit, install_hook, write_hook_config
from tests.hooks.robust_support import Cli


def test_first_commit_with_sha_rev(
    repo: Repo, cli: Cli, hook_source: str, pre_commit_home: str
) -> None:
    repo.commit_files({"app.py": "x = 1\n"})
    # `rev:` is the snapshot's 40-character commit hash, which the Hex High
    # Entropy String detector reports.
    write_hook_config(repo, hook_source)
    environment = install_hook(repo, pre_commit_home)
    repo.stage(".pre-commit-config.yaml")

    created = cli("baseline", "create")
    repo.stage(".secrets.baseline")
    code, output = git_commit(repo, environment)

    assert created.exit_code == 0, created.output
    recorded = json.loads((repo.path / ".secrets.baseline").read_text())["results"]
    assert [item["type"] for item in recorded[".pre-commit-config.yaml"]] == [
        "Hex High Entropy String"
    ]
    assert code == 0, output
