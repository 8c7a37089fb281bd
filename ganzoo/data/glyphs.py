"""Glyph images rendered from the TrueType fonts shipped inside matplotlib (offline).

- `load_font_pairs`: the same character in two fonts, for Pix2Pix (font A -> font B),
  black ink on white. Characters are split by base letter (a, á, à go to one split),
  so test characters are letters the model never saw in any accent.
- `load_typeset_digits`: digits 0-9 typeset in 22 fonts, normalised as MNIST is (fitted
  into a 20x20 box, centred by centre of mass in 28x28, white on black), for CycleGAN
  between handwriting (`load_mnist5k`) and type. Test fonts are held out.

Fonts: DejaVu (Bitstream Vera licence, free to use and redistribute), STIX (SIL Open
Font License 1.1) and the Computer Modern fonts of BaKoMa (free, with attribution),
as distributed in matplotlib/mpl-data/fonts/ttf with their licence files.
"""

import functools
import pathlib
import unicodedata

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ganzoo.data.splits import split_mask
from ganzoo.errors import InvalidArgumentError

SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")

# Text fonts of matplotlib whose "0"-"9" are digits (cmex10 and cmsy10 map them to
# symbols); every fifth, from the second, is a test font.
DIGIT_FONTS = (
    "DejaVuSans",
    "DejaVuSans-Bold",
    "DejaVuSans-Oblique",
    "DejaVuSans-BoldOblique",
    "DejaVuSansMono",
    "DejaVuSansMono-Bold",
    "DejaVuSansMono-Oblique",
    "DejaVuSansMono-BoldOblique",
    "DejaVuSerif",
    "DejaVuSerif-Bold",
    "DejaVuSerif-Italic",
    "DejaVuSerif-BoldItalic",
    "STIXGeneral",
    "STIXGeneralBol",
    "STIXGeneralItalic",
    "STIXGeneralBolIta",
    "cmr10",
    "cmb10",
    "cmss10",
    "cmtt10",
    "cmti10",
    "cmmi10",
)


def font_path(name):
    """Path of a matplotlib font by file stem ("DejaVuSans", "cmr10", ...)."""
    import matplotlib  # local: slow to import; only the glyph data sets need it

    folder = pathlib.Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    path = folder / f"{name}.ttf"
    if not path.is_file():
        names = sorted(p.stem for p in folder.glob("*.ttf"))
        raise InvalidArgumentError(f"No font {name!r} in matplotlib. Fonts: {names}.")
    return path


@functools.cache
def font_characters(name):
    """The letters and digits of SCRIPTS that font `name` has a glyph for."""
    from matplotlib.ft2font import FT2Font  # local: as in font_path

    characters = []
    for code in sorted(FT2Font(str(font_path(name))).get_charmap()):
        char = chr(code)
        if unicodedata.category(char) in ("Lu", "Ll", "Nd") and (
            unicodedata.name(char, "").split(" ")[0] in SCRIPTS or char.isascii()
        ):
            characters.append(char)
    return characters


def render(char, font, canvas, baseline):
    """uint8 `(canvas, canvas)` image of `char` (ink 255 on 0), centred horizontally on
    its ink with its baseline at row `baseline`; None if the ink is empty or clipped."""
    image = Image.new("L", (canvas, canvas), 0)
    left, _, right, _ = font.getbbox(char, anchor="ls")
    ImageDraw.Draw(image).text(
        ((canvas - (right - left)) / 2 - left, baseline), char, fill=255, font=font, anchor="ls"
    )
    pixels = np.asarray(image)
    if (
        not pixels.any()
        or pixels[0].any()
        or pixels[-1].any()
        or pixels[:, 0].any()
        or pixels[:, -1].any()
    ):
        return None
    return pixels


def base_letter(char):
    """The letter a character is built on: "á" -> "a", "Ä" -> "a"."""
    return unicodedata.normalize("NFD", char)[0].lower()


def keys_split_mask(keys, split):
    """Mask of the `split` rows (`ganzoo.data.splits`) for a list of group keys, the
    groups numbered in sorted order; the second of every five is "test"."""
    groups = {key: i for i, key in enumerate(sorted(set(keys)))}
    return split_mask([groups[key] for key in keys], split, test_group=1)


def rendered_once(load):
    """`load` (rendering from fixed fonts and seeds, so the same arguments give the same
    arrays) renders once a process for each arguments: scoring runs it at every epoch.
    Each call gets copies, which the caller may change."""
    rendered = functools.lru_cache(maxsize=8)(load)

    @functools.wraps(load)
    def copies(*args, **kwargs):
        try:
            arrays = rendered(*args, **kwargs)
        except TypeError:  # an unhashable argument: the loader's own checks answer
            arrays = load(*args, **kwargs)
        return tuple(x.copy() for x in arrays)

    return copies


