"""Gallery tiles in real Chromium: each keeps its image's shape in justified rows, is sharp on
ordinary and 2× screens, shows its prompt on hover and focus, and a running generation's
placeholders take the shape it asked for; images arriving live get all of that too. The images
go through the real ingest code (`prepare_outputs` → `save_outputs`), so their renditions are
the ones the pipeline makes."""

import datetime as dt
import hashlib
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from generation.collab import sharing
from generation.firefly import DownloadedOutput, Output
from generation.models import Generation, Rendition, ShareLink
from generation.pipeline.ingest import prepare_outputs, save_outputs
from generation.studio.presenters import rendition_url
from tests.browser.support import sign_in
from tests.factories import make_generation

pytestmark = pytest.mark.browser

SQUARE, WIDE, TALL = (2048, 2048), (2688, 1512), (1440, 2560)  # 1:1, 16:9 and 9:16

#: Every tile as the browser lays it out, with what its image chose to load.
TILES = """() => [...document.querySelectorAll(".gallery > .tile")].map(tile => {
  const box = tile.getBoundingClientRect();
  const img = tile.querySelector("img");
  const shown = img ? img.getBoundingClientRect() : null;
  return {
    id: tile.dataset.imageId || null,
    placeholder: tile.hasAttribute("data-placeholder"),
    generation: tile.dataset.generation,
    x: box.x, y: box.y, width: box.width, height: box.height,
    src: img ? img.currentSrc : null,
    shown: shown ? [shown.width, shown.height] : null,
  };
})"""


def jpeg(size) -> bytes:
    picture = PILImage.linear_gradient("L").resize(size).convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def finish(generation, folder):
    """Save `generation`'s outputs as the pipeline does when Firefly says it succeeded."""
    downloaded = []
    for index in range(generation.num_variations):
        data = jpeg((generation.width, generation.height))
        path = folder / f"g{generation.pk}-{index}.jpg"
        path.write_bytes(data)
        info = DownloadedOutput("image/jpeg", len(data), hashlib.sha256(data).hexdigest())
        downloaded.append((Output(seed=index, url=f"https://example.com/{index}"), path, info))
    return save_outputs(generation.pk, prepare_outputs(downloaded))


def running(campaign, user, size, variations, prompt):
    width, height = size
    return make_generation(
        campaign,
        user,
        status=Generation.Status.RUNNING,
        width=width,
        height=height,
        num_variations=variations,
        prompt=prompt,
    )


@pytest.fixture
def gallery(alice, spring_launch, tmp_path):
    """Finished square, 16:9 and 9:16 images, and a 16:9 generation still running."""
    images = []
    for size, variations, prompt in [
        (SQUARE, 3, "a teal kettle on a sunlit kitchen table"),
        (WIDE, 2, "a wide beach at dawn with a red umbrella"),
        (TALL, 2, "a tall glass of lemonade on a windowsill"),
        (SQUARE, 2, "pink flowers in a glass vase"),
        (WIDE, 1, "a panorama of green hills under a big sky"),
        (TALL, 1, "a lighthouse at dusk, portrait poster"),
    ]:
        images += finish(running(spring_launch, alice, size, variations, prompt), tmp_path)
    still_running = running(spring_launch, alice, WIDE, 2, "a city skyline at night, 16:9")
    return {"images": images, "running": still_running, "folder": tmp_path}


def new_page(browser, live_server, width, scale, javascript=True):
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        device_scale_factor=scale,
        base_url=live_server.url,
        java_script_enabled=javascript,
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


ALL_LOADED = (
    "[...document.querySelectorAll('.gallery img')].every(i => i.complete && i.naturalWidth > 0)"
)


#: Tiles that arrived live have finished their entrance animation (a brief scale-up).
ARRIVED = (
    "document.getAnimations()"
    ".every(a => a.animationName !== 'tile-in' || a.playState === 'finished')"
)


def load_every_image(page, wait_for):
    """Scroll to the end and back, so lazy images below the fold load too."""
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    wait_for(lambda: page.evaluate(ALL_LOADED))
    page.evaluate("window.scrollTo(0, 0)")


