"""Writes that survive kills, full disks and read-only folders (ganzoo.files), and what
the callbacks and presets built on them do there."""

import contextlib
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from helpers import batches, random_images, tiny

from ganzoo import files
from ganzoo.callbacks import Checkpoint
from ganzoo.errors import MissingFileError, WriteError
from ganzoo.presets import save_preset, weights_file_bytes

pytestmark = pytest.mark.one_backend


class Killed(BaseException):
    """A SIGKILL, as far as the code under test can tell: nothing after it runs."""


class KillAt:
    """File-system calls that kill the process at the `n`-th: it raises `Killed`, and
    every later call does nothing (a dead process does nothing more; no `finally`)."""

    def __init__(self, n):
        self.n, self.calls, self.dead = n, [], False

    def wrap(self, name, real):
        def call(*args, **kwargs):
            if self.dead:
                return None
            self.calls.append(name)
            if len(self.calls) == self.n:
                self.dead = True
                raise Killed
            return real(*args, **kwargs)

        return call


def write_version(target, version, folder):
    with files.written_whole(target) as staging:
        if folder:
            staging.mkdir()
            for name in ("a.txt", "b.txt"):
                (staging / name).write_text(version)
        else:
            staging.write_text(version)


def read_version(target, folder):
    if not folder:
        return target.read_text()
    versions = {(target / name).read_text() for name in ("a.txt", "b.txt")}
    assert len(versions) == 1, f"a mixture of versions: {versions}"
    return versions.pop()


@pytest.mark.parametrize("folder", [True, False], ids=["folder", "file"])
def test_a_kill_between_any_two_steps_of_an_overwrite_leaves_the_old_or_the_new(
    tmp_path, monkeypatch, folder
):
    """The overwrite's file-system operations are killed one after another; after each
    kill, the next write's recovery (`files.recover`) leaves a whole old or new target."""
    operations = ("replace", "rmtree", "mkdtemp")
    kill_at = 0
    while True:
        kill_at += 1
        target = tmp_path / f"target_{kill_at}"
        write_version(target, "old", folder)
        process = KillAt(kill_at)
        with monkeypatch.context() as patch:
            patch.setattr(files.os, "replace", process.wrap("replace", os.replace))
            patch.setattr(files.shutil, "rmtree", process.wrap("rmtree", shutil.rmtree))
            patch.setattr(
                files.tempfile, "mkdtemp", process.wrap("mkdtemp", files.tempfile.mkdtemp)
            )
            with contextlib.suppress(Killed):
                write_version(target, "new", folder)
        calls, dead = process.calls, process.dead
        assert set(calls) <= set(operations)
        files.recover(target)
        assert read_version(target, folder) in ("old", "new")
        assert not files.staging_folders(target)  # no stale staging folder is left
        if not dead:  # the write ran to its end without meeting its kill
            assert read_version(target, folder) == "new"
            break
    assert kill_at > 3


def test_a_failed_write_leaves_the_target_as_it_was(tmp_path):
    target = tmp_path / "target"
    write_version(target, "old", folder=True)
    with pytest.raises(RuntimeError), files.written_whole(target) as staging:
        staging.mkdir()
        (staging / "a.txt").write_text("new")
        raise RuntimeError("the writer failed")
    assert read_version(target, folder=True) == "old"
    assert not files.staging_folders(target)


@contextlib.contextmanager
def small_disk(tmp_path, size):
    """A tmpfs of `size` bytes (needs root and mount; skipped where it cannot mount)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
        capture_output=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_disk_stops_a_checkpoint_with_one_line_and_keeps_the_last(tmp_path):
    model = tiny("dcgan", seed=0)
    model.compile()
    model.fit(batches(random_images(16, (16, 16, 1))), epochs=1, verbose=0)
    measure = Checkpoint(tmp_path / "measure")
    measure.set_model(model)
    measure.save(1, 0)
    size = (tmp_path / "measure" / "epoch_0001.weights.h5").stat().st_size
    # Room for one checkpoint and what a save asks to find free, not for two.
    room = int(1.2 * weights_file_bytes(model.variables)) + size // 2
    with small_disk(tmp_path, room // 4096 * 4096 + 8192) as disk:
        checkpoint = Checkpoint(disk / "checkpoint")
        checkpoint.set_model(model)
        checkpoint.save(1, 0)  # fits
        with pytest.raises(WriteError) as error:
            checkpoint.save(2, 0)  # the old one and the new one do not fit together
        assert "\n" not in str(error.value) and "free" in str(error.value)
        state = json.loads((disk / "checkpoint" / "state.json").read_text())
        assert state == {"epoch": 1, "weights": "epoch_0001.weights.h5"}
        restored = tiny("dcgan", seed=1)
        restored.compile()
        assert checkpoint.restore(restored) == (1, 0)
        for a, b in zip(model.get_weights(), restored.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)


def test_a_read_only_folder_gets_one_line_and_exit_status_2(tmp_path):
    with small_disk(tmp_path, 1 << 20) as disk:
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        with pytest.raises(WriteError, match="read-only"):
            save_preset(tiny("dcgan"), disk / "preset")
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "ganzoo.cli",
                "export",
                "dcgan_mnist5k",
                "--out",
                str(disk / "serving"),
            ],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 2, result.stderr[-2000:]
        (line,) = result.stderr.strip().splitlines()[-1:]
        assert line.startswith("ganzoo: error: cannot write") and "read-only" in line
        assert "Traceback" not in result.stderr


def test_a_ganzoo_error_inside_a_write_keeps_its_own_message(tmp_path):
    with (
        pytest.raises(MissingFileError, match="no such input"),
        files.written_whole(tmp_path / "target"),
    ):
        raise MissingFileError("no such input")
    assert not files.staging_folders(tmp_path / "target")
