"""tensorflowjs_converter with graph rewrites of its own, run as a process of its own:

    python -m export.graph_rewrites CONVERTER_ARGUMENTS

TF.js runs every op of a graph model as a kernel with a fixed cost of its own (10-15 µs on
wasm here), so fewer ops run faster. The converter fuses a convolution with the bias and
activation after it, but Keras 3 writes some layers in forms it does not recognise, and their ops
stay apart. The rewrites:
- a depthwise convolution's batch normalisation is a multiply and an add, not the FusedBatchNorm
  op the converter folds: the scale goes into the kernel, and the add becomes a fused bias;
- hard-sigmoid's `+ 3` after the squeeze-excite convolution goes into its bias, which also keeps
  every fused bias one value per channel (wasm rejects a single value);
- Rescaling before the compact CNN's first convolution (x / 255 + 0) goes into its kernel;
- Flatten's reshape to [batch size read from the tensor's shape, n] becomes one to [-1, n];
- grey repeated to three channels for an RGB backbone is a broadcast multiply, not a ConcatV2,
  a slow kernel on wasm (1.4-1.9 ms for a 64x64 image on this machine); the converter then merges
  that multiply into the backbone's own rescaling.
They run in the converter's place for folding batch normalisation, after its first grappler pass
(constants folded) and before it fuses ops. The tensorflowjs version is pinned (constraints.txt),
and the export's parity check on every backend proves the rewritten graph computes what Keras
does.
"""

from __future__ import annotations

import sys
from typing import TypeAlias

import numpy as np
from tensorflow.core.framework import graph_pb2, node_def_pb2, types_pb2
from tensorflow.python.framework import tensor_util
from tensorflowjs.converters import converter, fold_batch_norms

NodeDef: TypeAlias = node_def_pb2.NodeDef  # protobuf's generated class (untyped: Any)

CONTRACTIONS = {"Conv2D", "DepthwiseConv2dNative", "MatMul"}
ADDS = {"Add", "AddV2", "BiasAdd"}
# The converter's own step, which the rewrites follow.
FOLD_BATCH_NORMS = fold_batch_norms.fold_batch_norms


class Graph:
    """A GraphDef's nodes by name, and which nodes read each."""

    def __init__(self, graph_def: graph_pb2.GraphDef) -> None:
        self.graph_def = graph_def
        self.nodes = {node.name: node for node in graph_def.node}
        self.readers: dict[str, list[NodeDef]] = {}
        for node in graph_def.node:
            for name in node.input:
                self.readers.setdefault(node_name(name), []).append(node)
        self.removed: set[str] = set()

    def node(self, name: str) -> NodeDef | None:
        return self.nodes.get(node_name(name))

    def only_reader(self, node: NodeDef) -> NodeDef | None:
        readers = self.readers.get(node.name, [])
        return readers[0] if len(readers) == 1 else None

    def constant(self, name: str) -> np.ndarray | None:
        node = self.node(name)
        if node is None or node.op != "Const":
            return None
        return tensor_util.MakeNdarray(node.attr["value"].tensor)

    def new_constant(self, name: str, value: np.ndarray, dtype: type = np.float32) -> str:
        node = self.graph_def.node.add(name=name, op="Const")
        node.attr["dtype"].type = types_pb2.DT_INT32 if dtype is np.int32 else types_pb2.DT_FLOAT
        node.attr["value"].tensor.CopyFrom(tensor_util.make_tensor_proto(value.astype(dtype)))
        self.nodes[name] = node
        return name

    def bypass(self, node: NodeDef, by: str) -> None:
        """`node`'s readers read `by` instead, and `node` goes."""
        readers = self.readers.pop(node.name, [])
        for reader in readers:
            reader.input[:] = [by if name == node.name else name for name in reader.input]
        self.readers[by] = [r for r in self.readers.get(by, []) if r is not node] + readers
        self.removed.add(node.name)

    def pruned(self) -> graph_pb2.GraphDef:
        """The graph without removed nodes and the constants nothing reads any more (they would
        be written into the weight files)."""
        read = {node_name(name) for node in self.graph_def.node
                if node.name not in self.removed for name in node.input}
        kept = [node for node in self.graph_def.node if node.name not in self.removed
                and (node.op != "Const" or node.name in read)]
        del self.graph_def.node[:]
        self.graph_def.node.extend(kept)
        return self.graph_def


