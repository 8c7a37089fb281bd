"""The shipped presets: the same outputs on every backend, and the scores their metadata
states, better than their untrained twins' by the margin their recipes claim."""

import json
import pathlib
import re

import numpy as np
import pytest
from helpers import preset_reference_outputs

from ganzoo.models import from_preset
from ganzoo.presets import shipped_presets
from ganzoo.resources import presets_dir
from ganzoo.zoo import run

pytestmark = [pytest.mark.every_backend, pytest.mark.long_run]

PRESETS = list(shipped_presets())
REFERENCE_OUTPUTS = pathlib.Path(__file__).parent / "data" / "pretrained_outputs.npz"


def test_all_five_families_and_the_unet_are_shipped_in_under_60_mb():
    classes = {
        json.loads((folder / "metadata.json").read_text())["class_name"]
        for folder in shipped_presets().values()
    }
    assert classes == {"GAN", "DCGAN", "ConditionalGAN", "Pix2Pix", "CycleGAN", "UNet"}
    size = sum(f.stat().st_size for f in presets_dir().rglob("*") if f.is_file())
    assert size < 60e6, size  # the moving averages of G are stored beside G


@pytest.mark.parametrize("name", PRESETS)
def test_a_preset_gives_the_reference_outputs_on_this_backend(name):
    expected = np.load(REFERENCE_OUTPUTS)[name]
    np.testing.assert_allclose(preset_reference_outputs(from_preset(name)), expected, atol=1e-4)


@pytest.mark.parametrize("name", PRESETS)
def test_a_preset_scores_as_stated_and_beats_its_untrained_twin(name):
    model = from_preset(name)
    metadata = model.preset_metadata
    _, scores, _, claim = run.rescore_preset(model)  # the twin built on this backend
    for key, stated in metadata["scores"].items():
        if isinstance(stated, float):
            assert np.isclose(scores[key], stated, rtol=1e-3, atol=2e-3), (key, scores[key])
    assert claim["holds"], claim


@pytest.mark.parametrize("name", PRESETS)
def test_the_readme_states_the_scores_of_the_preset_metadata(name):
    readme = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
    claim = json.loads((presets_dir() / name / "metadata.json").read_text())["claim"]
    row = re.search(rf"^\| `{name}` \|.*$", readme, re.MULTILINE)
    assert row, f"no row for {name} in the README's zoo table (python -m benchmarks zoo)"
    number = r"(-?[\d,]+(?:\.\d+)?(?:e[+-]?\d+)?)"
    stated = re.search(rf"{claim['metric']} {number} vs {number}: {number}x", row.group(0))
    assert stated, row.group(0)
    trained, untrained, better_by = (float(s.replace(",", "")) for s in stated.groups())
    np.testing.assert_allclose(
        [trained, untrained, better_by],
        [claim["trained"], claim["untrained"], claim["better_by"]],
        rtol=5e-3,  # three significant digits
    )
    if "floor" in claim:
        stated = re.search(
            rf"{claim['metric']} {number} vs {number}: {number}x \(claimed at most", row.group(0)
        )
        assert stated, row.group(0)
        np.testing.assert_allclose(
            [float(s.replace(",", "")) for s in stated.groups()],
            [claim["trained"], claim["floor"], claim["within_floor"]],
            rtol=5e-3,
        )
