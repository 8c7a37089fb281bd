"""PyTorch gradient plumbing: autograd's `backward()` per phase, update under no_grad."""

import torch
from keras import ops


def train_step(model, data):
    for phase in model.phases():
        variables = phase.variables
        for _ in range(phase.repeats):
            model.zero_grad()
            loss, logs = phase.loss(data)
            loss.backward()
            grads = [v.value.grad for v in variables]
            with torch.no_grad():
                phase.optimizer.apply(grads, variables)
                model.update_trackers(logs)
    return model.tracker_results()


def input_gradients(fn, x):
    x = x.detach().requires_grad_(True)
    (grads,) = torch.autograd.grad(fn(x).sum(), x, create_graph=True)
    return grads


conv_transpose = ops.conv_transpose
