"""The site's own pages: home, regions, a region (above accounts and the library)."""
