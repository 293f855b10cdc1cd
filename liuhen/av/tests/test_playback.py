"""The evidence page of an audio-visual item (issue 5 point 5; AV-9, AC-1): it plays the original (or
its playback copy) with HTTP range requests served from the vault file, shows metadata, both digests
and the item's ledger trail, and every playback or download is a ledger access entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from liuhen.av import derivatives
from liuhen.av.models import DerivativeKind, MediaItem
from liuhen.av.playback import RangeNotSatisfiable, parse_range
from liuhen.av.testing import make_ffmpeg_media
from liuhen.av.tests.conftest import Av
from liuhen.conftest import login
from liuhen.ledger.models import LedgerEntry
from liuhen.vault.services import get_storage

pytestmark = pytest.mark.django_db


def _item(av: Av, minutes: float = 1, mpeg2: bool = False) -> MediaItem:
    if mpeg2:
        path = make_ffmpeg_media(av.dock / av.name(minutes, ext="mpg"), seconds=1)
    else:
        path = av.video(av.name(minutes), seconds=2)
    av.run()
    item = MediaItem.objects.select_related("blob").get(filename=Path(path).name)
    with TestCase.captureOnCommitCallbacks(execute=True):
        derivatives.produce_all(item.pk)
    return item


def _bytes(item: MediaItem) -> bytes:
    with get_storage().open(item.blob.storage_key) as fh:
        return fh.read()


def _body(response: object) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]


def _plays(item: MediaItem) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(
            object_type="av.mediaitem", object_id=str(item.pk), action__in=("av.play", "av.download")
        ).order_by("seq")
    )


def test_parse_range_forms() -> None:
    assert parse_range("bytes=0-99", 1000) == (0, 99)
    assert parse_range("bytes=500-", 1000) == (500, 999)
    assert parse_range("bytes=-100", 1000) == (900, 999)
    assert parse_range("bytes=900-5000", 1000) == (900, 999)
    assert parse_range("bytes=5-1", 1000) is None  # invalid: ignored, whole file
    assert parse_range("items=0-1", 1000) is None
    assert parse_range("bytes=0-1,5-6", 1000) is None  # several ranges: whole file
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=1000-", 1000)
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=-0", 1000)


def test_av_9_range_requests_first_middle_suffix_and_416(client: Client, av: Av) -> None:
    item = _item(av)
    data = _bytes(item)
    size = len(data)
    url = reverse("av:media", args=[item.pk, "original"])
    login(client, av.org.officer_a1)

    first = client.get(url, HTTP_RANGE="bytes=0-99")
    assert first.status_code == 206 and first["Content-Range"] == f"bytes 0-99/{size}"
    assert first["Content-Length"] == "100" and _body(first) == data[:100]
    assert first["Accept-Ranges"] == "bytes" and first["Content-Type"] == "video/mp4"
    assert first["Content-Disposition"].startswith("inline")

    middle = client.get(url, HTTP_RANGE=f"bytes=1000-{size // 2}")
    assert middle.status_code == 206 and middle["Content-Range"] == f"bytes 1000-{size // 2}/{size}"
    assert _body(middle) == data[1000 : size // 2 + 1]

    suffix = client.get(url, HTTP_RANGE="bytes=-500")
    assert suffix.status_code == 206 and suffix["Content-Range"] == f"bytes {size - 500}-{size - 1}/{size}"
    assert _body(suffix) == data[-500:]

    beyond = client.get(url, HTTP_RANGE=f"bytes={size}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{size}"

    whole = client.get(url)
    assert whole.status_code == 200 and whole["Content-Length"] == str(size) and _body(whole) == data
    assert client.head(url, HTTP_RANGE="bytes=0-9")["Content-Range"] == f"bytes 0-9/{size}"


def test_ac_1_each_playback_and_download_is_a_ledger_entry(client: Client, av: Av, settings: Any) -> None:
    item = _item(av)
    url = reverse("av:media", args=[item.pk, "original"])
    login(client, av.org.officer_a1)
    _body(client.get(url, HTTP_RANGE="bytes=0-"))  # the player starts: logged
    _body(client.get(url, HTTP_RANGE="bytes=4096-"))  # seeking in the same playback: not again
    client.head(url)  # HEAD reads nothing
    assert client.get(url, HTTP_RANGE="bytes=999999999-").status_code == 416  # nothing served
    plays = _plays(item)
    assert [e.action for e in plays] == ["av.play"]
    assert plays[0].actor_id == av.org.officer_a1.pk and '"range":"0-' in plays[0].payload
    _body(client.get(url + "?download=1"))
    assert [e.action for e in _plays(item)] == ["av.play", "av.download"]
    # A range request with no logged playback of this person within the window is logged too:
    # no read goes unlogged by starting past byte 0.
    settings.LIUHEN_AV_ACCESS_WINDOW_SECONDS = 0
    _body(client.get(url, HTTP_RANGE="bytes=4096-"))
    assert [e.action for e in _plays(item)] == ["av.play", "av.download", "av.play"]


def test_av_9_page_plays_the_copy_and_shows_metadata_digests_and_trail(client: Client, av: Av) -> None:
    item = _item(av, mpeg2=True)
    login(client, av.org.officer_a1)
    page = client.get(reverse("av:detail", args=[item.pk])).content.decode()
    playback_url = reverse("av:media", args=[item.pk, "playback"])
    assert 'data-testid="player"' in page and playback_url in page and 'type="video/mp4"' in page
    assert reverse("av:media", args=[item.pk, "poster"]) in page
    assert item.blob.sm3 in page and item.blob.sha256 in page and "mpeg2video" in page
    for action in ("av.import", "av.source", "av.derive", "blob.ingest"):
        assert f'data-action="{action}"' in page, action
    assert page.count('data-kind="playback"') == 1 and 'data-status="done"' in page
    copy = client.get(playback_url, HTTP_RANGE="bytes=0-1")
    assert copy.status_code == 206 and copy["Content-Type"] == "video/mp4"
    poster = client.get(reverse("av:media", args=[item.pk, "poster"]))
    assert poster.status_code == 200 and poster["Content-Type"] == "image/jpeg"
    assert [e.action for e in _plays(item)] == ["av.play"]  # the copy's playback; posters are not logged
    # The access shows in the trail on the next visit.
    page = client.get(reverse("av:detail", args=[item.pk])).content.decode()
    assert 'data-action="av.play"' in page


def test_av_9_pending_and_failed_derivatives_are_shown(client: Client, av: Av) -> None:
    path = make_ffmpeg_media(av.dock / av.name(2, ext="mpg"), seconds=1)
    bad = av.dock / av.name(3, seq=2)
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 5000)
    av.run()
    login(client, av.org.officer_a1)
    pending = MediaItem.objects.get(filename=path.name)
    page = client.get(reverse("av:detail", args=[pending.pk])).content.decode()
    assert 'data-testid="derivatives-pending"' in page and 'data-testid="player"' not in page
    assert client.get(reverse("av:media", args=[pending.pk, "playback"])).status_code == 404
    broken = MediaItem.objects.get(filename=bad.name)
    with TestCase.captureOnCommitCallbacks(execute=True):
        derivatives.produce_all(broken.pk)
    page = client.get(reverse("av:detail", args=[broken.pk])).content.decode()
    assert 'data-testid="derivative-error"' in page and "ffmpeg 退出码" in page
    assert "未能生成播放副本" in page


def test_ac_1_no_access_to_files_of_an_item_one_cannot_see(client: Client, av: Av) -> None:
    item = _item(av, minutes=3)
    login(client, av.org.officer_b1)
    for which in ("original", "playback", "poster"):
        assert client.get(reverse("av:media", args=[item.pk, which])).status_code == 404
    login(client, av.org.officer_a1)
    assert client.get(reverse("av:media", args=[item.pk, "bogus"])).status_code == 404
    assert client.get(reverse("av:media", args=[item.pk, "poster"])).status_code == 200
    assert derivatives.needed_kinds(item) == [DerivativeKind.POSTER]
