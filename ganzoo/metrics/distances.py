"""Distances between two sets of features: Frechet, kernel (KID), precision and recall.

All take float arrays `(n, dim)` of features (from `ganzoo.metrics.features`) and run
in NumPy (float64), so they give the same number on every Keras backend.

- Frechet distance (Heusel et al. 2017, "FID" on Inception features):
  |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)).
- Kernel distance (Binkowski et al. 2018, "KID"): the unbiased estimate of MMD^2 with
  the cubic polynomial kernel k(x, y) = (x.y / dim + 1)^3, averaged over disjoint
  blocks of both sets; the standard error is the blocks' standard deviation / sqrt(blocks),
  and is right because the blocks are independent.
- Improved precision and recall (Kynkaanniemi et al. 2019): each real feature's ball
  reaches its k-th nearest real neighbour; precision is the share of generated features
  inside some real ball, recall the share of real features inside some generated ball.
"""

import warnings

import numpy as np

from ganzoo.arguments import as_array, as_count, as_seed
from ganzoo.errors import InvalidArgumentError


def check_features(features_a, features_b, minimum=2):
    """Two finite float64 arrays `(n, dim)` of one dim, each of at least `minimum` rows."""
    a, b = (
        as_array(f, f"features_{x}", 2, np.float64, least=minimum, rows="samples")
        for f, x in ((features_a, "a"), (features_b, "b"))
    )
    if a.shape[1] != b.shape[1] or a.shape[1] < 1:
        raise InvalidArgumentError(
            f"Features must be two arrays (n, dim) of one dim. Received {a.shape} and {b.shape}."
        )
    return a, b


def frechet_distance(features_a, features_b):
    """Frechet distance between Gaussians fitted to two feature sets.

    Warns when a set has fewer samples than feature dimensions: its covariance is then
    singular, and the distance is biased upwards (more samples give a lower number).
    """
    a, b = check_features(features_a, features_b)
    dim = a.shape[1]
    if min(len(a), len(b)) <= dim:
        warnings.warn(
            f"Frechet distance on {min(len(a), len(b))} samples of {dim}-dim features: the "
            "covariance is singular and the distance is biased. Use more samples than "
            "dimensions (FID on Inception features is usually reported on 10k-50k).",
            stacklevel=2,
        )
    mean_a, mean_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # tr (S_a S_b)^(1/2) = sum of sqrt of the eigenvalues of S_a S_b, which are real and
    # non-negative (S_a S_b is similar to S_a^(1/2) S_b S_a^(1/2)); round-off is clipped.
    eigenvalues = np.linalg.eigvals(np.atleast_2d(cov_a) @ np.atleast_2d(cov_b))
    trace_sqrt = np.sqrt(np.clip(eigenvalues.real, 0, None)).sum()
    squared_mean = ((mean_a - mean_b) ** 2).sum()
    return float(squared_mean + np.trace(np.atleast_2d(cov_a + cov_b)) - 2 * trace_sqrt)


def kernel_distance(features_a, features_b, block_size=1000, seed=0):
    """KID: unbiased MMD^2 (cubic polynomial kernel) over disjoint random blocks.

    Args:
        block_size: samples of each set per block; the sets are shuffled (with `seed`,
            so sets sorted by class still give blocks that sample the whole
            distribution) and cut into min(len(a), len(b)) // block_size blocks (at
            least 1; smaller sets make one block). Defaults to 1000, as clean-fid.

    Returns:
        `(kid, standard_error)`; the error is None when there is a single block (the
        spread of one estimate is unknown).
    """
    a, b = check_features(features_a, features_b)
    block_size = as_count(block_size, "block_size")
    rng = np.random.default_rng(as_seed(seed))
    a, b = rng.permutation(a), rng.permutation(b)
    blocks = max(1, min(len(a), len(b)) // block_size)
    size = min(block_size, len(a), len(b))
    dim = a.shape[1]
    estimates = []
    for i in range(blocks):
        x, y = a[i * size : (i + 1) * size], b[i * size : (i + 1) * size]
        k_xx, k_yy, k_xy = ((p @ q.T / dim + 1) ** 3 for p, q in ((x, x), (y, y), (x, y)))
        off_diagonal = size * (size - 1)
        estimates.append(
            (k_xx.sum() - np.trace(k_xx)) / off_diagonal
            + (k_yy.sum() - np.trace(k_yy)) / off_diagonal
            - 2 * k_xy.mean()
        )
    estimates = np.array(estimates)
    if blocks == 1:
        return float(estimates[0]), None
    return float(estimates.mean()), float(estimates.std(ddof=1) / np.sqrt(blocks))


def nearest_distances(points, others, k, block=1024):
    """Distance from each of `points` to its k-th nearest among `others` (itself excluded
    when `others is points`)."""
    skip = 1 if others is points else 0
    result = np.empty(len(points))
    squared_others = (others**2).sum(1)
    for start in range(0, len(points), block):
        p = points[start : start + block]
        squared = (p**2).sum(1)[:, None] + squared_others[None] - 2 * p @ others.T
        result[start : start + block] = np.sqrt(
            np.maximum(np.partition(squared, k + skip - 1, axis=1)[:, k + skip - 1], 0)
        )
    return result


def inside_any_ball(points, centres, radii, block=1024):
    """Share of `points` within `radii[j]` of some `centres[j]`."""
    inside = 0
    squared_centres = (centres**2).sum(1)
    for start in range(0, len(points), block):
        p = points[start : start + block]
        squared = (p**2).sum(1)[:, None] + squared_centres[None] - 2 * p @ centres.T
        inside += int((squared <= radii[None] ** 2).any(1).sum())
    return inside / len(points)


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall with k-NN balls (k=3, as the paper).

    Returns:
        `(precision, recall)` in [0, 1].
    """
    real, fake = check_features(real_features, fake_features, minimum=k + 1)
    real_radii = nearest_distances(real, real, k)
    fake_radii = nearest_distances(fake, fake, k)
    return inside_any_ball(fake, real, real_radii), inside_any_ball(real, fake, fake_radii)