def opacity(locator) -> str:
    return locator.evaluate("el => getComputedStyle(el).opacity")


def check_tiles(tiles, images_by_id, scale, problems, url=rendition_url):
    """Each image tile has its image's shape, shows all of it, and loaded the rendition that is
    sharp at this device pixel ratio (the grid one at 1×, the larger preview at 2×); `url` is
    where the page serves a rendition."""
    for tile in tiles:
        if not tile["id"]:
            continue
        image = images_by_id[int(tile["id"])]
        wanted = image.width / image.height
        ratio = tile["width"] / tile["height"]
        if abs(ratio - wanted) > 0.02 * wanted:
            problems.append(f"tile {tile['id']} is {ratio:.3f}:1, its image {wanted:.3f}:1")
        if abs(tile["shown"][0] - tile["width"]) > 1 or abs(tile["shown"][1] - tile["height"]) > 1:
            problems.append(f"tile {tile['id']} shows its image at {tile['shown']}")
        spec = "grid" if scale == 1 else "preview"
        rendition = Rendition.objects.get(image=image, spec=spec)
        if not tile["src"].endswith(url(rendition)):
            problems.append(f"tile {tile['id']} loaded {tile['src']}, not its {spec} rendition")
        if rendition.height < 0.95 * tile["height"] * scale:
            problems.append(
                f"tile {tile['id']} is {tile['height']:.0f} px tall at {scale}× "
                f"from a {rendition.height} px rendition"
            )


def check_rows(tiles, gallery_box, problems):
    """Rows are justified: every row but the last spans the gallery, unless that would make it
    taller than a grid rendition; tiles in a row are equally tall."""
    rows: list[list[dict]] = []
    for tile in tiles:
        if rows and abs(rows[-1][0]["y"] - tile["y"]) < 2:
            rows[-1].append(tile)
        else:
            rows.append([tile])
    if len(rows) < 2:
        problems.append("expected the gallery to need more than one row")
    for row in rows[:-1]:
        left, right = row[0]["x"], row[-1]["x"] + row[-1]["width"]
        edge = gallery_box["x"] + gallery_box["width"]
        heights = [t["height"] for t in row]
        at_most = max(heights) >= Rendition.Spec.GRID.height - 1
        if abs(left - gallery_box["x"]) > 1.5 or (abs(right - edge) > 1.5 and not at_most):
            problems.append(f"a row runs from {left:.1f} to {right:.1f}, not edge to edge")
        if max(heights) - min(heights) > 1.5:
            problems.append(f"a row mixes heights {heights}")


