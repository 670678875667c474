"""Template helpers for the studio: icons, status pills, URLs of stored files, labels."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from generation import labels
from generation.models import Rendition
from generation.studio import presenters

register = template.Library()

# Hand-drawn 24x24 stroke icons (our own, so no third-party asset ships with the app).
_ICONS = {
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "star": '<path d="M12 3.5l2.6 5.5 5.9.6-4.5 4 1.3 5.9-5.3-3-5.3 3 1.3-5.9-4.5-4 5.9-.6z"/>',
    "download": '<path d="M12 4v11M7 10l5 5 5-5M5 19.5h14"/>',
    "arrow-left": '<path d="M15 5l-7 7 7 7"/>',
    "arrow-right": '<path d="M9 5l7 7-7 7"/>',
    "x": '<path d="M6.5 6.5l11 11M17.5 6.5l-11 11"/>',
    "search": '<circle cx="11" cy="11" r="6.25"/><path d="M20 20l-4.6-4.6"/>',
    "sparkle": '<path d="M11 3.5l1.9 5.1 5.1 1.9-5.1 1.9L11 17.5l-1.9-5.1L4 10.5l5.1-1.9z"/>'
    '<path d="M18.5 15l.8 2.2 2.2.8-2.2.8-.8 2.2-.8-2.2-2.2-.8 2.2-.8z"/>',
    "refresh": '<path d="M4.5 12a7.5 7.5 0 0 1 13-5.1L19.5 9M19.5 4.5V9H15"/>'
    '<path d="M19.5 12a7.5 7.5 0 0 1-13 5.1L4.5 15M4.5 19.5V15H9"/>',
    "image": '<rect x="3.5" y="4.5" width="17" height="15" rx="2.5"/>'
    '<circle cx="9" cy="10" r="1.7"/><path d="M20.5 16l-4.5-4.5-8.5 8"/>',
    "edit": '<path d="M4.5 19.5h4l10-10-4-4-10 10z"/><path d="M13 7l4 4"/>',
    "stop": '<rect x="6.5" y="6.5" width="11" height="11" rx="2"/>',
    "filter": '<path d="M4 6.5h16M7 12h10M10 17.5h4"/>',
    "check": '<path d="M5 12.5l4.5 4.5L19 7.5"/>',
    "alert": '<circle cx="12" cy="12" r="8.5"/><path d="M12 7.5V13M12 16.3v.2"/>',
    "clock": '<circle cx="12" cy="12" r="8.5"/><path d="M12 7.5V12l3 2"/>',
    "layers": '<path d="M12 3.5l8.5 4.5-8.5 4.5L3.5 8z"/><path d="M3.5 12.5l8.5 4.5 8.5-4.5"/>',
    "user": '<circle cx="12" cy="8.5" r="3.75"/>'
    '<path d="M4.5 20c1.3-3.6 4.2-5.5 7.5-5.5s6.2 1.9 7.5 5.5"/>',
    "open": '<path d="M14 4.5h5.5V10M19.5 4.5l-8.5 8.5"/>'
    '<path d="M17.5 14v4.5a1 1 0 0 1-1 1h-11a1 1 0 0 1-1-1v-11a1 1 0 0 1 1-1H10"/>',
    "logout": '<path d="M14.5 4.5h4a1 1 0 0 1 1 1v13a1 1 0 0 1-1 1h-4"/>'
    '<path d="M10 8l-4 4 4 4M6 12h9.5"/>',
    "grid": '<rect x="4" y="4" width="7" height="7" rx="1.5"/>'
    '<rect x="13" y="4" width="7" height="7" rx="1.5"/>'
    '<rect x="4" y="13" width="7" height="7" rx="1.5"/>'
    '<rect x="13" y="13" width="7" height="7" rx="1.5"/>',
    "settings": '<path d="M4 7h9M17 7h3M4 17h3M11 17h9"/><circle cx="15" cy="7" r="2"/>'
    '<circle cx="9" cy="17" r="2"/>',
    "copy": '<rect x="8.5" y="8.5" width="11" height="11" rx="2"/>'
    '<path d="M15.5 8.5V5.5a1 1 0 0 0-1-1h-9a1 1 0 0 0-1 1v9a1 1 0 0 0 1 1h3"/>',
    "dice": '<rect x="4.5" y="4.5" width="15" height="15" rx="3"/><circle cx="9" cy="9" r=".6"/>'
    '<circle cx="15" cy="15" r=".6"/><circle cx="12" cy="12" r=".6"/>',
    "bell": '<path d="M6.5 16.5V11a5.5 5.5 0 0 1 11 0v5.5l1.5 1.5h-14z"/><path d="M10 20.5h4"/>',
    "archive": '<rect x="3.5" y="4.5" width="17" height="4" rx="1"/>'
    '<path d="M5 8.5v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-10M10 12.5h4"/>',
}


@register.simple_tag
def icon(name: str, label: str = "") -> str:
    body = _ICONS[name]
    a11y = format_html('role="img" aria-label="{}"', label) if label else 'aria-hidden="true"'
    return mark_safe(
        f'<svg class="icon icon-{name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        f'stroke-width="1.75" stroke-linecap="round" stroke-linejoin="round" focusable="false" '
        f"{a11y}>{body}</svg>"
    )


@register.simple_tag
def status_pill(status: str) -> str:
    return format_html(
        '<span class="pill pill-{}" data-status-pill>{}</span>',
        status,
        labels.status_label(status),
    )


@register.filter
def status_text(status: str) -> str:
    return labels.status_label(status)


@register.filter
def preset_name(preset_id: str) -> str:
    return presenters.preset_name(preset_id)


@register.filter
def model_label(generation) -> str:
    return labels.model_label(generation)


@register.filter
def base_model(custom_model) -> str:
    return labels.base_model_label(custom_model)


@register.filter
def preset_total(groups) -> int:
    return sum(len(presets) for _, presets in groups)


@register.filter
def rendition_url(rendition) -> str:
    return presenters.rendition_url(rendition) if rendition else ""


@register.filter
def grid(image):
    return image.rendition(Rendition.Spec.GRID)


@register.filter
def tile_srcset(image) -> str:
    return presenters.tile_srcset(image)


@register.simple_tag
def tile_shape(width: int, height: int) -> str:
    """An empty box in a tile with the shape of its image (before it exists, or while its
    thumbnail is being made): rows size tiles from it (attributes only: CSP-safe)."""
    return format_html(
        '<svg class="tile-shape" viewBox="0 0 {} {}" aria-hidden="true" focusable="false"></svg>',
        width,
        height,
    )


@register.filter
def spec(image, name: str):
    return image.rendition(name)


@register.filter
def original_url(image) -> str:
    return presenters.original_url(image)


@register.filter
def alt_text(image) -> str:
    return presenters.image_alt(image)


@register.filter
def image_name(image) -> str:
    return labels.image_name(image)


@register.filter
def variation(image, generation) -> str:
    return labels.variation_label(image, generation)


@register.filter
def ago(value) -> str:
    return labels.time_ago(value)


@register.filter
def outcome_title(status: str) -> str:
    return labels.outcome_title(status)


@register.filter
def outcome_detail(generation) -> str:
    return labels.outcome_detail(generation)


@register.filter
def initials(user) -> str:
    if user is None:
        return "?"
    full = (user.get_full_name() or "").split()
    if len(full) >= 2:
        return (full[0][0] + full[-1][0]).upper()
    name = user.get_username()
    return name[:2].upper() if name else "?"


@register.filter
def display_name(user) -> str:
    if user is None:
        return "someone (deleted)"
    return user.get_full_name() or user.get_username()


@register.simple_tag
def ratio_svg(width: int, height: int) -> str:
    """A small outline in the shape of an aspect ratio (attributes only: CSP-safe)."""
    return format_html(
        '<svg class="ratio-shape" viewBox="0 0 {w} {h}" aria-hidden="true" focusable="false">'
        '<rect x="{sw}" y="{sw}" width="{iw}" height="{ih}" rx="{r}"/></svg>',
        w=width,
        h=height,
        sw=width // 40,
        iw=width - 2 * (width // 40),
        ih=height - 2 * (width // 40),
        r=width // 12,
    )


@register.simple_tag
def widget(field, **attrs):
    """Render a field's widget tied to its help text and errors for screen readers."""
    extra = {}
    described = []
    if field.errors:
        described.append(f"{field.auto_id}_error")
        extra["aria-invalid"] = "true"
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if described:
        extra["aria-describedby"] = " ".join(described)
    extra.update({name.replace("_", "-"): value for name, value in attrs.items()})
    return field.as_widget(attrs=extra)


@register.filter
def error_id(field) -> str:
    return f"{field.auto_id}_error" if field.errors else ""


@register.filter
def pending_slots(generation) -> range:
    """Placeholders still owed by a running generation (its variations minus images so far)."""
    done = getattr(generation, "image_count", 0) or 0
    return range(max(0, generation.num_variations - done))
