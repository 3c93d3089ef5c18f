"""The Django web platform: pages, JSON API, background jobs. Views hold no science."""
