"""The whole studio in real Chromium: sign in, create a campaign, generate with a custom model and
two presets, watch it finish without reloading, open an image, download it, favourite it and
filter by favourites; plus the keyboard path through the gallery. Runs against the Firefly
emulator and a real Celery worker, and saves screenshots of the gallery and the form to
docs/screenshots/."""

import re
from pathlib import Path

import pytest

from generation.models import Campaign, CustomModel, Generation, Image
from tests.browser.conftest import SCREENSHOTS
from tests.browser.support import browser_tabs
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.worker]

ALL_THUMBNAILS_LOADED = (
    "[...document.querySelectorAll('.tile img')].every(i => i.complete && i.naturalWidth > 0)"
)


@pytest.fixture
def page(browser, live_server):
    with browser_tabs(browser, live_server, accept_downloads=True) as open_tab:
        yield open_tab(1440)


@pytest.fixture
def synced_models(emulator):
    from generation.pipeline.catalogue import custom_models_sync

    custom_models_sync()
    models = list(CustomModel.objects.selectable().filter(model_version="image3_custom"))
    assert models, "the emulator's catalogue offers a published Image 3 custom model"
    return models


def sign_in(page, username="alice"):
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def pick_preset(page, name):
    page.locator("[data-preset-filter]").fill(name.split()[0].lower())
    page.locator("[data-preset-option]", has_text=name).first.click()
    page.locator("[data-preset-chips] .chip", has_text=name).wait_for()


def test_the_whole_journey(page, alice, emulator, celery_worker, synced_models, wait_for):
    model = synced_models[0]
    sign_in(page)

    # Create a campaign.
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill("Spring launch 2027")
    page.get_by_label("Description", exact=False).fill(
        "Fresh, light-filled lifestyle imagery for the spring collection."
    )
    page.get_by_label("Brand notes").fill(
        "Warm natural light. Pastel palette with one teal accent. People look relaxed."
    )
    page.get_by_role("button", name="Create campaign").click()
    campaign = wait_for(lambda: Campaign.objects.filter(slug="spring-launch-2027").first())
    page.wait_for_url(f"**/campaigns/{campaign.slug}/generate/")

    # Generate with a custom model and two presets.
    page.get_by_label("Prompt", exact=True).fill(
        "a picnic on a green hill with a teal blanket, golden sun"
    )
    page.locator(".model-card", has_text=model.display_name).click()
    assert page.locator("[data-sample-hint]").is_visible() == bool(model.sample_prompt)
    assert page.locator("[data-needs=negative_prompt]").is_hidden()  # custom models refuse it
    pick_preset(page, "Golden hour")
    pick_preset(page, "Pastel color")
    page.locator("[data-preset-filter]").fill("")
    page.locator(".segmented label", has_text="4").first.click()
    page.get_by_label("Prompt", exact=True).focus()
    for dismiss in page.locator(".message-dismiss").all():
        dismiss.click()
    page.mouse.move(0, 0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 1400})
    page.screenshot(path=str(SCREENSHOTS / "new-generation.png"))
    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_role("button", name=re.compile(r"^Generate \d images?$")).click()

    # The gallery: placeholders first, then the images, with no reload.
    page.wait_for_url(f"**/campaigns/{campaign.slug}/")
    generation = Generation.objects.get(campaign=campaign)
    assert generation.custom_model == model
    assert sorted(generation.style_presets) == ["golden_hour", "pastel_color"]
    page.evaluate("window.__sameDocument = true")
    page.locator(".tile[data-image-id] img").nth(3).wait_for()
    assert page.evaluate("window.__sameDocument === true"), "the gallery filled in without a reload"
    assert page.locator("[data-placeholder]").count() == 0
    generation.refresh_from_db()
    assert generation.status == Generation.Status.SUCCEEDED
    for img in page.locator(".tile img").all():
        assert img.get_attribute("loading") == "lazy"
        assert img.get_attribute("width")
        assert img.get_attribute("height")
    wait_for(lambda: page.evaluate(ALL_THUMBNAILS_LOADED))

    # A teammate's generations arrive live too; then the gallery is worth a screenshot.
    from generation.pipeline.generations import generation_create

    for prompt, presets in [
        ("a cosy reading corner with an orange lamp and a cat", ["warm_tone"]),
        ("the aurora bottle on wet stone by the ocean, blue light", ["studio_light"]),
        ("pink flowers in a glass vase on a sunny table", ["pastel_color", "bokeh"]),
    ]:
        generation_create(
            campaign=campaign,
            user=alice,
            prompt=prompt,
            style_presets=presets,
            width=2048,
            height=2048,
            num_variations=4,
        )
    page.locator(".tile[data-image-id] img").nth(15).wait_for()
    wait_for(lambda: page.evaluate(ALL_THUMBNAILS_LOADED))
    for dismiss in page.locator(".message-dismiss").all():
        dismiss.click()
    page.mouse.move(0, 0)
    page.screenshot(path=str(SCREENSHOTS / "gallery.png"))

    # Keyboard: Tab reaches a tile, arrows move between tiles, Enter opens one.
    page.reload()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('[data-tile]')"):
            break
    else:
        pytest.fail("Tab never reached a gallery tile")
    first_href = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("ArrowRight")
    second_href = page.evaluate("document.activeElement.getAttribute('href')")
    assert second_href != first_href
    assert second_href.startswith("/images/")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first_href
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/images/\d+/$"))
    image = Image.objects.get(pk=int(re.search(r"/images/(\d+)/", page.url)[1]))

    # Download the original.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download original").click()
    download = download_info.value
    assert download.suggested_filename == image.download_name()
    assert Path(download.path()).read_bytes()[:2] == b"\xff\xd8"

    # Mark it a favourite (instant, saved in the background).
    star = page.locator("[data-favourite-button]")
    assert star.get_attribute("aria-pressed") == "false"
    star.click()
    assert star.get_attribute("aria-pressed") == "true"
    wait_for(lambda: Image.objects.filter(pk=image.pk, is_favourite=True).exists())

    # ← and → walk through the campaign.
    with page.expect_navigation():
        page.keyboard.press("ArrowRight")
    assert re.search(r"/images/\d+/$", page.url)
    assert f"/images/{image.pk}/" not in page.url

    # Filter the gallery by favourites.
    page.goto(f"/campaigns/{campaign.slug}/")
    page.locator(".toggle-chip", has_text="Favourites").click()
    page.wait_for_url(re.compile(r"favourite=1"))
    tiles = page.locator(".tile[data-image-id]")
    assert tiles.count() == 1
    assert tiles.first.get_attribute("data-image-id") == str(image.pk)


