"""Every Python block of the README and of the guides (docs/guide/, the site's pages)
runs as written, in order, in one empty folder.

Blocks that train for long are cut, by `cut_training` below and nothing else: each
`.fit(..., epochs=N` runs `epochs=1, steps_per_epoch=2` instead. The data block reads
the user's own folders and tfds data sets: the test writes small folders under the
names it uses and runs it on `tfds.testing.mock_data`. On TensorFlow only: the blocks
are backend-agnostic and the other backends run the same calls in the other tests.
"""

import contextlib
import pathlib
import re

import numpy as np
import pytest
from PIL import Image

ROOT = pathlib.Path(__file__).parents[1]
# The README, then the guides in the site's order (mkdocs.yml's nav).
PAGES = [ROOT / "README.md"] + [
    ROOT / "docs" / page
    for page in re.findall(
        r"^\s+- [^:]+: (guide/[\w-]+\.md)$", (ROOT / "mkdocs.yml").read_text(), re.M
    )
]
BLOCKS = [
    (f"{page.relative_to(ROOT)} block {number}", code)
    for page in PAGES
    for number, code in enumerate(
        re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.DOTALL), 1
    )
]
TRAINING = re.compile(r"(\.fit\([^\n]*?)epochs=\d+")

pytestmark = [
    pytest.mark.one_backend,
    pytest.mark.slow,
    pytest.mark.long_run,
]


def cut_training(code):
    """The block with every `fit` cut to one epoch of two steps."""
    return TRAINING.sub(r"\1epochs=1, steps_per_epoch=2", code)


def write_images(folder, count, size=(32, 32)):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{i:02d}.png")


def the_users_folders(root):
    """The folders the data block names: aligned A|B files, A/ B/ pairs, trainA/ trainB/."""
    write_images(root / "facades" / "train", 4, size=(64, 32))
    write_images(root / "my_pairs" / "A", 4)
    write_images(root / "my_pairs" / "B", 4)
    write_images(root / "horse2zebra" / "trainA", 4)
    write_images(root / "horse2zebra" / "trainB", 4)
    write_images(root / "photos", 3)


def test_the_readme_and_the_guides_have_their_python_blocks():
    assert len(PAGES) == 15 and len(BLOCKS) >= 8
    assert all("import" in code for _, code in BLOCKS)  # each brings its own imports


def test_every_python_block_of_the_readme_runs(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    monkeypatch.chdir(tmp_path)
    for where, block in BLOCKS:
        uses_user_data = "paired_folder(" in block
        if uses_user_data:
            the_users_folders(tmp_path)
        context = (
            tfds.testing.mock_data(num_examples=64)
            if uses_user_data
            else (contextlib.nullcontext())
        )
        with context:
            try:
                exec(compile(cut_training(block), where, "exec"), {})
            except Exception as error:
                raise AssertionError(f"{where} fails:\n{block}") from error
