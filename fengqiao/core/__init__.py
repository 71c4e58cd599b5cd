"""Cross-cutting pieces every domain uses: errors, logging, time."""
