"""Options of ``chainrule train`` come from TrainConfig's fields: one field is one option."""

from __future__ import annotations

import tomllib

import pytest

from chainrule.errors import OptionError
from chainrule.workflow.config import TrainConfig
from cli_runner import chainrule_cli


def test_clip_norm_is_an_option_from_its_field_alone(tmp_path, binary_csv):
    config = TrainConfig(target="admit", clip_norm="0.5").checked()
    assert config.clip_norm == 0.5 and config.fit_options()["clip_norm"] == 0.5
    with pytest.raises(OptionError, match=r"^clip_norm must be > 0, got 0$"):
        TrainConfig(target="admit", clip_norm=0).checked()

    help_text = chainrule_cli("train", "--help").stdout
    assert "--clip-norm" in help_text
    out = tmp_path / "run"
    done = chainrule_cli(
        "train", binary_csv, "--target", "admit", "--epochs", "2", "--clip-norm", "0.5", "--out", out, "-q"
    )
    assert done.returncode == 0, done.stderr
    assert tomllib.loads((out / "config.toml").read_text(encoding="utf-8"))["clip_norm"] == 0.5
    refused = chainrule_cli("train", binary_csv, "--target", "admit", "--clip-norm", "-1", "--out", out)
    assert refused.returncode == 2
    assert refused.stderr == "chainrule: error: --clip-norm must be > 0, got '-1'\n"
