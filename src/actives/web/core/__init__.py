"""Core pages and plumbing: layout, home, module navigation, health, error pages, middleware."""
