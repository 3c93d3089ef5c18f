"""Background jobs: long work runs on the task worker and reports progress to a Job record."""
