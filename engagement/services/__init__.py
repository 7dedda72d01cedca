"""The rules: plain verb_noun functions that take the actor explicitly, flush when they need ids, never commit."""
