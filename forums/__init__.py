"""Forums: discussion per theme, threads and posts."""
