"""What watching training costs: TensorBoard, the per-epoch grid and held-out scores on a
DCGAN epoch, and the time to write a run's report.

    python -m benchmarks watching [--repeats 5]        # on KERAS_BACKEND

The model and data are the `dcgan_mnist5k` recipe's (DCGAN, 32 filters, 4,000 digits
in batches of 64: 62 steps). After a warm-up round (compiling the train step and what
each variant calls), each variant trains one more epoch of the same model with `fit`,
in turn, `--repeats` times. The table gives the median epoch time and the time spent in
the callbacks' hooks, also as a share of the epoch with no callbacks (measured in the
same rounds). On a shared machine the epoch times vary by more than the callbacks cost;
the time in the hooks is the overhead. "sample grid" is `SampleGrid`'s 100 samples as a
PNG and a TensorBoard image; "held-out scores" is the `Evaluate` of `ganzoo train`'s
score curves (1,000 samples, digit-classifier features). The report is `write_report`
on a 20-epoch run folder: its curves and page.
"""

import argparse
import pathlib
import statistics
import tempfile
import time

HOOKS = ("on_train_begin", "on_epoch_begin", "on_train_batch_end", "on_epoch_end", "on_train_end")


def timed(callbacks, spent):
    """`callbacks`, each hook of which appends its seconds to `spent`."""
    for callback in callbacks:
        for hook in HOOKS:
            original = getattr(callback, hook)

            def run_timed(*args, original=original, **kwargs):
                start = time.perf_counter()
                original(*args, **kwargs)
                spent.append(time.perf_counter() - start)

            setattr(callback, hook, run_timed)
    return callbacks


def main(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks watching")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    import keras

    from benchmarks.tables import print_table
    from ganzoo.callbacks import CSVHistory, Evaluate, SampleGrid
    from ganzoo.metrics.held_out import held_out_scores
    from ganzoo.zoo.recipes import load_recipe
    from ganzoo.zoo.report import write_report
    from ganzoo.zoo.run import build_data, build_model, check_same_run

    recipe = load_recipe("dcgan_mnist5k")
    model = build_model(recipe)
    model.compile()
    data = build_data(recipe, model).cache()
    steps = int(data.cardinality())

    with tempfile.TemporaryDirectory() as scratch:
        logs = f"{scratch}/logs"

        def evaluate(m):
            return held_out_scores(m, "mnist5k", 1000, 0)

        variants = {
            "no callbacks": lambda: [],
            "TensorBoard": lambda: [keras.callbacks.TensorBoard(logs, write_graph=False)],
            "sample grid": lambda: [SampleGrid(f"{scratch}/png", 100, log_dir=logs)],
            "held-out scores": lambda: [Evaluate(evaluate)],
            "TensorBoard + grid + scores (ganzoo train)": lambda: [
                Evaluate(evaluate),
                SampleGrid(f"{scratch}/png", 100, log_dir=logs),
                CSVHistory(f"{scratch}/history.csv"),
                keras.callbacks.TensorBoard(logs, write_graph=False),
            ],
        }
        seconds = {name: [] for name in variants}
        hooks = {name: [] for name in variants}
        for round in range(args.repeats + 1):  # round 0 compiles what each variant calls
            for name, callbacks in variants.items():
                spent = []
                start = time.perf_counter()
                model.fit(data, epochs=1, verbose=0, callbacks=timed(callbacks(), spent))
                if round:
                    seconds[name].append(time.perf_counter() - start)
                    hooks[name].append(sum(spent))
        run = pathlib.Path(scratch) / "run"
        run.mkdir()
        check_same_run(recipe, run / "recipe.json")
        history, grid = CSVHistory(run / "history.csv"), SampleGrid(run / "samples", 100)
        grid.set_model(model)
        for epoch in range(20):
            history.on_epoch_end(epoch, {"d_loss": 1.0 / (epoch + 1), "g_loss": epoch / 20})
            grid.on_epoch_end(epoch)
        report = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            write_report(run)
            report.append(time.perf_counter() - start)

    base = statistics.median(seconds["no callbacks"])
    print_table(
        f"One DCGAN epoch ({steps} steps of 64, 28x28x1) on {keras.backend.backend()}, "
        f"median of {args.repeats}",
        ["callbacks", "epoch (s)", "in the callbacks (s)", "of a bare epoch (%)"],
        [
            (
                name,
                f"{statistics.median(seconds[name]):.2f}",
                f"{statistics.median(hooks[name]):.3f}",
                f"{100 * statistics.median(hooks[name]) / base:.1f}",
            )
            for name in variants
        ],
    )
    print_table(
        f"Writing a 20-epoch run's report (curves.png and index.html), median of {args.repeats}",
        ["", "seconds"],
        [("write_report", f"{statistics.median(report):.2f}")],
    )
