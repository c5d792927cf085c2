"""``chainrule export``: write a trained model as ONNX, preprocessing included."""

from __future__ import annotations

from .output import Output
from .paths import MODEL_HELP, check_output, model_path

HELP = "Export a model trained by 'chainrule train' to ONNX, with its preprocessing in the graph."
EXAMPLES = """examples:
  chainrule export chainrule-model/model.safetensors --onnx model.onnx"""


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL", type=model_path, help=MODEL_HELP)
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
    if out.json:
        out.result("", {"onnx": args.onnx, "model": args.model, "notes": notes})
    return 0
