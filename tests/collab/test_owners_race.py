"""Two owners demoting each other at the same moment leave the campaign with an owner (issue 17,
item 14): changes to one campaign's team are serialised and re-checked."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from generation.collab import members
from generation.models import CampaignMembership
from tests.personas import make_user

pytestmark = pytest.mark.django_db(transaction=True)
Role = CampaignMembership.Role


def test_two_owners_demoting_each_other_at_once_leave_one_owner(spring_launch, alice):
    rounds = 10
    for n in range(rounds):
        other = make_user(f"owner{n}")
        CampaignMembership.objects.create(campaign=spring_launch, user=other, role=Role.OWNER)
        CampaignMembership.objects.filter(campaign=spring_launch, user=alice).update(
            role=Role.OWNER
        )
        start = threading.Barrier(2)

        def demote(actor, target, start=start):
            start.wait()
            try:
                members.membership_set_role(
                    campaign=spring_launch, user=actor, member=target, role=Role.MEMBER
                )
            except (ValidationError, PermissionDenied):
                pass  # the second demotion is refused: fine
            finally:
                connection.close()

        threads = [
            threading.Thread(target=demote, args=(alice, other)),
            threading.Thread(target=demote, args=(other, alice)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        owners = CampaignMembership.objects.filter(campaign=spring_launch, role=Role.OWNER)
        assert owners.count() == 1, f"round {n}: {list(owners.values_list('user__username'))}"
        CampaignMembership.objects.filter(campaign=spring_launch, user=other).delete()
