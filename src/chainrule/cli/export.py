"""``chainrule export``: write a trained model as ONNX, preprocessing included."""

from __future__ import annotations

from .output import Output
from .paths import check_output

HELP = "Export a model trained by 'chainrule train' to ONNX, with its preprocessing in the graph."
EXAMPLES = """examples:
  chainrule export chainrule-model/model.safetensors --onnx model.onnx"""


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL")
    parser.add_argument("--onnx", required=True, metavar="OUT.onnx", help="the ONNX file to write")


def run(args, out: Output) -> int:
    from ..files.onnx import export_model
    from ..nn.network import Network

    check_output("--onnx", args.onnx, {"the model": args.model})
    notes = export_model(Network.load(args.model), args.onnx, args.model)
    out.note(
        f"wrote {args.onnx}: one input per column of the table, outputs as 'chainrule predict' gives them"
    )
    for line in notes:
        out.note(line)
    return 0
