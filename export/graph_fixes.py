"""Rewrites of a converted graph model so that it runs on every TF.js backend."""

from __future__ import annotations

import base64

UNFUSED = {
    "_FusedConv2D": "Conv2D",
    "FusedDepthwiseConv2dNative": "DepthwiseConv2dNative",
    "_FusedMatMul": "MatMul",
}
KEPT_ATTRS = ("T", "strides", "padding", "data_format", "dilations", "explicit_paddings",
              "transpose_a", "transpose_b")
ACTIVATIONS = {"Relu", "Relu6", "Elu", "Sigmoid", "Tanh", "LeakyRelu"}


def unfuse_scalar_biases(model: dict) -> int:
    """Split fused nodes whose bias is a scalar into op, add and activation; return how many.

    The converter folds MobileNetV3's hard-sigmoid `+ 3` into a fused convolution as a rank-0 bias.
    WebGL and CPU broadcast it, but the wasm backend insists on a rank-1 bias ("FusedConv2D only
    supports rank-1 bias but got rank 0"). The weights stay untouched, quantized or not.
    """
    shapes = {w["name"]: w["shape"] for group in model["weightsManifest"] for w in group["weights"]}
    nodes, count = [], 0
    for node in model["modelTopology"]["node"]:
        args = [name for name in node.get("input", []) if not name.startswith("^")]
        fused_ops = _fused_ops(node)
        if (
            node["op"] not in UNFUSED
            or len(args) != 3
            or shapes.get(args[2]) != []
            or fused_ops[:1] != ["BiasAdd"]
            or not set(fused_ops[1:]) <= ACTIVATIONS
            or len(fused_ops) > 2
        ):
            nodes.append(node)
            continue
        nodes.extend(_unfused(node, args, fused_ops[1:]))
        count += 1
    model["modelTopology"]["node"] = nodes
    return count


def _fused_ops(node: dict) -> list[str]:
    encoded = node.get("attr", {}).get("fused_ops", {}).get("list", {}).get("s", [])
    return [base64.b64decode(s).decode() for s in encoded]


def _unfused(node: dict, args: list[str], activation: list[str]) -> list[dict]:
    name, attr = node["name"], node["attr"]
    controls = [name for name in node["input"] if name.startswith("^")]
    dtype = {"T": attr["T"]}
    core = {
        "name": f"{name}/unfused",
        "op": UNFUSED[node["op"]],
        "input": args[:2] + controls,
        "attr": {key: attr[key] for key in KEPT_ATTRS if key in attr},
    }
    add = {"name": f"{name}/bias" if activation else name, "op": "AddV2",
           "input": [core["name"], args[2]], "attr": dtype}
    if not activation:
        return [core, add]
    act_attr = dict(dtype)
    if activation[0] == "LeakyRelu":
        act_attr["alpha"] = attr["leakyrelu_alpha"]
    act = {"name": name, "op": activation[0], "input": [add["name"]], "attr": act_attr}
    return [core, add, act]
