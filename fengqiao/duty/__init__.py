"""People on duty (A2): staff accounts and the roles that bind them to units."""
