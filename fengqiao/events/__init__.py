"""Events (B1, B2, B5, D1, D2, D5): one table for everything reported, from every channel, and its closed loop."""
