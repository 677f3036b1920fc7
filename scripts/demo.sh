#!/usr/bin/env bash
# Install staged-secrets into .venv, then show the hook on a throwaway
# repository: a commit that adds a fake AWS key is blocked, and the same
# commit passes once the baseline lists the key.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"

if [ ! -x "$venv/bin/staged-secrets" ] || [ ! -x "$venv/bin/pre-commit" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -e "$root" pre-commit
fi
export PATH="$venv/bin:$PATH"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/pre-commit-home"

# The user's own git configuration (commit signing, core.hooksPath, a
# template folder) must not change what the demo shows.
export GIT_CONFIG_GLOBAL="$work/gitconfig"
export GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
printf '[user]\n\tname = demo\n\temail = demo@example.invalid\n[init]\n\tdefaultBranch = main\n' \
  > "$GIT_CONFIG_GLOBAL"

# pre-commit installs hooks from a commit, so snapshot the checkout as it is,
# without .git, the virtualenv and caches (Python's copytree, since rsync is
# not installed everywhere).
source_repo="$work/staged-secrets"
"$venv/bin/python" - "$root" "$source_repo" <<'PYTHON'
import shutil
import sys

ignored = shutil.ignore_patterns(
    ".git", ".venv", ".ci-venv", "__pycache__", "*.egg-info", ".pytest_cache",
    ".mypy_cache", ".ruff_cache", ".hypothesis", "build", "dist",
)
shutil.copytree(sys.argv[1], sys.argv[2], ignore=ignored, symlinks=True)
PYTHON
git -C "$source_repo" init -q
git -C "$source_repo" add -A
git -C "$source_repo" commit -q --no-verify -m snapshot
revision="$(git -C "$source_repo" rev-parse HEAD)"

demo="$work/demo"
git init -q "$demo"
cd "$demo"
printf 'repos:\n- repo: %s\n  rev: %s\n  hooks:\n  - id: staged-secrets\n' \
  "$source_repo" "$revision" > .pre-commit-config.yaml
git add .pre-commit-config.yaml
git commit -q --no-verify -m "add pre-commit configuration"
pre-commit install

# The key is assembled here so that this script itself contains no key.
key="AKIA""Q7ZK3MRT5XWB2NPD"
printf 'REGION = "eu-west-1"\nAWS_ACCESS_KEY_ID = "%s"\n' "$key" > settings.py
git add settings.py

echo
echo "== git commit with a fake AWS key staged (expected: blocked)"
if git commit -m "add settings"; then
  echo "demo failed: the commit was not blocked" >&2
  exit 1
fi

echo
echo "== staged-secrets baseline create, then the same commit (expected: passes)"
staged-secrets baseline create
git add .secrets.baseline
git commit -m "add settings"
echo
echo "demo finished: the commit was blocked, then accepted once the baseline knew the key"
