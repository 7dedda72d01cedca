"""ENGAGEMENT_MODERATION_MODEL picks the model; one that cannot load stops start-up and says why."""

import pytest

from engagement import create_app
from engagement.moderation.scoring import ModelLoadError


def app_with(tmp_path, **settings):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite", "JWT_SECRET": "s" * 40, **settings})


def test_missing_checkpoint_path_is_a_startup_error_naming_it(tmp_path):
    missing = tmp_path / "nowhere.ckpt"
    with pytest.raises(ModelLoadError, match="nowhere.ckpt"):
        app_with(tmp_path, MODERATION_MODEL=str(missing))


def test_published_model_with_a_missing_offline_checkpoint_names_the_setting(tmp_path):
    with pytest.raises(ModelLoadError, match="ENGAGEMENT_MODERATION_CHECKPOINT"):
        app_with(tmp_path, MODERATION_MODEL="unbiased", MODERATION_CHECKPOINT=str(tmp_path / "unbiased.ckpt"))


def test_a_file_that_is_not_a_detoxify_checkpoint_is_refused(tmp_path):
    import torch

    bogus = tmp_path / "bogus.ckpt"
    torch.save({"weights": [1, 2, 3]}, bogus)
    with pytest.raises(ModelLoadError, match="bogus"):
        app_with(tmp_path, MODERATION_MODEL=str(bogus))


def test_a_detoxify_checkpoint_path_loads_through_detoxify(tmp_path):
    """The embedded checkpoint, named by path as an operator would name any Detoxify checkpoint."""
    from engagement.moderation.embedded import ensure_embedded_checkpoint

    assembled = ensure_embedded_checkpoint(tmp_path / "instance")
    app = app_with(tmp_path, MODERATION_MODEL=str(assembled.checkpoint_path), MODERATION_HF_CONFIG=str(assembled.hf_config_dir))
    scorer = app.extensions["engagement"].scorer
    assert scorer.name == f"checkpoint:{assembled.checkpoint_path.name}"
    assert scorer.score(["hello there"])[0]["toxicity"] < 0.5
