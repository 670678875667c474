from generation.models.campaign import Campaign, CampaignMembership
from generation.models.catalogue import CustomModel
from generation.models.generation import Generation, GenerationPreset
from generation.models.image import Image, Rendition
from generation.models.ratelimit import FireflyRequestSlot

__all__ = [
    "Campaign",
    "CampaignMembership",
    "CustomModel",
    "FireflyRequestSlot",
    "Generation",
    "GenerationPreset",
    "Image",
    "Rendition",
]
