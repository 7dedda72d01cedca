"""Text moderation: normalization, the Detoxify-backed scorer, batching and the policy. Knows nothing of HTTP."""
