"""The one table printer of the benchmarks (Markdown tables, as the README shows them),
and their one timer."""

import statistics
import time


def print_table(title, columns, rows):
    """Prints `title`, a blank line and a Markdown table.

    Args:
        title: what was measured, under which settings (one line or more).
        columns: the header cells.
        rows: an iterable of rows, each a sequence of cells (already formatted, or any
            value `str` shows); printed as they come, so a slow measurement shows its
            rows one by one.
    """
    print(f"{title}\n")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |", flush=True)
    print()


def median_ms(call, repeats):
    """The median milliseconds of `repeats` calls of `call()`, after two untimed ones
    (built optimizers, compiled functions, allocated buffers)."""
    call()
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)
