"""Accounts: users, companies, roles, API tokens and the company-scoping rule."""
