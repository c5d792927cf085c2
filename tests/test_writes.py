"""Output paths: ``atomic_write`` replaces regular files only, writes through to anything else,
follows symlinks to the file they name, and gives files the modes ``open()`` would."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading

import pytest

from chainrule import writes
from chainrule.writes import atomic_write

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs, symlinks and /dev/fd are POSIX")


@pytest.fixture
def umask():
    """Set the process umask for one test, and restore it after."""
    previous = os.umask(0o022)
    yield os.umask
    os.umask(previous)


def test_writing_into_a_fifo_writes_through_to_its_reader(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    atomic_write(fifo, b"a,b\n1,2\n" * 1000)
    reader.join(timeout=30)  # a daemon: if the FIFO were replaced, it would wait forever
    assert received == [b"a,b\n1,2\n" * 1000]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_writing_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "predictions.csv"
    target.write_bytes(b"old")
    link = tmp_path / "latest.csv"
    link.symlink_to(os.path.join("real", "predictions.csv"))  # relative, as ln -s makes them
    atomic_write(link, b"new")
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "predictions.csv")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["predictions.csv"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "missing.csv")
    atomic_write(link, b"made")
    assert link.is_symlink() and (tmp_path / "missing.csv").read_bytes() == b"made"


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError):
        atomic_write(tmp_path, b"x")


def test_character_devices_are_written_through_never_replaced():
    # Only the decision is checked: no test writes to a system device.
    assert writes.write_target("/dev/null") == ("through", "/dev/null")


WRITER = "import sys; from chainrule.writes import atomic_write; atomic_write(sys.argv[1], b'x,y\\n1,2\\n')"


def _run_writer(path, **kwargs):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-c", WRITER, path], env=env, check=True, timeout=60, **kwargs)


def test_a_symlink_into_proc_self_fd_is_a_descriptor(tmp_path):
    (tmp_path / "stdout").symlink_to("/proc/self/fd/1")
    assert writes.write_target(tmp_path / "stdout")[0] == "descriptor"
    assert writes.write_target("/dev/fd/1")[0] == "descriptor"


def test_dev_stdout_reaches_a_pipe(dev_stdout_guard):
    assert _run_writer("/dev/stdout", stdout=subprocess.PIPE).stdout == b"x,y\n1,2\n"


def test_dev_stdout_redirected_to_a_file_writes_into_that_open_file(tmp_path, dev_stdout_guard):
    out = tmp_path / "out.csv"
    with open(out, "ab") as file:  # like the shell's >>: what was there stays
        file.write(b"kept\n")
        file.flush()
        inode = os.fstat(file.fileno()).st_ino
        _run_writer("/dev/stdout", stdout=file)
    assert out.read_bytes() == b"kept\nx,y\n1,2\n"
    assert os.stat(out).st_ino == inode, "the file was replaced, not written"


def test_dev_fd_n_reaches_the_descriptor_like_process_substitution():
    read_end, write_end = os.pipe()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, f"/dev/fd/{write_end}"], pass_fds=(write_end,), env=env
    )
    os.close(write_end)  # the child holds the only write end: reading ends when it exits
    with os.fdopen(read_end, "rb") as reader:
        received = reader.read()
    assert process.wait(timeout=60) == 0
    assert received == b"x,y\n1,2\n"


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_new_files_follow_the_umask_as_open_would(tmp_path, umask, mask, mode):
    umask(mask)
    atomic_write(tmp_path / "new.csv", b"x")
    assert stat.S_IMODE(os.stat(tmp_path / "new.csv").st_mode) == mode


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o664, 0o755])
def test_replacing_a_file_keeps_its_mode(tmp_path, umask, mode):
    umask(0o077)
    path = tmp_path / "old.csv"
    path.write_bytes(b"old")
    os.chmod(path, mode)
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
