"""Presets from the PyTorch generators that pytorch-CycleGAN-and-pix2pix publishes.

The reference repo (junyanz/pytorch-CycleGAN-and-pix2pix) publishes its trained
generators as state dicts, `latest_net_G.pth`: `PUBLISHED` lists them, and the
architecture each was trained with. `import_torch` reads one into the matching ganzoo
network, layer by layer, and writes a preset whose generator gives the reference
network's outputs (`translate`, eval mode: batch norm on its running statistics,
no dropout):

    preset = import_torch("horse2zebra.pth", "cyclegan", "resnet_9blocks", "presets/h2z")
    ganzoo.from_preset("presets/h2z").translate(horses)  # zebras

The state dict is read in its order, which is the order of the reference's modules
(a U-Net's down path, its innermost block, then the up path; a ResNet from its stem to
its last convolution), and ganzoo's networks create their layers in the same order.
Each convolution's weight goes to the layer in its place: PyTorch's `Conv2d` weight
`(out, in, kh, kw)` becomes Keras' kernel `(kh, kw, in, out)`, `ConvTranspose2d`'s
`(in, out, kh, kw)` becomes `(kh, kw, out, in)`; a `BatchNorm2d`'s weight, bias,
running mean and variance become gamma, beta and the moving statistics. The instance
norm the CycleGANs use has no parameters (old checkpoints hold its unused running
statistics, which are skipped, as the reference's loader does). Anything that does not
fit, kind or shape, is refused with the entry and layer where it happened.

Reading a `.pth` needs PyTorch (`pip install torch`, or `ganzoo[torch]`), on any Keras
backend; the preset it writes loads without it.
"""

import pathlib

from ganzoo.blocks.networks import parse_generator
from ganzoo.errors import InvalidArgumentError, MissingFileError, PresetError
from ganzoo.presets import save_preset, sha256

FAMILIES = ("pix2pix", "cyclegan")

# The reference's published generators, by the names of its download scripts
# (scripts/download_pix2pix_model.sh, download_cyclegan_model.sh): the pix2pix ones are
# unet_256 with batch norm, the CycleGAN ones resnet_9blocks with instance norm, each
# one direction. `PUBLISHED_URL[family].format(name=...)` downloads one.
PUBLISHED = {
    "pix2pix": ("facades_label2photo", "sat2map", "map2sat", "edges2shoes", "day2night"),
    "cyclegan": (
        "apple2orange",
        "orange2apple",
        "summer2winter_yosemite",
        "winter2summer_yosemite",
        "horse2zebra",
        "zebra2horse",
        "monet2photo",
        "style_monet",
        "style_cezanne",
        "style_ukiyoe",
        "style_vangogh",
        "sat2map",
        "map2sat",
        "cityscapes_photo2label",
        "cityscapes_label2photo",
        "facades_photo2label",
        "facades_label2photo",
        "iphone2dslr_flower",
    ),  # fmt: skip
}
PUBLISHED_URL = {
    "pix2pix": "http://efrosgans.eecs.berkeley.edu/pix2pix/models-pytorch/{name}.pth",
    "cyclegan": "http://efrosgans.eecs.berkeley.edu/cyclegan/pretrained_models/{name}.pth",
}
DEFAULT_GENERATOR = {"pix2pix": "unet_256", "cyclegan": "resnet_9blocks"}


