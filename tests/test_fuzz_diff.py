"""The diff reader on arbitrary input: a list of changes or FatalError, never another exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from staged_secrets.hooks import diff
from staged_secrets.hooks.errors import FatalError

FUZZ_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

modes = st.sampled_from(["000000", "100644", "100755", "120000", "160000", "040000", "999999"])
object_names = st.one_of(
    st.sampled_from(["0" * 40, "a" * 40, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", "b" * 64]),
    st.text(alphabet="0123456789abcdefg", min_size=0, max_size=66),
)
statuses = st.sampled_from(["A", "C75", "D", "M", "R100", "R", "T", "U", "X", "Q", "M0001"])
paths = st.binary(min_size=0, max_size=12).filter(lambda path: b"\0" not in path)
numbers = st.one_of(st.integers(0, 5), st.integers(0, 10**25)).map(str)


@st.composite
def raw_records(draw: st.DrawFn) -> bytes:
    status = draw(statuses)
    header = f":{draw(modes)} {draw(modes)} {draw(object_names)} {draw(object_names)} {status}"
    count = draw(st.sampled_from([1, 2, 0, 3]))
    record = header.encode() + b"\0" + b"".join(draw(paths) + b"\0" for _ in range(count))
    return record


@st.composite
def hunk_headers(draw: st.DrawFn) -> bytes:
    old = f"-{draw(numbers)}" + draw(st.sampled_from(["", f",{draw(numbers)}"]))
    new = f"+{draw(numbers)}" + draw(st.sampled_from(["", f",{draw(numbers)}"]))
    return f"@@ {old} {new} @@{draw(st.sampled_from(['', ' context']))}\n".encode()


@st.composite
def patch_sections(draw: st.DrawFn) -> bytes:
    parts = [b"diff --git a/x b/x\n"]
    for _ in range(draw(st.integers(0, 3))):
        parts.append(
            draw(
                st.one_of(
                    hunk_headers(),
                    st.sampled_from(
                        [
                            b"new file mode 100644\n",
                            b"Binary files /dev/null and b/x differ\n",
                            b"+added line\n",
                            b"-removed line\n",
                            b"\\ No newline at end of file\n",
                            b"index 0000000..1111111\n",
                        ]
                    ),
                    st.binary(max_size=20),
                )
            )
        )
    return b"".join(parts)


@st.composite
def diff_outputs(draw: st.DrawFn) -> bytes:
    raw = b"".join(draw(st.lists(raw_records(), max_size=4)))
    patch = b"".join(draw(st.lists(patch_sections(), max_size=5)))
    separator = draw(st.sampled_from([b"\0", b"", b"\0\0"]))
    noise = draw(st.sampled_from([b"", b"\0", b"\n", b":"]))
    return raw + separator + patch + noise


def parse_or_fatal(output: bytes) -> None:
    try:
        changes = diff.parse(output)
    except FatalError as error:
        assert str(error)
        return
    assert isinstance(changes, list)
    for change in changes:
        assert isinstance(change, diff.FileChange)
        assert all(count > 0 for _, count in change.added_ranges)


@FUZZ_SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes(output: bytes) -> None:
    parse_or_fatal(output)


@FUZZ_SETTINGS
@given(diff_outputs())
def test_git_shaped_output(output: bytes) -> None:
    parse_or_fatal(output)


def test_error_never_quotes_input() -> None:
    secret_like = b"password = 'hunter2hunter2'"
    for output in (secret_like, b":100644 " + secret_like + b"\0x\0", b":\0" + secret_like):
        try:
            diff.parse(output)
        except FatalError as error:
            assert b"hunter2" not in str(error).encode()
        else:
            raise AssertionError("malformed diff output was accepted")


def test_well_formed_output_parsed() -> None:
    output = (
        b":000000 100644 " + b"0" * 40 + b" " + b"a" * 40 + b" A\0new\nname.py\0"
        b":100644 100644 " + b"b" * 40 + b" " + b"c" * 40 + b" R087\0old.py\0moved.py\0\0"
        b'diff --git "a/new\\nname.py" "b/new\\nname.py"\nnew file mode 100644\n'
        b'--- /dev/null\n+++ "b/new\\nname.py"\n@@ -0,0 +1,2 @@\n+one\n+two\n'
        b"diff --git a/old.py b/moved.py\nsimilarity index 87%\n@@ -3,0 +4 @@ x\n+four\n"
    )

    changes = diff.parse(output)

    assert [(c.status, c.old_path, c.new_path) for c in changes] == [
        ("A", "new\nname.py", "new\nname.py"),
        ("R", "old.py", "moved.py"),
    ]
    assert changes[0].added_lines() == {1, 2}
    assert changes[1].added_lines() == {4}
