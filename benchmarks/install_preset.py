"""Copies a trained run's preset into pretrained/, with the claims its recipe file makes now.

    python -m benchmarks install_preset NAME runs/NAME

A claim is not a training setting: a recipe's `[eval] better_by` and `within_floor` may
be raised after its run, to what the trained model makes good. The preset's stored
recipe takes the claims of `zoo_configs/NAME.toml`, the claim is checked again on the
stored scores (`ganzoo.zoo.run.claim_result`) and must hold, and the folder replaces
`pretrained/NAME` whole (written beside it, then renamed).
"""

import argparse
import json
import pathlib
import shutil


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks install_preset")
    parser.add_argument("name", help="a recipe of zoo_configs/ and preset of pretrained/")
    parser.add_argument("run", type=pathlib.Path, help="the --out folder of its ganzoo train")
    args = parser.parse_args(argv)

    from ganzoo.zoo.recipes import load_recipe, recipe_from_dict
    from ganzoo.zoo.run import claim_result

    target = pathlib.Path("pretrained") / args.name
    staging = target.with_name(f".{args.name}.installing")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(args.run / "preset", staging)
    metadata = json.loads((staging / "metadata.json").read_text())
    claims = load_recipe(args.name).to_dict()["eval"]
    metadata["recipe"]["eval"].update({k: claims[k] for k in ("better_by", "within_floor")})
    options = recipe_from_dict(metadata["recipe"], args.name).eval
    stated = metadata["claim"]
    floor = {options.metric: stated["floor"]} if "floor" in stated else None
    metadata["claim"] = claim_result(options, metadata["scores"], metadata["untrained_scores"],
                                     floor)  # fmt: skip
    if not metadata["claim"]["holds"]:
        shutil.rmtree(staging)
        raise SystemExit(f"{args.name}: the claim does not hold: {metadata['claim']}")
    (staging / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    print(f"installed {target}: {metadata['claim']}")