def read_state_dict(path):
    """The arrays of a PyTorch state dict file, in its order: `{key: np.ndarray}`."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise MissingFileError(f"no checkpoint file {path}.")
    try:
        import torch  # local: only reading a .pth needs PyTorch
    except ImportError:
        raise InvalidArgumentError(
            f"reading {path} (a PyTorch checkpoint) needs PyTorch: pip install torch "
            '(or pip install "ganzoo[torch]"). The preset it writes loads without it.'
        ) from None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises pickle, zip and runtime errors alike
        # torch's own message is a bare key, or its `weights_only` advice in terminal
        # colours: the kind of error says enough.
        raise PresetError(
            f"{path} is not a PyTorch state dict (torch.load failed: {type(error).__name__}). "
            "Give the generator's .pth file as the reference repo saves it (latest_net_G.pth)."
        ) from None
    state = state.get("state_dict", state) if isinstance(state, dict) else state
    if not isinstance(state, dict) or not all(torch.is_tensor(v) for v in state.values()):
        raise PresetError(
            f"{path} holds a {type(state).__name__}, not a state dict of tensors (save "
            "one with torch.save(net.state_dict(), path), as the reference repo does)."
        )
    # A network saved from inside nn.DataParallel prefixes every key with "module.".
    return {key.removeprefix("module."): v.float().numpy() for key, v in state.items()}


def torch_modules(state, path):
    """The parameterised modules of a state dict, in order: `[(name, kind, params)]`,
    kind "conv" (a 4-D weight and maybe a bias) or "batch_norm"; parameter-free
    instance norms' running statistics and `num_batches_tracked` are skipped."""
    grouped = {}
    for key, value in state.items():
        module, _, param = key.rpartition(".")
        grouped.setdefault(module, {})[param] = value
    modules = []
    for name, params in grouped.items():
        params.pop("num_batches_tracked", None)
        weight = params.get("weight")
        if weight is None and set(params) <= {"running_mean", "running_var"}:
            continue  # InstanceNorm2d(affine=False) of PyTorch < 0.4
        if weight is not None and weight.ndim == 4 and set(params) <= {"weight", "bias"}:
            modules.append((name, "conv", params))
        elif set(params) == {"weight", "bias", "running_mean", "running_var"}:
            modules.append((name, "batch_norm", params))
        else:
            raise PresetError(
                f"{path}: module {name!r} holds {sorted(params)}, which is neither a "
                "convolution nor a batch norm of the reference's generators."
            )
    return modules


def keras_layers(network):
    """The layers of `network` that hold weights, in order: `[(layer, kind)]`."""
    import keras  # local: Keras starts a backend

    kinds = []
    for layer in network.layers:
        if not layer.weights:
            continue
        if isinstance(layer, keras.layers.BatchNormalization):
            kinds.append((layer, "batch_norm"))
        elif isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            kinds.append((layer, "conv"))
        else:
            raise PresetError(f"{network.name}: layer {layer.name} has no PyTorch counterpart.")
    return kinds


def load_generator(network, state, path, described):
    """Sets `network`'s weights from the state dict `state` (read from `path`), module
    by module; `described` names the architecture in errors."""
    modules = torch_modules(state, path)
    layers = keras_layers(network)

    def counts(kinds):
        return f"{kinds.count('conv')} convolutions and {kinds.count('batch_norm')} batch norms"

    if len(modules) != len(layers):
        raise PresetError(
            f"{path} is not a {described}: it has {counts([k for _, k, _ in modules])}, "
            f"the {described} {counts([k for _, k in layers])}. Check --generator and --norm "
            "against the options the checkpoint was trained with."
        )
    for (name, kind, params), (layer, expected) in zip(modules, layers, strict=True):
        if kind == "conv":
            values = [params["weight"].transpose(2, 3, 1, 0)]
            if "bias" in params:
                values.append(params["bias"])
        else:
            values = [params[k] for k in ("weight", "bias", "running_mean", "running_var")]
        wanted = [tuple(w.shape) for w in layer.weights]
        found = [v.shape for v in values]
        if kind != expected or wanted != found:
            raise PresetError(
                f"{path} is not a {described}: its {kind} {name!r} (shapes {found}, in Keras' "
                f"layout) meets the {expected} layer {layer.name!r} (shapes {wanted}). Check "
                "--generator, --norm and the channels."
            )
        layer.set_weights(values)


