"""Ten posts of one form at once make one paid generation, in every mode (issue 17, item 7):
the guard is a unique constraint on (person, form token), not a cache entry."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from generation.models import Generation
from tests.views.test_generation_form import new_url, token_from

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_concurrent_posts_of_one_form_make_one_generation(alice, spring_launch):
    signed_in = Client()
    signed_in.force_login(alice)
    token = token_from(signed_in.get(new_url(spring_launch)))
    data = {
        "form_token": token,
        "prompt": "a teal kettle on a sunny kitchen table",
        "model": "image4_standard",
        "size": "2048x2048",
        "num_variations": "2",
        "style_strength": "50",
    }
    session_cookie = signed_in.cookies

    def post(_):
        client = Client()
        client.cookies = session_cookie
        try:
            return client.post(new_url(spring_launch), data)
        finally:
            connection.close()  # each thread's own connection

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(post, range(10)))

    assert Generation.objects.count() == 1
    generation = Generation.objects.get()
    assert {r.status_code for r in responses} == {302}
    targets = {r.url for r in responses}
    # The one that made it goes to the gallery; every other lands on the generation it made.
    assert targets <= {spring_launch.get_absolute_url(), generation.get_absolute_url()}


def test_a_second_create_with_the_same_token_stores_and_sends_nothing(alice, spring_launch):
    from generation.pipeline.generations import AlreadySubmittedError
    from tests.pipeline.support import create_generation

    first = create_generation(spring_launch, alice, form_token="form-token-123")
    with pytest.raises(AlreadySubmittedError) as raised:
        create_generation(spring_launch, alice, form_token="form-token-123")
    assert raised.value.generation == first
    assert Generation.objects.count() == 1
    assert create_generation(spring_launch, alice).form_token == ""  # no token: no limit
