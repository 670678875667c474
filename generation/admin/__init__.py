"""The Django admin for the studio: one module per area, registered on import."""

from generation.admin import audit, campaigns, catalogue, generations, images

__all__ = ["audit", "campaigns", "catalogue", "generations", "images"]
