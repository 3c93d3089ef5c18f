"""Formulas: company-scoped, versioned product formulas checked against export-market rules."""
