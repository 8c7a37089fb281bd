"""Full-reference image quality for paired translation: L1, PSNR and SSIM.

Images are float arrays `(n, height, width, channels)` in [-1, 1] (data range 2).
Every score is computed per image and averaged over the images. NumPy and SciPy, so
the numbers are the same on every backend.
"""

import numpy as np
from scipy import ndimage

from ganzoo.arguments import as_images
from ganzoo.errors import InvalidArgumentError
from ganzoo.losses import DATA_RANGE, SSIM_K1, SSIM_K2, SSIM_SIGMA, SSIM_TRUNCATE, ssim_radius


def check_pair(images, targets):
    """Two finite float64 image arrays of one shape `(n, height, width, channels)`, in
    [-1, 1] (the range PSNR's peak assumes)."""
    images, targets = (
        as_images(x, name, dtype=np.float64)
        for x, name in ((images, "images"), (targets, "targets"))
    )
    if images.shape != targets.shape:
        raise InvalidArgumentError(
            "Images and targets must have one shape (n, height, width, channels). "
            f"Received {images.shape} and {targets.shape}."
        )
    return images, targets


def mean_absolute_error(images, targets):
    """Mean |image - target| over pixels, averaged over images (the pix2pix L1)."""
    images, targets = check_pair(images, targets)
    return float(np.abs(images - targets).mean())


def psnr(images, targets):
    """Peak signal-to-noise ratio in dB, 10 log10(range^2 / MSE), averaged over images.

    Identical images score infinity.
    """
    images, targets = check_pair(images, targets)
    mse = ((images - targets) ** 2).mean(axis=(1, 2, 3))
    with np.errstate(divide="ignore"):
        return float((10 * np.log10(DATA_RANGE**2 / mse)).mean())


def ssim(images, targets):
    """Structural similarity (Wang et al. 2004), Gaussian window (sigma 1.5), per channel,
    averaged over the image away from a 5-pixel border, then over channels and images.

    The settings of `skimage.metrics.structural_similarity(gaussian_weights=True,
    sigma=1.5, use_sample_covariance=False, data_range=2)`, which it matches.
    """
    images, targets = check_pair(images, targets)
    sigma = (0, SSIM_SIGMA, SSIM_SIGMA, 0)

    def blur(x):
        return ndimage.gaussian_filter(x, sigma, mode="reflect", truncate=SSIM_TRUNCATE)

    mean_x, mean_y = blur(images), blur(targets)
    var_x = blur(images * images) - mean_x**2
    var_y = blur(targets * targets) - mean_y**2
    cov = blur(images * targets) - mean_x * mean_y
    c1, c2 = (SSIM_K1 * DATA_RANGE) ** 2, (SSIM_K2 * DATA_RANGE) ** 2
    ssim_map = ((2 * mean_x * mean_y + c1) * (2 * cov + c2)) / (
        (mean_x**2 + mean_y**2 + c1) * (var_x + var_y + c2)
    )
    border = ssim_radius()
    if min(images.shape[1:3]) <= 2 * border:
        raise InvalidArgumentError(f"SSIM needs images larger than {2 * border} pixels a side.")
    return float(ssim_map[:, border:-border, border:-border].mean())
