"""`ganzoo import-torch CHECKPOINT`: a preset from a generator of the reference repo
(pytorch-CycleGAN-and-pix2pix), read with PyTorch."""

import pathlib

from ganzoo.cli.common import at_least

NAME = "import-torch"
HELP = "write a preset from a pytorch-CycleGAN-and-pix2pix generator (.pth; needs torch)"


def add_arguments(parser):
    parser.add_argument("checkpoint", type=pathlib.Path, help="the generator's state dict")
    parser.add_argument(
        "--family",
        choices=("pix2pix", "cyclegan"),
        required=True,
        help="the reference's --model the checkpoint was trained with",
    )
    parser.add_argument(
        "--generator",
        help="the reference's --netG (default: unet_256 for pix2pix, resnet_9blocks for cyclegan)",
    )
    parser.add_argument(
        "--norm",
        choices=("batch", "instance"),
        help="the reference's --norm (default: the checkpoint's)",
    )
    parser.add_argument(
        "--b-to-a",
        type=pathlib.Path,
        metavar="CHECKPOINT",
        help="a CycleGAN's other generator (netG_B), when you have it",
    )
    parser.add_argument(
        "--image-size",
        type=at_least(1),
        default=256,
        metavar="PIXELS",
        help="the square images the preset is built for (the reference's --crop_size; "
        "default 256); translate pads other sizes",
    )
    parser.add_argument("--out", type=pathlib.Path, help="preset folder (default: next to it)")


def run(args):
    from ganzoo.zoo.torch_checkpoints import import_torch as write_preset  # local: Keras

    preset = write_preset(
        args.checkpoint,
        args.family,
        args.generator,
        out=args.out,
        norm=args.norm,
        b_to_a=args.b_to_a,
        image_size=args.image_size,
    )
    print(f"wrote {preset} (ganzoo translate {preset} IMAGES --out FOLDER)")
    if args.family == "cyclegan" and args.b_to_a is None:
        print("its B -> A generator is not imported (keeps its initial weights): pass --b-to-a")
