"""Walking a generator's latent space: draws, interpolation, arithmetic, truncation.

All NumPy, seeded by PCG64, so a seed gives the same latents (and images) on every
backend. A latent is a vector z of `latent_dim` floats, z ~ N(0, I) in training.

    draw_latents(n, dim, seed, truncation)   z ~ N(0, I), or truncated (BigGAN's trick:
                                             entries beyond +-truncation redrawn)
    interpolate(a, b, steps, "slerp")        the path from a to b (White, 2016; slerp
                                             follows the sphere the Gaussian lives near)
    latent_arithmetic(plus, minus)           DCGAN's vector arithmetic: the mean latent
                                             of each group, added and subtracted
                                             (Radford et al., 2016, Fig. 7)

`GANBase.generate_from_latents(z, labels)` turns any of them into images.
"""

import numpy as np

from ganzoo.arguments import as_array, as_count, as_number, as_seed, require_memory
from ganzoo.errors import InvalidArgumentError

METHODS = ("slerp", "lerp")


def draw_latents(num, latent_dim, seed=None, truncation=None):
    """`(num, latent_dim)` float32 latents z ~ N(0, I) from PCG64 with `seed`.

    With `truncation` (a threshold > 0, e.g. 0.5-2), each entry follows N(0, 1)
    truncated to [-truncation, truncation]: the distribution of BigGAN's truncation
    trick (Brock et al., 2019), which redraws every entry beyond the threshold from the
    same normal until none is; drawn here in one pass by the inverse of the normal's
    distribution function, so that a tiny threshold costs no more than a large one.
    Samples move nearer the generator's image of z = 0: more alike, and with a model
    not trained for it (BigGAN's orthogonal regularisation) blurred at small thresholds.
    """
    num, latent_dim = as_count(num, "num", least=0), as_count(latent_dim, "latent_dim")
    require_memory(4 * num * latent_dim, f"{num:,} latents of {latent_dim} floats")
    rng = np.random.default_rng(as_seed(seed))
    if truncation is None:
        return rng.standard_normal((num, latent_dim), dtype=np.float32)
    threshold = as_number(truncation, "truncation", least=0.0, exclusive=True)
    from scipy import special  # local: `ganzoo --help` imports this module

    # |z| = Phi^-1(1/2 + u (Phi(t) - 1/2)) with u ~ U[0, 1), and a random sign.
    upper = min(special.ndtr(threshold), np.nextafter(1.0, 0.0))
    magnitude = special.ndtri(0.5 + rng.random((num, latent_dim)) * (upper - 0.5))
    signs = rng.choice(np.array([-1.0, 1.0]), (num, latent_dim))
    bound = np.float32(threshold)
    if bound > threshold:  # float32 rounded the threshold up: stay within it
        bound = np.nextafter(bound, np.float32(0))
    return np.clip((signs * magnitude).astype(np.float32), -bound, bound)


def interpolate(start, end, steps, method="slerp"):
    """`(steps, dim)` points from `start` to `end` (both included) at even fractions.

    "lerp": (1 - t) a + t b. "slerp": sin((1 - t) w) / sin w a + sin(t w) / sin w b,
    w the angle between a and b: between latents of equal norm every point keeps that
    norm, where lerp's midpoints fall inside the sphere that N(0, I) samples lie near.
    Works for one-hot labels too (lerp blends them).
    """
    start = as_array(start, "start", 1)
    end = as_array(end, "end", 1)
    if start.shape != end.shape:
        raise InvalidArgumentError(
            f"start and end must have the same shape. Received {start.shape} and {end.shape}."
        )
    steps = as_count(steps, "steps", least=2)
    if method not in METHODS:
        raise InvalidArgumentError(f"method must be one of {METHODS}. Received: {method!r}.")
    t = np.linspace(0.0, 1.0, steps)[:, None]
    norms = np.linalg.norm(start) * np.linalg.norm(end)
    cosine = np.dot(start, end) / norms if norms else 1.0
    angle = np.arccos(np.clip(cosine, -1.0, 1.0))
    if method == "lerp" or np.sin(angle) < 1e-6:  # (anti)parallel: slerp is undefined
        path = (1 - t) * start + t * end
    else:
        path = (np.sin((1 - t) * angle) * start + np.sin(t * angle) * end) / np.sin(angle)
    path[0], path[-1] = start, end  # exactly, not to round-off
    return path.astype(np.float32)


def latent_arithmetic(plus, minus=()):
    """The sum of the mean latents of the `plus` groups less those of the `minus` groups.

    Each group is `(n, dim)` latents of images showing one concept (DCGAN averages
    three per concept: "smiling woman" - "neutral woman" + "neutral man"). Returns
    float32 `(dim,)`.
    """
    groups = [as_array(g, f"plus[{i}]", 2) for i, g in enumerate(plus)]
    groups += [-as_array(g, f"minus[{i}]", 2) for i, g in enumerate(minus)]
    if not plus:
        raise InvalidArgumentError("plus must hold at least one group of latents.")
    dims = {g.shape[1] for g in groups}
    if len(dims) > 1:
        raise InvalidArgumentError(f"every group must have the same latent_dim. Received {dims}.")
    return np.sum([g.mean(axis=0) for g in groups], axis=0).astype(np.float32)


def interpolation_latents(rows, steps, latent_dim, seed=None, method="slerp", truncation=None):
    """`(rows * steps, latent_dim)` latents of an interpolation grid: row i walks from one
    drawn latent to another in `steps` (`draw_latents(2 * rows, ...)`: starts, then
    ends), row by row."""
    rows = as_count(rows, "rows")
    ends = draw_latents(2 * rows, latent_dim, seed, truncation)
    return np.concatenate(
        [interpolate(ends[i], ends[rows + i], steps, method) for i in range(rows)]
    )
