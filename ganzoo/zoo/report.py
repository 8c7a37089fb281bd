"""A training run's report: curves of its logs, and a static results page.

    write_report("runs/dcgan_mnist5k")   # -> runs/dcgan_mnist5k/index.html

The page shows the recipe's claim and the held-out scores against the untrained twin,
the curves of `history.csv` (`curves.png`), the preview of the trained model, sample
grids over the epochs, and for a translator input / output / target on held-out
examples, one example per row (as the reference repo's test page). `ganzoo train`
writes it at the end of a run; `ganzoo report RUN` writes it again at any time, also
for a run still training.
"""

import csv
import json
import math
import pathlib

import numpy as np

from ganzoo.errors import InvalidArgumentError, MissingFileError
from ganzoo.files import written_whole
from ganzoo.images import preview_images, save_image_grid
from ganzoo.pages import Markup, figure, paragraph, preformatted, table, write_page

MAX_EPOCH_GRIDS = 12  # grids over epochs on the page: evenly spaced, the last included


def claim_summary(claim):
    """One sentence of a preset's checked claim (`ganzoo.zoo.run.claim_result`)."""
    text = (
        f"{claim['metric']}: {claim['trained']:.4g} trained vs {claim['untrained']:.4g} "
        f"untrained (same recipe and seed), {claim['better_by']:.3g}x better (claimed "
        f"{claim['claimed_better_by']:g}x)"
    )
    if "floor" in claim:
        text += (
            f"; {claim['within_floor']:.3g}x the real-data floor {claim['floor']:.4g} "
            f"(claimed at most {claim['claimed_within_floor']:g}x)"
        )
    return f"{text}: {'holds' if claim['holds'] else 'DOES NOT HOLD'}."


def read_history(path):
    """`history.csv` -> {column: (epochs, values)}, NumPy arrays; empty cells skipped."""
    if not path.exists():
        return {}
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    columns = {}
    for name in rows[0] if rows else ():
        if name == "epoch":
            continue
        kept = [
            (number(row["epoch"], path, "epoch"), number(row[name], path, name))
            for row in rows
            if row[name] not in ("", None)
        ]
        if kept:
            columns[name] = tuple(np.array(values) for values in zip(*kept, strict=True))
    return columns


def number(text, path, column):
    """A cell of `history.csv` as a float, or an error naming the file and the column."""
    try:
        return float(text)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"{path}: column {column!r} holds {text!r}, not a number; the file was edited "
            "or damaged. Fix or delete that row, then run `ganzoo report` again."
        ) from None


def draw_curves(history, path, columns=4):
    """Draws each training log and each held-out score (`eval_*`; not their standard
    errors) against the epoch, one panel each on its own scale, as a PNG. Returns the
    path."""
    from matplotlib.figure import Figure  # local: slow to import, and only reports draw
    from matplotlib.ticker import MaxNLocator

    names = [n for n in history if not n.startswith("eval_")]
    names += [n for n in history if n.startswith("eval_") and not n.endswith("_error")]
    columns = min(columns, len(names))
    rows = math.ceil(len(names) / columns)
    curves = Figure(figsize=(4 * columns, 2.8 * rows), layout="constrained")
    axes = curves.subplots(rows, columns, squeeze=False).ravel()
    for ax, name in zip(axes, names, strict=False):
        epochs, values = history[name]
        held_out = name.startswith("eval_")
        ax.plot(epochs, values, marker="o", markersize=3, color="C1" if held_out else "C0")
        ax.set_title(f"held-out {name[5:]}" if held_out else name)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    with written_whole(path) as staging:
        curves.savefig(staging, format="png", dpi=90)
    return path


def score_rows(scores, untrained):
    """`(name, trained, untrained)` for each score that is a number."""
    return [
        (name, value, untrained.get(name))
        for name, value in scores.items()
        if isinstance(value, float)
    ]


def epoch_grids(folder):
    """Up to `MAX_EPOCH_GRIDS` of `folder`'s `epoch_NNN.png`, evenly spaced, the last
    included."""
    grids = sorted(folder.glob("epoch_*.png"))
    if len(grids) <= MAX_EPOCH_GRIDS:
        return grids
    picks = np.linspace(0, len(grids) - 1, MAX_EPOCH_GRIDS).round().astype(int)
    return [grids[i] for i in sorted(set(picks))]


def held_out_rows(model, examples, folder):
    """Writes each held-out example's input, output and target (and a CycleGAN's F(b))
    as PNGs into `folder`; returns the table's header and rows of figures."""
    images, count = preview_images(model, examples, num_images=len(examples[0]))
    header = ["input", "output", "target"]
    if model.kind == "cycle_translator":
        header = ["input A", "G(A)", "target B", "F(B)"]
    scale = max(1, 128 // images.shape[2])
    rows = []
    for i in range(count):
        cells = []
        for r in range(len(header)):
            path = folder / f"{i:02d}_{r}.png"
            save_image_grid(images[r * count + i][None], path, columns=1, scale=scale)
            cells.append(Markup(figure(path, folder.parent)))
        rows.append([i + 1, *cells])
    return ["example", *header], rows


def write_report(run, model=None, examples=None):
    """Writes `curves.png` and `index.html` into a run folder of `ganzoo train`.

    Args:
        run: the run folder (`--out`).
        model: the trained model; with `examples`, a translator's held-out rows are
            written into `run/held_out/`. Defaults to None (no held-out rows).
        examples: held-out `(a, b)` arrays (`ganzoo.zoo.run.preview_examples`).

    Returns:
        the page's path.
    """
    run = pathlib.Path(run)
    if not (run / "recipe.json").is_file():
        raise MissingFileError(
            f"{run} is not a training run (it has no recipe.json): give the --out folder "
            "of a `ganzoo train`."
        )
    recipe = json.loads((run / "recipe.json").read_text())
    metadata_file = run / "preset" / "metadata.json"
    metadata = json.loads(metadata_file.read_text()) if metadata_file.is_file() else {}
    sections = [("About", paragraph(recipe["description"]))]
    claim = metadata.get("claim")
    if claim:
        sections.append(("Claim", paragraph(claim_summary(claim))))
    if "scores" in metadata:
        rows = score_rows(metadata["scores"], metadata.get("untrained_scores", {}))
        sections.append(
            (
                f"Scores on {metadata['scores'].get('data', 'held-out data')}",
                table(["score", "trained", "untrained twin"], rows),
            )
        )
    elif not metadata:
        sections.append(("Status", paragraph("Training has not finished: no preset yet.")))
    history = read_history(run / "history.csv")
    if history:
        curves = draw_curves(history, run / "curves.png")
        sections.append(("Curves", figure(curves, run, "history.csv")))
    if (run / "samples.png").is_file():
        sections.append(("The trained model", figure(run / "samples.png", run, "samples.png")))
    if model is not None and examples is not None and model.kind != "generator":
        header, rows = held_out_rows(model, examples, run / "held_out")
        sections.append(("Held-out examples", table(header, rows)))
    grids = epoch_grids(run / "samples")
    if grids:
        shown = "".join(figure(g, run, f"epoch {int(g.stem[6:])}", width=240) for g in grids)
        sections.append(("Over the epochs", shown))
    if "training" in metadata:
        sections.append(("Training", table(["", ""], list(metadata["training"].items()))))
    sections.append(("Recipe", preformatted(json.dumps(recipe, indent=2))))
    return write_page(run / "index.html", recipe["name"], sections)
