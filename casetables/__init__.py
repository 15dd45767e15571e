"""Case tables (ROTS, casusoverleg): pseudonymised case requests and their tables (issue 19)."""
