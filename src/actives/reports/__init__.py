"""HTML and PDF rendering shared by the modules."""
