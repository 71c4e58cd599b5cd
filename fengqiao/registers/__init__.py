"""Key registers (E4, G4): key projects with progress, risk and a preset task force; key persons with visits; key
places. Events that touch an entry are linked to it and their risk is raised to at least the entry's level."""
