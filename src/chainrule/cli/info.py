"""``chainrule info``: describe a saved model."""

from __future__ import annotations

import shlex

from .output import Output, compared_scores, fmt
from .paths import MODEL_HELP, model_path

HELP = "Describe a saved model: architecture, features, labels, training."
EXAMPLES = """examples:
  chainrule info model.safetensors"""


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL", type=model_path, help=MODEL_HELP)


def run(args, out: Output) -> int:
    from ..nn.network import Network

    network = Network.load(args.model)
    pre = network.preprocessor
    metrics = network.info.get("metrics") if isinstance(network.info.get("metrics"), dict) else {}
    shape, n_params, stored = _shape(network)
    data = {
        "file": str(args.model),
        **network.file_metadata,
        "sizes": network.sizes,
        "activations": [layer.activation.name for layer in network.layers],
        "bias": network.has_bias,
        "dtype": network.dtype.name,
        "parameters": n_params,
        "stored_parameters": stored,
        "info": network.info,
        "preprocessing": None if pre is None else pre.to_dict(),
    }
    lines = [
        f"model       {args.model}",
        f"format      chainrule v{data['format_version']}, written by chainrule {data['library_version']}",
        f"sha256      {data['payload_sha256']}",
        f"network     {shape}, {', '.join(data['activations'])}, {'with' if network.has_bias else 'no'} bias, {network.dtype.name}",
        f"parameters  {n_params}"
        + (
            f" (the file holds {stored}, {stored - n_params} of them weights joining two of the networks: 0, never trained)"
            if stored != n_params
            else ""
        ),
    ]
    if pre is not None:
        kinds = [f"{f} ({'category' if f in pre.categorical else 'number'})" for f in pre.features]
        lines.append(f"task        {pre.task}, target {pre.target!r}, loss {network.info.get('loss', '?')}")
        lines.append(f"features    {_first(kinds, 'features')}")
        if pre.labels:
            lines.append(f"labels      {_first([_shown(label) for label in pre.labels], 'labels')}")
        lines.append(f"reads       {_reads(pre)}")
    built = _built(metrics)
    if built:
        lines.append(f"built       {built}")
    test = metrics.get("test")
    if isinstance(test, dict):
        shown = {k: v for k, v in test.items() if k in ("loss", "accuracy", "r2", "mae")}
        lines.append("test        " + ", ".join(f"{k} {fmt(v)}" for k, v in shown.items()))
    compared = _compared(metrics)
    if compared:
        lines.append(f"compared    {compared}")
    out.result("\n".join(lines), data)
    return 0


def _shape(network) -> tuple[str, int, int]:
    """(the network's sizes in words, the parameters it was trained with, the parameters the
    file holds): for k averaged networks, "k networks of [...] side by side, stored as [...]"."""
    from ..workflow.ensemble import member_sizes, members_of, trained_parameters

    stored = sum(p.size for p in network.parameters())
    members = members_of(network)  # 1 where the record is missing or cannot be read
    if members == 1:
        return str(network.sizes), stored, stored
    shape = f"{members} networks of {member_sizes(network.sizes, members)} side by side, stored as {network.sizes}"
    return shape, trained_parameters(network.sizes, members, network.has_bias), stored


def _compared(metrics: dict) -> str:
    """The network's test score beside the two baselines' (``chainrule train``'s yardsticks)."""
    label, rows = compared_scores(metrics)
    return f"test {label}: {', '.join(f'{name} {fmt(value)}' for name, value in rows)}" if rows else ""


def _built(metrics: dict) -> str:
    """How ``chainrule train`` built the saved model: the ensemble, the start, the choice."""
    parts = []
    if metrics.get("model") == "linear":
        parts.append("the linear model, kept by the linear fallback")
    else:
        ensemble = metrics.get("ensemble")
        if isinstance(ensemble, dict):
            parts.append(f"{ensemble.get('members')} networks side by side, their outputs averaged")
        if metrics.get("start") == "linear model":
            parts.append("each started as the ridge model" if ensemble else "started as the ridge model")
    return "; ".join(parts)


SHOWN = 20  # names shown on a line before "... and k more" (--json lists them all)


def _reads(pre) -> str:
    """How ``predict`` reads a table for this model: the numbers' format and the gaps."""
    fmt = pre.number_format or {}
    decimal, thousands = fmt.get("decimal", "."), fmt.get("thousands")
    flags = [f"--decimal {decimal}"] if decimal != "." else []
    flags += [f"--thousands {shlex.quote(thousands)}"] if thousands else []  # ' ' and "'" need quotes
    numbers = f"numbers written 1{thousands or ''}234{decimal}5"
    numbers += f" ({' '.join(flags)})" if flags else ""
    if fmt.get("percent"):
        columns = pre.percent_columns
        which = (
            ""
            if columns is None
            else f" in {_first(list(columns), 'columns')}"
            if columns
            else " (none here)"
        )
        numbers += f", percentages as 50% = 0.5{which} (--percent)"
    if pre.impute:
        gaps = (
            f"gaps (and inf) filled with the training {pre.impute}, a category's with the most "
            f"frequent (--impute {pre.impute})"
        )
    else:
        gaps = "gaps refused (a model trained with --impute fills them)"
    return f"{numbers}; {gaps}"


def _first(names: list[str], what: str) -> str:
    """``names`` joined by commas, the first SHOWN of many with a count of the rest."""
    if len(names) <= SHOWN:
        return ", ".join(names)
    return f"{len(names)} {what}: {', '.join(names[:SHOWN])}, ... and {len(names) - SHOWN} more"


def _shown(text: str) -> str:
    """A label as one item of a list on one line: quoted when a comma, a line break or
    surrounding white space would blur it."""
    plain = text and text == text.strip() and not any(c in text for c in ",\n\r\t'\"")
    return text if plain else repr(text)
