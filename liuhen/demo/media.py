"""Small but real media files for the demo, generated on the spot (no binary fixtures in the repo).

- :func:`make_jpeg`: a ~640x480 JPEG "scene photo" with a recorder-style overlay and EXIF
  (DateTimeOriginal, Make, Model), as a law-enforcement recorder or camera would write it.
- :func:`make_scan`: a JPEG "scan" of a paper document (书证扫描件).
- :func:`make_video`: an H.264 (libx264; MPEG-4 Part 2 if libx264 is missing) MP4, 320x240,
  with a moving pattern and an AAC sine-tone track.
- :func:`make_audio`: an AAC ``.m4a`` with a sine tone.
"""

from __future__ import annotations

import math
import random
from array import array
from datetime import datetime
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageDraw, ImageFont

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont

# Where Debian's CJK font packages put their fonts (fonts-noto-cjk, fonts-wqy-*, fonts-arphic-*).
CJK_FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)

AUDIO_RATE = 44100
_AUDIO_FRAME = 1024  # samples per AAC frame


@cache
def _cjk_font_path() -> str | None:
    for candidate in CJK_FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return None


def _font(size: int) -> tuple[FontType, bool]:
    """A font of about ``size`` px and whether it can draw Chinese."""
    path = _cjk_font_path()
    if path is not None:
        return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size=size), False


def _drawable(text: str, cjk: bool) -> str:
    """Without a CJK font, keep the characters the fallback font can draw."""
    return text if cjk else "".join(ch for ch in text if ch.isascii()).strip()