def infer_options(state, generator, path):
    """`(input_channels, output_channels, filters, norm)` of the generator in `state`."""
    modules = torch_modules(state, path)
    convs = [params["weight"] for _, kind, params in modules if kind == "conv"]
    if not convs:
        raise PresetError(f"{path} holds no convolution: it is not a generator.")
    first, last = convs[0], convs[-1]
    # A U-Net ends with a ConvTranspose2d (in, out, ...), a ResNet with a Conv2d (out, in, ...).
    output_channels = last.shape[1] if parse_generator(generator)[0] == "unet" else last.shape[0]
    norm = "batch" if any(kind == "batch_norm" for _, kind, _ in modules) else "instance"
    return first.shape[1], output_channels, first.shape[0], norm


def import_torch(
    checkpoint,
    family,
    generator=None,
    out=None,
    norm=None,
    b_to_a=None,
    image_size=256,
    overwrite=False,
):
    """Writes a ganzoo preset holding a reference PyTorch generator.

    Args:
        checkpoint: a `.pth` state dict of the reference's generator (`latest_net_G.pth`;
            for a CycleGAN, the A -> B direction, its `netG_A`).
        family: "pix2pix" or "cyclegan".
        generator: the reference's `--netG` ("unet_256", "resnet_9blocks", ...).
            Defaults to the family's published one (`DEFAULT_GENERATOR`).
        out: the preset folder. Defaults to the checkpoint's name without `.pth`.
        norm: the reference's `--norm`, "batch" or "instance". Defaults to the one the
            checkpoint holds (batch norms or none).
        b_to_a: a CycleGAN's other generator (`netG_B`), if you have it; the published
            CycleGAN models are one direction each, and without it the preset's B -> A
            generator keeps its initial weights (metadata `b_to_a_imported` false).
        image_size: the size the preset says it takes (any multiple of the
            generator's size unit translates). Defaults to 256, the reference's.
        overwrite: replace an existing `out`. Defaults to False.

    Returns:
        the preset folder.
    """
    from ganzoo.models import CycleGAN, Pix2Pix  # local: Keras starts a backend

    if family not in FAMILIES:
        raise InvalidArgumentError(f"family must be one of {FAMILIES}; received {family!r}.")
    generator = generator or DEFAULT_GENERATOR[family]
    parse_generator(generator)
    if b_to_a is not None and family != "cyclegan":
        raise InvalidArgumentError("b_to_a is a CycleGAN's second generator; family is pix2pix.")
    path = pathlib.Path(checkpoint)
    state = read_state_dict(path)
    in_channels, out_channels, filters, found_norm = infer_options(state, generator, path)
    if norm is not None and norm != found_norm:
        raise PresetError(
            f"{path} was trained with {found_norm} norm ("
            + ("it holds batch norms" if found_norm == "batch" else "it holds no batch norm")
            + f"), not norm={norm!r}. Leave --norm out, or give {found_norm!r}."
        )
    options = {
        "image_size": (image_size, image_size),
        "input_channels": int(in_channels),
        "output_channels": int(out_channels),
        "generator": generator,
        "generator_filters": int(filters),
        "norm": found_norm,
    }
    described = f"{generator} generator with {found_norm} norm"
    if family == "cyclegan" and in_channels != out_channels:
        options["identity_weight"] = 0.0  # as the reference: its identity loss needs equal channels
    model = (Pix2Pix if family == "pix2pix" else CycleGAN)(**options)
    first = model.generator if family == "pix2pix" else model.generator_ab
    load_generator(first, state, path, described)
    sources = {"checkpoint": path.name, "sha256": sha256(path)}
    if family == "cyclegan":
        sources["b_to_a_imported"] = b_to_a is not None
        if b_to_a is not None:
            other = pathlib.Path(b_to_a)
            load_generator(model.generator_ba, read_state_dict(other), other, described)
            sources.update(b_to_a=other.name, b_to_a_sha256=sha256(other))
    out = pathlib.Path(out) if out else path.with_suffix("")
    metadata = {
        "description": f"{family} {generator} ({found_norm} norm) imported from {path.name}, "
        "a pytorch-CycleGAN-and-pix2pix generator; the discriminators are not trained.",
        "imported_from": sources,
    }
    return save_preset(model, out, metadata, overwrite=overwrite)
