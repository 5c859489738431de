"""Accounts: each user's role and site, account lockout, API tokens."""
