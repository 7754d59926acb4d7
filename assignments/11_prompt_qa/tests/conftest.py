"""Trusted-side helpers for the 11_prompt_qa hidden suite (reference answers come from the ``ref`` fixture)."""