@rendered_once
def load_font_pairs(split="train", size=32, source="DejaVuSans", target="DejaVuSerif-BoldItalic"):
    """The letters and digits both fonts have, rendered in each: Pix2Pix font transfer.

    Each glyph sits on a shared baseline at a fixed point size (so "o" stays smaller
    than "O"), centred on its ink. Characters whose ink would be clipped in either
    font are left out. The defaults give 1,241 train and 195 test pairs at 32 px.

    Args:
        split: "train", "test" (every fifth base letter, with all its accented
            forms), "validation", "train_without_validation" or "all"
            (`ganzoo.data.splits`).
        size: image side in pixels. Defaults to 32.
        source, target: matplotlib font names (`font_path`).

    Returns:
        inputs, targets: float32 `(n, size, size, 1)` in [-1, 1], black ink (-1) on
            white (+1); row i of each is character `characters[i]`.
        characters: list of the n characters.
    """
    fonts = [
        ImageFont.truetype(str(font_path(name)), round(size * 0.6)) for name in (source, target)
    ]
    shared = sorted(set(font_characters(source)) & set(font_characters(target)))
    baseline = round(size * 0.7)
    characters, inputs, targets = [], [], []
    for char in shared:
        rendered = [render(char, font, size, baseline) for font in fonts]
        if all(r is not None for r in rendered):
            characters.append(char)
            inputs.append(rendered[0])
            targets.append(rendered[1])
    keep = keys_split_mask([base_letter(c) for c in characters], split)
    inputs, targets = (1.0 - np.stack(x)[keep, ..., None] / 127.5 for x in (inputs, targets))
    return (
        inputs.astype(np.float32),
        targets.astype(np.float32),
        [c for c, k in zip(characters, keep, strict=True) if k],
    )


def mnist_normalised(ink, box=20, size=28):
    """An ink image fitted into a `box` square (aspect kept, antialiased) and placed in
    a `size` square with its centre of mass at the centre, as MNIST was made."""
    rows, cols = np.nonzero(ink)
    ink = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = box / max(ink.shape)
    shape = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
    fitted = np.asarray(Image.fromarray(ink).resize(shape, Image.LANCZOS), np.float32)
    fitted = np.clip(fitted, 0, 255)
    weights = fitted / fitted.sum()
    centre = [(weights.sum(1 - axis) * np.arange(fitted.shape[axis])).sum() for axis in (0, 1)]
    top, left = (
        int(np.clip(round(size / 2 - c), 0, size - n))
        for c, n in zip(centre, fitted.shape, strict=True)
    )
    out = np.zeros((size, size), np.float32)
    out[top : top + fitted.shape[0], left : left + fitted.shape[1]] = fitted
    return out


@rendered_once
def load_typeset_digits(split="train", variants=8, seed=0):
    """Digits 0-9 typeset in `DIGIT_FONTS`, made as MNIST digits are.

    Each (font, digit) is rendered `variants` times with a random rotation in
    [-12, 12] degrees and a random box of 16-20 px (deterministic for `seed`), then
    MNIST-normalised. Splits hold out fonts (`ganzoo.data.splits`): "test" is every
    fifth font (5 of 22), "validation" 4 of the 17 "train" fonts.

    Returns:
        images: float32 `(n, 28, 28, 1)` in [-1, 1], white digit (+1) on black (-1);
            n is 17 x 10 x variants for "train", 5 x 10 x variants for "test",
            4 x 10 x variants for "validation".
        labels: int32 `(n,)` digit values.
    """
    rng = np.random.default_rng(seed)
    keep = keys_split_mask(list(DIGIT_FONTS), split)
    images, labels = [], []
    for name, kept in zip(DIGIT_FONTS, keep, strict=True):
        font = ImageFont.truetype(str(font_path(name)), 64)
        for digit in range(10):
            ink = Image.fromarray(render(str(digit), font, 128, 96))
            for _ in range(variants):
                angle, box = rng.uniform(-12, 12), rng.integers(16, 21)
                if kept:
                    rotated = np.asarray(ink.rotate(angle, Image.BICUBIC))
                    images.append(mnist_normalised(rotated, box))
                    labels.append(digit)
    images = np.stack(images)[..., None] / 127.5 - 1.0
    return images.astype(np.float32), np.array(labels, np.int32)
