"""Geo-routing (C2): WGS84/GCJ-02 coordinates → grid, village, town, joint-duty station and police station."""
