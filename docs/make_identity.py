"""Draw the portal's raster icons and its social-media preview image with Pillow.

    .venv/bin/python docs/make_identity.py

Writes static/img/favicon.ico (16, 32, 48 px), apple-touch-icon.png (180 px),
icon-192.png, icon-512.png and og-default.png (1200 x 630). The geometry is the
one of static/img/logo-mark.svg (a 64-unit square): two circles, the two sides of
a conflict, whose overlap - the common ground - is filled. Everything is drawn
at eight times the size and scaled down, which gives smooth edges.
"""

from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

IMG = Path(__file__).resolve().parent.parent / "static" / "img"
PRIMARY = "#0b5a73"
ACCENT = "#f2b84b"
WHITE = "#ffffff"
SUPERSAMPLE = 8
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FONT_REGULAR = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def mark(size: int, *, rounded: bool = True) -> Image.Image:
    """The mark as an RGBA image of `size` pixels."""
    big = size * SUPERSAMPLE
    unit = big / 64

    def circle_box(cx: float, cy: float, r: float) -> tuple[float, float, float, float]:
        return (cx - r) * unit, (cy - r) * unit, (cx + r) * unit, (cy + r) * unit

    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=14 * unit, fill=PRIMARY)
    else:  # touch icons: the platform rounds the corners itself
        draw.rectangle((0, 0, big - 1, big - 1), fill=PRIMARY)
    # The common ground: the intersection of the two discs.
    left = Image.new("L", (big, big), 0)
    ImageDraw.Draw(left).ellipse(circle_box(25, 32, 13), fill=255)
    right = Image.new("L", (big, big), 0)
    ImageDraw.Draw(right).ellipse(circle_box(39, 32, 13), fill=255)
    lens = ImageChops.multiply(left, right)
    image.paste(Image.new("RGBA", (big, big), ACCENT), (0, 0), lens)
    for cx in (25, 39):
        draw.ellipse(circle_box(cx, 32, 15), outline=WHITE, width=round(4 * unit))
    return image.resize((size, size), Image.Resampling.LANCZOS)


def touch_icon(size: int) -> Image.Image:
    """A square icon with some air around the mark (platforms crop the edges)."""
    icon = mark(size, rounded=False)
    return icon.convert("RGB")


def og_image() -> Image.Image:
    """1200 x 630: mark, the centre's full name and what it offers."""
    width, height = 1200, 630
    image = Image.new("RGB", (width, height), PRIMARY)
    draw = ImageDraw.Draw(image)
    image.paste(mark(150), (80, 80), mark(150))
    bold = ImageFont.truetype(FONT_BOLD, 60)
    regular = ImageFont.truetype(FONT_REGULAR, 30)
    draw.text((80, 290), "Kompetenzzentrum", font=bold, fill=WHITE)
    draw.text((80, 365), "Kommunale Konfliktberatung", font=bold, fill=WHITE)
    draw.text((80, 475), "Beratung für Gemeinden, Städte und Landkreise", font=regular, fill=WHITE)
    draw.rectangle((0, height - 40, width, height), fill=ACCENT)
    return image


def main() -> None:
    mark(48).save(IMG / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    touch_icon(180).save(IMG / "apple-touch-icon.png", optimize=True)
    touch_icon(192).save(IMG / "icon-192.png", optimize=True)
    touch_icon(512).save(IMG / "icon-512.png", optimize=True)
    og_image().save(IMG / "og-default.png", optimize=True)


if __name__ == "__main__":
    main()