def make_jpeg(
    path: str | Path,
    text: str,
    seed: int,
    *,
    taken_at: datetime | None = None,
    make: str = "Liuhen Demo",
    model: str = "DSJ-V9",
    recorder_no: str = "DSJ-0001",
) -> Path:
    """Draw a scene (shelves with boxes, a counter, a sign) varying with ``seed``, a caption and a
    recorder-style timestamp overlay, and write it with EXIF metadata."""
    rng = random.Random(seed)
    width, height = 640, 480
    top = (rng.randint(150, 220), rng.randint(170, 230), rng.randint(190, 240))
    bottom = (rng.randint(90, 140), rng.randint(90, 130), rng.randint(80, 120))
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        draw.line(
            [(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    # Shelves with boxes of medicine.
    for shelf in range(4):
        y = 70 + shelf * 80
        draw.rectangle([30, y + 58, 420, y + 66], fill=(110, 80, 50))
        x = 36
        while x < 405:
            box_w, box_h = rng.randint(18, 46), rng.randint(24, 56)
            colour = (rng.randint(40, 250), rng.randint(40, 250), rng.randint(40, 250))
            draw.rectangle(
                [x, y + 58 - box_h, min(x + box_w, 416), y + 58], fill=colour, outline=(30, 30, 30)
            )
            x += box_w + rng.randint(2, 8)
    # Counter and a sign.
    draw.rectangle([450, 250, 620, 430], fill=(200, 200, 205), outline=(60, 60, 60), width=3)
    draw.rectangle([462, 262, 608, 300], fill=(20, 120, 60))
    draw.ellipse([500, 320, 570, 390], outline=(180, 30, 30), width=5)
    # Caption and recorder overlay.
    caption_font, cjk = _font(24)
    overlay_font, _ = _font(16)
    when = taken_at or datetime(2025, 3, 12, 9, 30)
    caption = _drawable(text, cjk)
    draw.rectangle([0, height - 44, width, height], fill=(0, 0, 0))
    if caption:
        draw.text((12, height - 38), caption, font=caption_font, fill=(255, 255, 255))
    draw.text((12, 10), f"{when:%Y-%m-%d %H:%M:%S}  {recorder_no}", font=overlay_font, fill=(255, 235, 0))
    draw.text((width - 150, 10), f"No.{seed:04d}", font=overlay_font, fill=(255, 235, 0))

    exif = image.getexif()
    stamp = f"{when:%Y:%m:%d %H:%M:%S}"
    exif[ExifTags.Base.Make] = make
    exif[ExifTags.Base.Model] = model
    exif[ExifTags.Base.DateTime] = stamp
    exif[ExifTags.Base.Software] = "liuhen demo"
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    exif_ifd[ExifTags.Base.DateTimeOriginal] = stamp
    exif_ifd[ExifTags.Base.DateTimeDigitized] = stamp
    target = Path(path)
    image.save(target, "JPEG", quality=85, exif=exif)
    return target


def make_scan(path: str | Path, title: str, lines: list[str], seed: int) -> Path:
    """A grey-ish A4-proportioned "scan" of a paper document: title, text lines, a red seal."""
    rng = random.Random(seed)
    width, height = 620, 877
    image = Image.new("RGB", (width, height), (246, 244, 238))
    draw = ImageDraw.Draw(image)
    for _ in range(400):  # scanner speckle
        x, y = rng.randrange(width), rng.randrange(height)
        shade = rng.randint(200, 235)
        draw.point((x, y), fill=(shade, shade, shade))
    title_font, cjk = _font(28)
    body_font, _ = _font(18)
    heading = _drawable(title, cjk)
    if heading:
        box = draw.textbbox((0, 0), heading, font=title_font)
        draw.text(((width - (box[2] - box[0])) // 2, 60), heading, font=title_font, fill=(20, 20, 20))
    y = 130
    for line in lines:
        text = _drawable(line, cjk)
        if not text:
            text = "-" * rng.randint(20, 40)
        draw.text((60, y), text, font=body_font, fill=(35, 35, 35))
        y += 34
        if y > height - 180:
            break
    cx, cy = width - 170, height - 150
    draw.ellipse([cx - 60, cy - 60, cx + 60, cy + 60], outline=(200, 30, 30), width=5)
    draw.regular_polygon((cx, cy, 18), 5, fill=(200, 30, 30))
    target = Path(path)
    image.save(target, "JPEG", quality=80)
    return target


@cache
def video_codec() -> str:
    """libx264 when PyAV's FFmpeg has it, else the built-in MPEG-4 Part 2 encoder."""
    import av

    return "libx264" if "libx264" in av.codecs_available else "mpeg4"


def _tone(start: int, count: int, freq: float, volume: float = 0.3) -> bytes:
    samples = array(
        "f", (volume * math.sin(2 * math.pi * freq * (start + i) / AUDIO_RATE) for i in range(count))
    )
    return samples.tobytes()


def _audio_frames(seconds: float, freq: float) -> Any:
    import av

    total = int(seconds * AUDIO_RATE)
    for start in range(0, total, _AUDIO_FRAME):
        count = min(_AUDIO_FRAME, total - start)
        frame = av.AudioFrame(format="flt", layout="mono", samples=count)
        frame.planes[0].update(_tone(start, count, freq))
        frame.sample_rate = AUDIO_RATE
        frame.pts = start
        frame.time_base = Fraction(1, AUDIO_RATE)
        yield frame


def _add_audio_stream(container: Any) -> Any:
    stream = container.add_stream("aac", rate=AUDIO_RATE)
    stream.layout = "mono"
    stream.format = "fltp"
    return stream


def _encode_audio(container: Any, stream: Any, seconds: float, freq: float) -> None:
    import av

    # AAC wants planar float in fixed-size frames: resample (and re-chunk) our packed frames.
    resampler = av.AudioResampler(format="fltp", layout="mono", rate=AUDIO_RATE, frame_size=_AUDIO_FRAME)
    for frame in _audio_frames(seconds, freq):
        for out in resampler.resample(frame):
            container.mux(stream.encode(out))
    for out in resampler.resample(None):
        container.mux(stream.encode(out))
    container.mux(stream.encode(None))


def make_video(path: str | Path, seconds: float = 3, *, fps: int = 25, text: str = "") -> Path:
    """A short MP4: 320x240, a bar sweeping over a grid, a frame counter; AAC 440 Hz tone."""
    import av

    target = Path(path)
    width, height = 320, 240
    font, cjk = _font(14)
    label = _drawable(text, cjk)
    with av.open(str(target), mode="w", format="mp4") as container:
        codec = video_codec()
        options = {"preset": "ultrafast", "crf": "28"} if codec == "libx264" else {}
        video: Any = container.add_stream(codec, rate=fps, options=options)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = _add_audio_stream(container)
        frames = int(seconds * fps)
        for index in range(frames):
            image = Image.new("RGB", (width, height), (30, 40, 60))
            draw = ImageDraw.Draw(image)
            for gx in range(0, width, 40):
                draw.line([(gx, 0), (gx, height)], fill=(60, 80, 110))
            for gy in range(0, height, 40):
                draw.line([(0, gy), (width, gy)], fill=(60, 80, 110))
            x = int((index / max(frames - 1, 1)) * (width - 60))
            draw.rectangle([x, 90, x + 60, 150], fill=(230, 120, 30))
            draw.ellipse([width - x - 40, 170, width - x, 210], fill=(40, 200, 120))
            draw.text((8, 6), f"REC {index / fps:05.2f}s  #{index:03d}", font=font, fill=(255, 235, 0))
            if label:
                draw.text((8, height - 22), label, font=font, fill=(255, 255, 255))
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        _encode_audio(container, audio, seconds, 440.0)
    return target


def make_audio(path: str | Path, seconds: float = 3, *, freq: float = 523.25) -> Path:
    """An AAC ``.m4a`` with a sine tone."""
    import av

    target = Path(path)
    with av.open(str(target), mode="w", format="mp4") as container:
        stream = _add_audio_stream(container)
        _encode_audio(container, stream, seconds, freq)
    return target
