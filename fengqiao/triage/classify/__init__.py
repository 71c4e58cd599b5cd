"""Classification (C1): a locally trained classifier for Chinese event text, risk cue rules, and learning from the
dispatchers' corrections. The public API lives in ``service``; importing this package stays cheap (no scikit-learn)
because ``fengqiao.db.models`` imports the table models from here."""