def test_the_generation_page_follows_progress_live(
    page, alice, emulator, celery_worker, synced_models, spring_launch, wait_for
):
    from generation.pipeline.generations import generation_create

    emulator.state.configure(job_seconds=2.0)
    sign_in(page)
    generation = generation_create(
        campaign=spring_launch,
        user=alice,
        prompt="a lighthouse at dusk",
        width=2048,
        height=2048,
        num_variations=2,
    )
    page.goto(generation.get_absolute_url())
    assert page.locator("[data-status-pill]").inner_text() in {"Queued", "Starting", "Generating"}
    page.evaluate("window.__sameDocument = true")
    page.locator("[data-generation-images] .tile[data-image-id] img").nth(1).wait_for()
    assert page.locator("[data-status-pill]").inner_text() == "Done"
    assert page.evaluate("window.__sameDocument === true")
    assert page.locator("[data-status-panel]").is_hidden()
    assert page.locator("form[data-show-when=active]").is_hidden()


def test_the_form_works_without_javascript(browser, live_server, alice, spring_launch):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    sign_in(page)
    page.goto(f"/campaigns/{spring_launch.slug}/generate/")
    page.get_by_label("Prompt", exact=True).fill("a lighthouse at dusk")
    page.locator(".preset-option", has_text="Golden hour").click()
    page.get_by_role("button", name="Generate").click()
    page.wait_for_url(f"**/campaigns/{spring_launch.slug}/")
    generation = Generation.objects.get(campaign=spring_launch)
    assert generation.style_presets == ["golden_hour"]
    assert generation.num_variations == 4
    assert page.locator("[data-placeholder]").count() == 4
    context.close()
