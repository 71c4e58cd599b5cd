"""The web layer: app factory, request plumbing, error responses, pages. Domains never import it."""
