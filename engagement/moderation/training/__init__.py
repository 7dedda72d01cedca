"""Offline tooling for the embedded model: the labeled data, training and evaluation.

Nothing here runs in the API or the workers, and the runtime (`engagement.moderation`) never imports it.
It needs the `train` extra (scikit-learn): `pip install 'engagement[train]'`.
"""
