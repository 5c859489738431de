"""Accounts: each user's role, site and person, login throttling, API tokens, the secret key."""
