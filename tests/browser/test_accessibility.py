"""axe-core (from npm, pinned in package.json) in real Chromium: every main studio page and the
custom-model admin have no critical or serious accessibility violations, at desktop and phone
widths; and the admin's catalogue table fits a 1,440 px screen without clipping a column."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from generation.models import CustomModel
from tests.browser.support import WIDTHS, browser_tabs, sign_in
from tests.factories import make_custom_model, make_generation, make_image

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")

# Violations as "rule (impact, count×): first offending element", one line each.
RUN_AXE = """async (blocking) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => blocking.includes(v.impact))
    .map(v => `${v.id} (${v.impact}, ${v.nodes.length}×): ${v.nodes[0].target.join(' ')}`);
}"""


def axe_violations(page) -> list[str]:
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `make install` (npm ci).")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, list(BLOCKING))


def assert_no_violations(found: dict[str, list[str]]) -> None:
    report = [f"{page}: {rule}" for page, rules in found.items() for rule in rules]
    assert report == [], "axe-core found:\n" + "\n".join(report)


@pytest.fixture
def open_page(browser, live_server):
    """`open_page(width)`: a fresh browser tab `width` px wide on the live server."""
    with browser_tabs(
        browser,
        live_server,
        page_errors=False,
        console_errors=False,
        bypass_csp=True,  # axe is injected as an inline script
    ) as open_tab:
        yield open_tab


def sign_in_to_the_admin(page):
    sign_in(page, "sam", at="/admin/login/", button="Log in", lands_on=re.compile(r"/admin/$"))


@pytest.fixture
def studio(alice, carol, spring_launch):
    """A campaign with a finished generation, an image in review, an approver and a share
    link: every main page has something on it."""
    from generation.collab.review import review_request
    from generation.collab.sharing import share_link_create

    model = make_custom_model("Brand Lifestyle")
    generation = make_generation(
        spring_launch, alice, custom_model=model, presets=["golden_hour"], style_strength=60
    )
    images = [make_image(generation, index, seed=100 + index) for index in range(2)]
    review_request(image=images[0], user=alice, note="For the spring banner")
    link = share_link_create(
        campaign=spring_launch,
        user=alice,
        expires_at=timezone.now() + dt.timedelta(days=7),
        label="Agency preview",
        scope="all",
        allow_download=True,
    )
    slug = spring_launch.slug
    return {
        "campaign list": "/",
        "gallery": f"/campaigns/{slug}/",
        "generation form": f"/campaigns/{slug}/generate/",
        "generation page": generation.get_absolute_url(),
        "image page": images[0].get_absolute_url(),
        "review queue": f"/campaigns/{slug}/review/",
        "members": f"/campaigns/{slug}/members/",
        "share links": f"/campaigns/{slug}/share/",
        "shared gallery": f"/s/{link.token}/",
        "audit trail": f"/campaigns/{slug}/audit/",
    }


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_every_studio_page_has_no_critical_or_serious_accessibility_violations(
    open_page, studio, width
):
    found = {}
    anonymous = open_page(width)
    anonymous.goto("/accounts/login/")
    found["sign-in"] = axe_violations(anonymous)
    anonymous.goto(studio.pop("shared gallery"))
    found["shared gallery"] = axe_violations(anonymous)
    page = open_page(width)
    sign_in(page, "alice")
    for name, url in studio.items():
        response = page.goto(url)
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        found[name] = axe_violations(page)
    assert_no_violations(found)


@pytest.fixture
def catalogue(staff_user, alice, spring_launch):
    """The admin's catalogue as a sync leaves it: published, unpublished and never-published
    models, one on a base model the studio does not know; the first with three recent outputs
    (the widest the thumbnails column gets)."""
    fields = {"training_mode": "style", "sample_prompt": "a sunny beach in brand colours"}
    published = make_custom_model(
        "Warm Custom Model with a rather long display name",
        base_model_name="clio_v2",
        base_model_version="2.0.0",
        **fields,
    )
    make_custom_model(
        "Holiday 2025 Look",
        published_state=CustomModel.PublishedState.UNPUBLISHED,
        base_model_name="clio_v2",
        base_model_version="2.0.0",
        **fields,
    )
    make_custom_model(
        "Autumn-Knitwear-Campaign-Lookbook-2026",
        base_model_name="firefly_image4",
        base_model_version="4.0.0",
        model_version="image4_custom",
        **fields,
    )
    make_custom_model(
        "Maple Mug Draft",
        published_state=CustomModel.PublishedState.NEVER,
        base_model_name="firefly_image4",
        base_model_version="4.0.0",
        model_version="image4_custom",
        **fields,
    )
    make_custom_model(
        "Nova Preview Look",
        base_model_name="nova_v1",
        base_model_version="1.0.0",
        model_version="",
        enabled=False,
        **fields,
    )
    CustomModel.objects.update(last_synced_at=timezone.now())
    generation = make_generation(spring_launch, alice, custom_model=published, num_variations=3)
    for index in range(3):
        make_image(generation, index)
    return published


def admin_urls(model) -> dict[str, str]:
    return {
        "custom-model list": "/admin/generation/custommodel/",
        "custom-model form": f"/admin/generation/custommodel/{model.pk}/change/",
    }


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_custom_model_admin_has_no_critical_or_serious_accessibility_violations(
    open_page, catalogue, width
):
    page = open_page(width)
    sign_in_to_the_admin(page)
    found = {}
    for name, url in admin_urls(catalogue).items():
        response = page.goto(url)
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        found[name] = axe_violations(page)
    assert_no_violations(found)


# Every header and cell of the results table, with how much of it the page cuts off: outside
# the viewport, or hidden by an ancestor that clips its overflow (Django's scrolling wrapper).
CLIPPED_CELLS = """() => {
  const clipped = [];
  const viewport = document.documentElement.clientWidth;
  for (const cell of document.querySelectorAll('#result_list th, #result_list td')) {
    const box = cell.getBoundingClientRect();
    let right = Math.min(viewport, window.innerWidth);
    let left = 0;
    for (let el = cell.parentElement; el; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (['auto', 'hidden', 'scroll', 'clip'].includes(style.overflowX)) {
        const frame = el.getBoundingClientRect();
        right = Math.min(right, frame.right);
        left = Math.max(left, frame.left);
      }
    }
    if (box.right > right + 0.5 || box.left < left - 0.5) {
      const column = cell.className || cell.tagName;
      clipped.push(`${column}: ${Math.round(box.left)}–${Math.round(box.right)} px, ` +
                   `visible ${Math.round(left)}–${Math.round(right)} px`);
    }
  }
  return clipped;
}"""


def test_every_column_of_the_custom_model_list_is_fully_visible_at_1440_px(open_page, catalogue):
    page = open_page(1440)
    sign_in_to_the_admin(page)
    page.goto("/admin/generation/custommodel/")
    assert page.locator("#result_list thead th.column-position").count() == 1
    assert page.locator(".field-recent_outputs_column img").count() == 3
    assert page.evaluate(CLIPPED_CELLS) == []
