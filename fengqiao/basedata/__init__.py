"""People, houses and enterprises (A3): buildings, rooms, residents, rentals, enterprises — all placed on the map."""
