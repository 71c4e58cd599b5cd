"""Accounts and access: login, sessions and tokens, channel API keys, jurisdiction scope, masking of personal data."""
