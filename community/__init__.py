"""Community: accounts, organisations, regions, roles, materials and practices."""
