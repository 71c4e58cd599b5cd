"""Stored files (attachments, photos, generated reports) behind one interface: local disk now, object storage later."""
