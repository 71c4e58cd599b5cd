"""Assessment (考核, F5) of towns and villages: metric points by configurable rules, less supervision penalties."""
