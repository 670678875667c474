from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from generation.models import Campaign


@login_required
def campaign_list(request):
    campaigns = Campaign.objects.visible_to(request.user).filter(archived=False)
    return render(request, "generation/campaign_list.html", {"campaigns": campaigns})
