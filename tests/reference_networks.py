"""The generators of pytorch-CycleGAN-and-pix2pix (models/networks.py), in PyTorch, with
the reference's module structure, so that their state dicts have the keys and the order
of the checkpoints it publishes: `UnetGenerator` (nested `UnetSkipConnectionBlock`s,
`model.model.1.model...`) and `ResnetGenerator` (one `nn.Sequential` with
`ResnetBlock`s holding `conv_block`s). Used to test `ganzoo.zoo.torch_checkpoints`."""

import functools

import torch
from torch import nn


def norm_layer(norm):
    """The reference's `get_norm_layer`: batch norm with affine parameters and running
    statistics, or instance norm without either."""
    if norm == "batch":
        return functools.partial(nn.BatchNorm2d, affine=True, track_running_stats=True)
    return functools.partial(nn.InstanceNorm2d, affine=False, track_running_stats=False)


def uses_bias(norm_layer):
    return norm_layer.func == nn.InstanceNorm2d


class UnetSkipConnectionBlock(nn.Module):
    """One level: down-convolution, the inner levels, up-convolution, and the skip."""

    def __init__(self, outer, inner, input_nc=None, submodule=None, outermost=False,
                 innermost=False, norm_layer=None, use_dropout=False):  # fmt: skip
        super().__init__()
        self.outermost = outermost
        bias = uses_bias(norm_layer)
        input_nc = outer if input_nc is None else input_nc
        downconv = nn.Conv2d(input_nc, inner, kernel_size=4, stride=2, padding=1, bias=bias)
        downrelu, downnorm = nn.LeakyReLU(0.2, True), norm_layer(inner)
        uprelu, upnorm = nn.ReLU(True), norm_layer(outer)
        if outermost:
            upconv = nn.ConvTranspose2d(inner * 2, outer, kernel_size=4, stride=2, padding=1)
            model = [downconv, submodule, uprelu, upconv, nn.Tanh()]
        elif innermost:
            upconv = nn.ConvTranspose2d(inner, outer, 4, stride=2, padding=1, bias=bias)
            model = [downrelu, downconv, uprelu, upconv, upnorm]
        else:
            upconv = nn.ConvTranspose2d(inner * 2, outer, 4, stride=2, padding=1, bias=bias)
            model = [downrelu, downconv, downnorm, submodule, uprelu, upconv, upnorm]
            if use_dropout:
                model.append(nn.Dropout(0.5))
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)


class UnetGenerator(nn.Module):
    def __init__(self, input_nc, output_nc, num_downs, ngf=64, norm="batch", use_dropout=True):
        super().__init__()
        norm = norm_layer(norm)
        block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, norm_layer=norm, innermost=True)
        for _ in range(num_downs - 5):
            block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, submodule=block, norm_layer=norm,
                                            use_dropout=use_dropout)  # fmt: skip
        for outer in (4, 2, 1):
            block = UnetSkipConnectionBlock(ngf * outer, ngf * outer * 2, submodule=block,
                                            norm_layer=norm)  # fmt: skip
        self.model = UnetSkipConnectionBlock(output_nc, ngf, input_nc=input_nc, submodule=block,
                                             outermost=True, norm_layer=norm)  # fmt: skip

    def forward(self, x):
        return self.model(x)


class ResnetBlock(nn.Module):
    def __init__(self, dim, norm_layer, use_dropout, use_bias):
        super().__init__()
        block = [nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=use_bias), norm_layer(dim),
                 nn.ReLU(True)]  # fmt: skip
        if use_dropout:
            block.append(nn.Dropout(0.5))
        block += [nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=use_bias), norm_layer(dim)]
        self.conv_block = nn.Sequential(*block)

    def forward(self, x):
        return x + self.conv_block(x)


class ResnetGenerator(nn.Module):
    def __init__(self, input_nc, output_nc, ngf=64, norm="instance", use_dropout=False,
                 n_blocks=9):  # fmt: skip
        super().__init__()
        norm = norm_layer(norm)
        bias = uses_bias(norm)
        model = [nn.ReflectionPad2d(3), nn.Conv2d(input_nc, ngf, 7, bias=bias), norm(ngf),
                 nn.ReLU(True)]  # fmt: skip
        for i in range(2):
            mult = 2**i
            model += [nn.Conv2d(ngf * mult, ngf * mult * 2, 3, stride=2, padding=1, bias=bias),
                      norm(ngf * mult * 2), nn.ReLU(True)]  # fmt: skip
        model += [ResnetBlock(ngf * 4, norm, use_dropout, bias) for _ in range(n_blocks)]
        for i in range(2):
            mult = 2 ** (2 - i)
            model += [nn.ConvTranspose2d(ngf * mult, ngf * mult // 2, 3, stride=2, padding=1,
                                         output_padding=1, bias=bias),
                      norm(ngf * mult // 2), nn.ReLU(True)]  # fmt: skip
        model += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, output_nc, 7), nn.Tanh()]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x)


def randomized(network, seed=0):
    """`network` with random weights and, for batch norms, random running statistics
    (as a trained network has), in eval mode."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in network.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            values = torch.randn(tensor.shape, generator=generator) * 0.1
            if name.endswith("running_var"):
                values = 0.5 + torch.rand(tensor.shape, generator=generator)
            elif name.endswith("weight") and tensor.ndim == 1:
                values = 1.0 + values
            tensor.copy_(values)
    return network.eval()
