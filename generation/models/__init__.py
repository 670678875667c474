from generation.models.audit import AuditEvent
from generation.models.campaign import Campaign, CampaignMembership
from generation.models.catalogue import CustomModel
from generation.models.collaboration import Comment, Notification
from generation.models.generation import Generation, GenerationPreset
from generation.models.heartbeat import ProcessHeartbeat
from generation.models.image import Image, Rendition
from generation.models.ratelimit import FireflyRequestSlot
from generation.models.sharing import Export, ShareLink

__all__ = [
    "AuditEvent",
    "Campaign",
    "CampaignMembership",
    "Comment",
    "CustomModel",
    "Export",
    "FireflyRequestSlot",
    "Generation",
    "GenerationPreset",
    "Image",
    "Notification",
    "ProcessHeartbeat",
    "Rendition",
    "ShareLink",
]
