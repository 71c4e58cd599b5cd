"""Bulletins (通报, F3): monthly and weekly, as Word, Excel and PDF files with charts, numbered 〔year〕N号."""