def node_name(input_name: str) -> str:
    """The node an input names: "^a" (a control input) and "a:1" (an output) are both "a"."""
    return input_name.lstrip("^").split(":")[0]


def constant_operand(graph: Graph, node: NodeDef) -> tuple[NodeDef, np.ndarray] | None:
    """(the other operand's node, the constant) of a binary op with one constant operand."""
    if len(node.input) != 2:
        return None
    for const_at in (1, 0):
        value = graph.constant(node.input[const_at])
        other = graph.node(node.input[1 - const_at])
        if value is not None and other is not None and other.op != "Const":
            return other, value
    return None


def output_channels(graph: Graph, contraction: NodeDef) -> int:
    kernel = graph.constant(contraction.input[1])
    if contraction.op == "DepthwiseConv2dNative":
        return kernel.shape[2] * kernel.shape[3]
    if contraction.op == "MatMul" and contraction.attr["transpose_b"].b:
        return kernel.shape[0]
    return kernel.shape[-1]


def drop_zero_offsets(graph: Graph) -> None:
    """x + 0 (Rescaling without an offset) goes."""
    for node in list(graph.graph_def.node):
        operand = constant_operand(graph, node) if node.op in ADDS else None
        if operand is not None and operand[1].shape == () and operand[1] == 0:
            graph.bypass(node, operand[0].name)


def fold_scales_into_depthwise_kernels(graph: Graph) -> None:
    """DepthwiseConv2dNative -> Mul(one scale per channel) becomes one depthwise convolution."""
    for node in list(graph.graph_def.node):
        operand = constant_operand(graph, node) if node.op == "Mul" else None
        if operand is None or operand[0].op != "DepthwiseConv2dNative":
            continue
        conv, scale = operand
        kernel = graph.constant(conv.input[1])
        if kernel is None or graph.only_reader(conv) is not node:
            continue
        if scale.shape != (kernel.shape[2] * kernel.shape[3],):
            continue
        conv.input[1] = graph.new_constant(
            f"{conv.name}/scaled_kernel", kernel * scale.reshape(kernel.shape[2:]))
        graph.bypass(node, conv.name)


def fold_scalars_into_biases(graph: Graph) -> None:
    """A scalar added after a convolution or matmul, or after its bias, becomes one bias value per
    channel, which the converter then fuses into it."""
    for node in list(graph.graph_def.node):
        operand = constant_operand(graph, node) if node.op in ADDS else None
        if operand is None or operand[1].shape != () or graph.only_reader(operand[0]) is not node:
            continue
        before, scalar = operand
        if before.op in CONTRACTIONS:
            bias = np.full(output_channels(graph, before), scalar)
            node.input[:] = [before.name, graph.new_constant(f"{node.name}/per_channel", bias)]
            continue
        bias_add = constant_operand(graph, before) if before.op in ADDS else None
        if bias_add is not None and bias_add[0].op in CONTRACTIONS and bias_add[1].ndim == 1:
            contraction, bias = bias_add
            before.input[:] = [contraction.name,
                               graph.new_constant(f"{before.name}/plus_scalar", bias + scalar)]
            graph.bypass(node, before.name)


