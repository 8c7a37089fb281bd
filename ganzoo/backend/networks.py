"""How a train step calls its networks: through Keras (`call_network`), or on the
eager torch backend node by node through each layer's own `call` (`LayerGraph`).

Keras' `Layer.__call__` resolves the call's arguments, masks, dtypes and autocast
scope on every call: two thirds of the Python calls of an eager torch step (a DCGAN
step: 48,278 through Keras' layer calls, 16,358 through `call`; `python -m benchmarks
torch_step`). A compiled step (TensorFlow, JAX) pays that once, while tracing; the
eager torch step pays it at every layer of every step, and on a GPU the device waits
for it (a CycleGAN step calls 540 layers). For a functional network of built layers
that originate no masks, carry no activity regularizer and compute in their
variables' dtype, `__call__` does nothing but call `call`, so the graph runs straight
through the layers' `call`.
"""

import keras
from keras.src import backend as keras_backend
from keras.src.models.functional import Functional


def call_network(network, inputs, training):
    """`network(inputs, training=training)`: Keras' layer calls."""
    return network(inputs, training=training)


class LayerGraph:
    """A functional network's nodes in Keras' order (deepest first), each run as its
    layer's `call`; `LayerGraph.of(network)` is None where Keras' `__call__` would do
    more than that for some layer."""

    def __init__(self, network):
        self.inputs = list(network.inputs)
        self.outputs = [id(x) for x in network.outputs]
        self.single_output = len(network.outputs) == 1
        self.output_structure = network._outputs_struct
        depths = network._nodes_by_depth
        self.nodes = [
            node
            for depth in sorted(depths, reverse=True)
            for node in depths[depth]
            if node.operation is not None and not node.is_input
        ]
        self.argument_plans = [argument_plan(node) for node in self.nodes]

    @classmethod
    def of(cls, network):
        """The network's `LayerGraph`, or None where some layer needs `__call__`. The
        inputs are one tensor or a list (Keras maps dicts by name) and every float
        in the graph is in the network's compute dtype (Keras casts between others)."""
        if not isinstance(network, Functional) or isinstance(network._inputs_struct, dict):
            return None
        graph = cls(network)
        dtype = network.compute_dtype
        floats = [x.dtype for x in graph.inputs if keras_backend.is_float_dtype(x.dtype)]
        if all(d == dtype for d in floats) and all(plain_call(n, dtype) for n in graph.nodes):
            return graph
        return None

    def takes(self, inputs):
        """Whether the flat `inputs` are what Keras' `Functional.call` would pass on
        unchanged: one tensor for each input, of its rank and dtype, outside Keras'
        autocast and stateless scopes."""
        return (
            len(inputs) == len(self.inputs)
            and all(
                keras_backend.is_tensor(x)
                and len(x.shape) == len(spec.shape)
                and keras_backend.standardize_dtype(x.dtype) == spec.dtype
                for x, spec in zip(inputs, self.inputs, strict=True)
            )
            and keras_backend.get_autocast_scope() is None
            and not keras_backend.in_stateless_scope()
        )

    def run(self, inputs, training):
        """The network's outputs for the flat `inputs` (`takes`), as `network(inputs,
        training=training)` returns them."""
        values = {id(spec): x for spec, x in zip(self.inputs, inputs, strict=True)}
        for node, plan in zip(self.nodes, self.argument_plans, strict=True):
            layer = node.operation
            if plan is None:
                args, kwargs = node.arguments.fill_in(values)
            else:  # without Keras' walk over the arguments' structure
                ids, as_list, kwargs = plan
                tensors = [values[i] for i in ids]
                args = (tensors if as_list else tensors[0],)
            if layer._call_has_training_arg and training is not None:
                kwargs = {**kwargs, "training": training}
            outputs = layer.call(*args, **kwargs)
            if len(node.outputs) == 1:
                values[id(node.outputs[0])] = outputs
            else:
                for spec, x in zip(node.outputs, keras.tree.flatten(outputs), strict=True):
                    values[id(spec)] = x
        outputs = [values[i] for i in self.outputs]
        if self.single_output:
            return outputs[0]
        return keras.tree.pack_sequence_as(self.output_structure, outputs)


def plain_call(node, dtype):
    """Whether Keras' `__call__` of the node's layer does nothing but call `call`: a
    built layer without sublayers, computing in `dtype`, its variables' dtype, with no
    activity regularizer, whose outputs carry no mask."""
    layer = node.operation
    return (
        isinstance(layer, keras.layers.Layer)
        and not isinstance(layer, keras.layers.InputLayer)
        and layer.built
        and not layer._layers
        and layer.compute_dtype == layer.variable_dtype == dtype
        and layer.activity_regularizer is None
        and all(getattr(x, "_keras_mask", None) is None for x in node.outputs)
    )


def argument_plan(node):
    """How to call a node's layer where its one positional argument is a tensor or a
    list of tensors (a merge layer's) and its keyword arguments hold no tensors (a
    batch norm's `mask=None`, a dropout's `training=True`): `(the tensors' ids, whether
    they are a list, the keyword arguments)`; None otherwise."""
    args, kwargs = node.arguments.args, node.arguments.kwargs
    if len(args) != 1 or any(isinstance(x, keras.KerasTensor) for x in keras.tree.flatten(kwargs)):
        return None
    as_list = isinstance(args[0], list)
    tensors = args[0] if as_list else [args[0]]
    if not all(isinstance(x, keras.KerasTensor) for x in tensors):
        return None
    return [id(x) for x in tensors], as_list, dict(kwargs)