@pytest.mark.parametrize(
    ("width", "scale"),
    [(1440, 1), (1440, 2), (390, 1), (390, 2)],
    ids=["desktop", "desktop-2x", "phone", "phone-2x"],
)
def test_tiles_keep_their_shape_are_sharp_and_show_the_prompt(
    browser, live_server, gallery, spring_launch, wait_for, width, scale
):
    page = new_page(browser, live_server, width, scale)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "alice")
    page.goto(f"/campaigns/{spring_launch.slug}/")
    load_every_image(page, wait_for)
    images_by_id = {image.pk: image for image in gallery["images"]}
    problems: list[str] = []

    tiles = page.evaluate(TILES)
    check_tiles(tiles, images_by_id, scale, problems)
    check_rows(tiles, page.locator("[data-gallery]").bounding_box(), problems)

    # A 16:9 tile is wider than tall, a 9:16 one taller than wide.
    first_wide, first_tall = (
        next(i for i in gallery["images"] if (i.width, i.height) == shape) for shape in (WIDE, TALL)
    )
    wide = next(t for t in tiles if t["id"] == str(first_wide.pk))
    tall = next(t for t in tiles if t["id"] == str(first_tall.pk))
    assert wide["width"] > 1.7 * wide["height"]
    assert tall["height"] > 1.7 * tall["width"]

    # The running 16:9 generation's placeholders are 16:9 too.
    placeholders = [t for t in tiles if t["placeholder"]]
    assert len(placeholders) == 2
    for tile in placeholders:
        assert abs(tile["width"] / tile["height"] - 16 / 9) < 0.04, tile

    # The prompt shows on hover, and on keyboard focus.
    tile = page.locator(f".tile[data-image-id='{first_wide.pk}']")
    caption = tile.locator(".tile-caption")
    assert opacity(caption) == "0"
    tile.hover()
    wait_for(lambda: opacity(caption) == "1")
    assert first_wide.generation.prompt in caption.inner_text()
    page.mouse.move(0, 0)
    wait_for(lambda: opacity(caption) == "0")
    tile.locator("[data-tile]").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    focused = "document.activeElement.closest('.tile').dataset.imageId"
    assert page.evaluate(focused) == str(first_wide.pk)
    wait_for(lambda: opacity(caption) == "1")

    # Arrow keys go down a row and back up, though rows differ in length.
    page.keyboard.press("ArrowDown")
    below = page.evaluate("document.activeElement.getBoundingClientRect().top")
    assert below > tile.bounding_box()["y"] + 10
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.getBoundingClientRect().top") < below

    # The running generation finishes while the page is open: its tiles arrive live with the
    # same shape and sharpness.
    page.evaluate("window.__sameDocument = true")
    arrived = finish(gallery["running"], gallery["folder"])
    for image in arrived:
        images_by_id[image.pk] = image
        page.locator(f".tile[data-image-id='{image.pk}'] img").wait_for()
    page.locator("[data-placeholder]").first.wait_for(state="detached")
    load_every_image(page, wait_for)
    wait_for(lambda: page.evaluate(ARRIVED))  # new tiles grow in: measure them once grown
    assert page.evaluate("window.__sameDocument === true")
    tiles = page.evaluate(TILES)
    new_ids = {str(image.pk) for image in arrived}
    check_tiles([t for t in tiles if t["id"] in new_ids], images_by_id, scale, problems)
    check_rows(tiles, page.locator("[data-gallery]").bounding_box(), problems)

    page.context.close()
    assert errors == []
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(("width", "scale"), [(1440, 2), (390, 2)], ids=["desktop-2x", "phone-2x"])
def test_a_generation_page_and_a_share_link_show_tiles_in_their_shape_and_sharp(
    browser, live_server, gallery, spring_launch, alice, wait_for, width, scale
):
    wide = next(i for i in gallery["images"] if (i.width, i.height) == WIDE).generation
    images_by_id = {image.pk: image for image in gallery["images"]}
    problems: list[str] = []
    page = new_page(browser, live_server, width, scale)
    sign_in(page, "alice")

    page.goto(wide.get_absolute_url())
    load_every_image(page, wait_for)
    tiles = page.evaluate(TILES)
    assert len(tiles) == wide.num_variations
    check_tiles(tiles, images_by_id, scale, problems)

    created = sharing.share_link_create(
        campaign=spring_launch,
        user=alice,
        expires_at=timezone.now() + dt.timedelta(days=7),
        scope=ShareLink.Scope.ALL,
    )
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"/s/{created.token}/")
    load_every_image(page, wait_for)
    tiles = page.evaluate(TILES)
    assert len(tiles) == len(gallery["images"])

    def shared(rendition):
        return reverse("share_rendition", args=[created.token, rendition.image_id, rendition.spec])

    check_tiles(tiles, images_by_id, scale, problems, url=shared)
    check_rows(tiles, page.locator(".gallery").bounding_box(), problems)
    page.context.close()
    assert problems == [], "\n".join(problems)


def test_without_javascript_tiles_still_keep_their_shape(
    browser, live_server, gallery, spring_launch, wait_for
):
    page = new_page(browser, live_server, 1440, 1, javascript=False)
    sign_in(page, "alice")
    page.goto(f"/campaigns/{spring_launch.slug}/")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    wait_for(lambda: page.evaluate(ALL_LOADED))
    problems: list[str] = []
    tiles = page.evaluate(TILES)
    check_tiles(tiles, {image.pk: image for image in gallery["images"]}, 1, problems)
    for tile in (t for t in tiles if t["placeholder"]):
        assert abs(tile["width"] / tile["height"] - 16 / 9) < 0.04, tile
    page.context.close()
    assert problems == [], "\n".join(problems)