def fold_input_scales_into_kernels(graph: Graph) -> None:
    """Conv2D(x * scalar) becomes Conv2D(x) with the kernel scaled: a convolution is linear, and
    its padding zeros stay zeros."""
    for node in list(graph.graph_def.node):
        operand = constant_operand(graph, node) if node.op == "Mul" else None
        conv = graph.only_reader(node) if operand is not None else None
        if conv is None or conv.op != "Conv2D" or operand[1].shape != ():
            continue
        kernel = graph.constant(conv.input[1])
        if kernel is None or conv.input[0] != node.name:
            continue
        conv.input[1] = graph.new_constant(f"{conv.name}/scaled_kernel", kernel * operand[1])
        graph.bypass(node, operand[0].name)


def constant_flatten_shapes(graph: Graph) -> None:
    """Reshape(x, Pack(Shape(x)[0], n...)), Flatten's, becomes Reshape(x, [-1, n...])."""
    for node in list(graph.graph_def.node):
        pack = graph.node(node.input[1]) if node.op == "Reshape" else None
        if pack is None or pack.op != "Pack" or graph.only_reader(pack) is not node:
            continue
        batch_size, *sizes = pack.input
        sizes = [graph.constant(size) for size in sizes]
        chain = batch_size_chain(graph, batch_size, of=node.input[0])
        if chain is None or any(size is None or size.shape != () for size in sizes):
            continue
        shape = graph.new_constant(f"{node.name}/constant_shape", np.array([-1, *sizes]),
                                   np.int32)
        node.input[1] = shape
        graph.removed |= {pack.name, *(link.name for link in chain)}


def batch_size_chain(graph: Graph, name: str, of: str) -> list[NodeDef] | None:
    """[StridedSlice, Shape] when `name` is Shape(`of`)[0] and read by nothing else."""
    strided_slice = graph.node(name)
    if strided_slice is None or strided_slice.op != "StridedSlice":
        return None
    shape = graph.node(strided_slice.input[0])
    if shape is None or shape.op != "Shape" or shape.input[0] != of:
        return None
    bounds = [graph.constant(bound) for bound in strided_slice.input[1:]]
    if any(bound is None for bound in bounds) or [b.tolist() for b in bounds] != [[0], [1], [1]]:
        return None
    masks = {key: strided_slice.attr[key].i for key in (
        "begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")}
    if masks != {**dict.fromkeys(masks, 0), "shrink_axis_mask": 1}:
        return None
    if graph.only_reader(strided_slice) is None or graph.only_reader(shape) is not strided_slice:
        return None
    return [strided_slice, shape]


def broadcast_grey_to_rgb(graph: Graph) -> None:
    """ConcatV2 of a one-channel input with itself along its channels becomes a Mul by ones."""
    for node in list(graph.graph_def.node):
        if node.op != "ConcatV2":
            continue
        *parts, axis = node.input
        source = graph.node(parts[0])
        if len(set(parts)) != 1 or source is None or source.op != "Placeholder":
            continue
        dims = source.attr["shape"].shape.dim
        if not dims or dims[-1].size != 1 or graph.constant(axis) not in (-1, len(dims) - 1):
            continue
        ones = graph.new_constant(f"{node.name}/ones", np.ones(len(parts)))
        dtype = node.attr["T"].type
        node.op = "Mul"
        node.input[:] = [parts[0], ones]
        node.ClearField("attr")
        node.attr["T"].type = dtype


def fold_batch_norms_and_more(graph_def: graph_pb2.GraphDef) -> graph_pb2.GraphDef:
    graph = Graph(FOLD_BATCH_NORMS(graph_def))
    drop_zero_offsets(graph)
    fold_scales_into_depthwise_kernels(graph)
    fold_scalars_into_biases(graph)
    fold_input_scales_into_kernels(graph)
    constant_flatten_shapes(graph)
    broadcast_grey_to_rgb(graph)
    return graph.pruned()


if __name__ == "__main__":
    # The converter calls its step as fold_batch_norms.fold_batch_norms(graph_def).
    fold_batch_norms.fold_batch_norms = fold_batch_norms_and_more
    # Its console script joins its arguments with spaces and splits them again, which breaks any
    # path with a space; convert() takes the list as given.
    converter.convert(sys.argv[1:])
