"""Photos on ideas and help requests: what is taken, what is kept of it, who sees it.

Every picture here is made by Pillow in the test itself, and read back with Pillow.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from html import unescape

import pytest
from PIL import Image, ImageCms, PngImagePlugin
from sqlalchemy import select

from board.extensions import db
from board.models import Idea
from board.moderation.models import ModerationAction
from board.photos import SIZES, Photo
from helpers import count_rows, field_error, input_value, make_test_app, text_of, textarea_value

# --- Pictures made here ----------------------------------------------------------------


def picture(fmt="JPEG", size=(400, 200), colour=(200, 40, 40), **save) -> bytes:
    """A picture: a colour with a white square in its top left corner, so "upright" shows."""
    mode = "RGBA" if fmt in ("PNG", "WEBP") and save.pop("alpha", False) else "RGB"
    image = Image.new(mode, size, colour if mode == "RGB" else (*colour, 120))
    image.paste((255, 255, 255) if mode == "RGB" else (255, 255, 255, 255), (0, 0, size[0] // 4, size[1] // 4))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def jpeg_with_gps_and_orientation(orientation: int | None = None) -> bytes:
    """A JPEG as a phone makes it: camera, date, GPS position, a colour profile, a comment."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0132] = "2026:05:01 10:00:00"  # DateTime
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return picture("JPEG", exif=exif, icc_profile=profile, comment=b"Taken at home, 12 Elm Road")


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Taken at home, 12 Elm Road")
    info.add_text("XML:com.adobe.xmp", "<x:xmpmeta>secret</x:xmpmeta>")
    return picture("PNG", pnginfo=info)


def png_bomb() -> bytes:
    """A small PNG that claims to be 60000 x 60000 pixels (3.6 gigapixels)."""
    data = bytearray(picture("PNG", size=(8, 8)))
    # The IHDR chunk's width and height are its first 8 bytes (after the 16 of signature and header).
    data[16:24] = (60000).to_bytes(4, "big") + (60000).to_bytes(4, "big")
    # With a CRC that matches, so that only the size gives it away.
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    return bytes(data)


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>')


# --- Helpers ----------------------------------------------------------------------------


def photo_file(data: bytes, name="photo.jpg", mimetype="image/jpeg"):
    return (io.BytesIO(data), name, mimetype)


def post_idea(client, *photos, title="A community fridge", description="Share food, waste less.", **fields):
    """Post an idea with photos: each a (bytes, description) pair, or bytes with a name and type."""
    data = {"title": title, "description": description, **fields}
    for number, photo in enumerate(photos, 1):
        content, alt, name, mimetype = (*photo, "photo.jpg", "image/jpeg")[:4]
        data[f"photo_{number}"] = photo_file(content, name, mimetype)
        data[f"photo_{number}_description"] = alt
    return client.post("/ideas/new", data=data, content_type="multipart/form-data")


def stored(app, model=Photo, *where):
    with app.app_context():
        rows = db.session.scalars(select(model).where(*where).order_by(model.id)).all()
        for row in rows:
            if model is Photo:
                for size in SIZES:
                    getattr(row, size)  # load the bytes before leaving
            db.session.expunge(row)
        return rows


def image_urls(response) -> list[str]:
    return re.findall(r'<img src="(/photos/[^"]+)"', response.get_data(as_text=True))


def only_idea(app) -> Idea:
    ideas = stored(app, Idea)
    assert len(ideas) == 1
    return ideas[0]


def hide_photo(client, photo_id, action="hide"):
    return client.post(f"/moderation/photo/{photo_id}", data={"action": action, "reason": "Shows a car's number plate."})


# --- Taking photos ----------------------------------------------------------------------


def test_jpeg_png_and_webp_photos_are_taken_and_shown_on_the_idea(app, client, make_user, auth):
    auth.sign_in(make_user())
    response = post_idea(
        client,
        (picture("JPEG"), "The empty shop on Mill Street"),
        (picture("PNG", alpha=True), "A plan of the shelves", "plan.png", "image/png"),
        (picture("WEBP"), "The fridge we could use", "fridge.webp", "image/webp"),
    )
    assert response.status_code == 302
    photos = stored(app)
    assert [p.alt for p in photos] == ["The empty shop on Mill Street", "A plan of the shelves",
                                       "The fridge we could use"]
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    for photo in photos:
        large, medium = photo.filename("large"), photo.filename("medium")
        assert re.search(rf'<a href="/photos/{large}"><img src="/photos/{medium}" alt="{re.escape(photo.alt)}" '
                         rf'width="{photo.medium_width}" height="{photo.medium_height}" loading="lazy"', html)
        served = client.get(f"/photos/{large}")
        assert served.status_code == 200
        assert Image.open(io.BytesIO(served.data)).format == "WEBP"


def test_a_transparent_photo_is_flattened_on_white(app, client, make_user, auth):
    auth.sign_in(make_user())
    post_idea(client, (picture("PNG", alpha=True, size=(40, 40)), "A plan", "plan.png", "image/png"))
    (photo,) = stored(app)
    image = Image.open(io.BytesIO(photo.large))
    assert image.mode == "RGB"
    # 120 of 255 red over white: pink, not dark red over black.
    r, g, b = image.getpixel((35, 35))
    assert r > 200 and g > 100 and b > 100


def test_a_photo_keeps_no_gps_location_or_other_metadata(app, client, make_user, auth):
    auth.sign_in(make_user())
    phone = jpeg_with_gps_and_orientation()
    assert Image.open(io.BytesIO(phone)).getexif().get_ifd(0x8825)  # the picture sent has GPS
    response = post_idea(client, (phone, "The bench"), (png_with_text(), "The plan", "plan.png", "image/png"))
    assert response.status_code == 302
    for photo in stored(app):
        for size in SIZES:
            data = getattr(photo, size)
            image = Image.open(io.BytesIO(data))
            assert dict(image.getexif()) == {}, size
            assert not {"exif", "icc_profile", "xmp", "comment", "Comment", "XML:com.adobe.xmp"} & set(image.info), size
            assert b"Elm Road" not in data and b"PhoneMaker" not in data and b"secret" not in data


def test_a_photo_taken_sideways_is_kept_upright(app, client, make_user, auth):
    auth.sign_in(make_user())
    # 400 x 200 as stored by the camera, with "turn 90° clockwise to view" (orientation 6).
    response = post_idea(client, (jpeg_with_gps_and_orientation(orientation=6), "The bench"))
    assert response.status_code == 302
    (photo,) = stored(app)
    assert (photo.large_width, photo.large_height) == (200, 400)
    image = Image.open(io.BytesIO(photo.large))
    assert image.size == (200, 400)
    # The white corner, top left as taken, is now at the top right.
    assert min(image.getpixel((190, 10))) > 200 and image.getpixel((10, 10))[1] < 120


def test_a_large_photo_is_kept_at_three_sizes_none_larger_than_sent(app, client, make_user, auth):
    auth.sign_in(make_user())
    post_idea(client, (picture("JPEG", size=(3000, 2000)), "The park"))
    (photo,) = stored(app)
    assert (photo.large_width, photo.large_height) == (1600, 1067)
    assert (photo.medium_width, photo.medium_height) == (800, 533)
    assert (photo.thumb_width, photo.thumb_height) == (320, 213)
    for size in SIZES:
        assert Image.open(io.BytesIO(getattr(photo, size))).size == (getattr(photo, f"{size}_width"),
                                                                     getattr(photo, f"{size}_height"))


def test_a_help_request_takes_photos_too(app, client, make_user, auth):
    auth.sign_in(make_user())
    response = client.post("/help/new", data={
        "title": "A van on Saturday", "details": "To move benches.", "skills": "van", "kind": "skills",
        "photo_1": photo_file(picture()), "photo_1_description": "The benches to move",
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    (photo,) = stored(app)
    assert photo.help_request_id is not None and photo.idea_id is None
    page = client.get(response.headers["Location"])
    assert 'alt="The benches to move"' in page.get_data(as_text=True)
    auth.logout()  # a visitor's page reads the request as a row, and its photos by themselves
    page = client.get(response.headers["Location"])
    assert f'src="/photos/{photo.filename("medium")}" alt="The benches to move"' in page.get_data(as_text=True)
    listed = client.get("/help")
    assert f'src="/photos/{photo.filename("thumb")}" alt="The benches to move"' in listed.get_data(as_text=True)


# --- Refusing what is not a photo ---------------------------------------------------------

REFUSED = {
    "text_named_jpg": (b"Just some words, not a photo at all.\n" * 10, "photo.jpg", "image/jpeg",
                       "is not a photo the board can take"),
    "svg_with_script": (SVG, "photo.svg", "image/svg+xml", "is not a photo the board can take"),
    "html_named_png": (b"<!doctype html><html><script>alert(1)</script></html>", "photo.png", "image/png",
                       "is not a photo the board can take"),
    "gif": (None, "photo.gif", "image/gif", "is not a photo the board can take"),
    "png_decompression_bomb": (None, "bomb.png", "image/png", "too large to take"),
    "truncated_jpeg": (None, "half.jpg", "image/jpeg", "is not a photo the board can take"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_what_is_not_a_photo_is_refused_next_to_its_field_and_nothing_typed_is_lost(app, client, make_user,
                                                                                   auth, case):
    content, name, mimetype, message = REFUSED[case]
    if case == "gif":
        content = picture("GIF")
    elif case == "png_decompression_bomb":
        content = png_bomb()
        assert len(content) < 1000
    elif case == "truncated_jpeg":
        content = picture("JPEG", size=(800, 600))[:600]
    auth.sign_in(make_user())
    response = post_idea(client, (content, "What it shows", name, mimetype),
                         title="Keep my title", description="Keep my words.")
    assert response.status_code == 422
    assert message in field_error(response, "photo_1")
    assert input_value(response, "title") == "Keep my title"
    assert textarea_value(response, "description") == "Keep my words."
    assert input_value(response, "photo_1_description") == "What it shows"
    assert "There is a problem" in text_of(response)
    assert count_rows(app, Photo) == 0
    assert count_rows(app, Idea) == 0


def test_a_photo_over_the_size_limit_is_refused(app, client, make_user, auth):
    app.config["PHOTO_MAX_BYTES"] = 20_000
    auth.sign_in(make_user())
    big = Image.effect_noise((300, 300), 100).convert("RGB")
    buffer = io.BytesIO()
    big.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 20_000
    response = post_idea(client, (buffer.getvalue(), "Noise", "noise.png", "image/png"))
    assert response.status_code == 422
    assert "a photo can be at most" in field_error(response, "photo_1")
    assert count_rows(app, Photo) == 0


def test_a_request_far_over_the_photo_limits_gets_the_friendly_too_big_page(app, client, make_user, auth):
    app.config["PHOTO_MAX_BYTES"] = 10_000
    auth.sign_in(make_user())
    response = post_idea(client, (b"\xff" * (2 * 1024 * 1024), "Huge"))
    assert response.status_code == 413
    assert "That was too big to send" in text_of(response)
    assert count_rows(app, Idea) == 0


def test_text_over_a_megabyte_is_still_too_big_on_a_form_with_photos(app, client, make_user, auth):
    auth.sign_in(make_user())
    response = post_idea(client, (picture(), "A photo"), description="x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert count_rows(app, Idea) == 0


def test_four_photos_of_the_largest_size_fit_in_one_request(app, make_user):
    with app.test_request_context("/ideas/new", method="POST", content_type="multipart/form-data; boundary=x"):
        app.preprocess_request()
        from flask import request
        config = app.config
        assert request.max_content_length >= config["MAX_CONTENT_LENGTH"] + config["MAX_PHOTOS"] * config["PHOTO_MAX_BYTES"]


def test_a_photo_without_a_description_is_refused(app, client, make_user, auth):
    auth.sign_in(make_user())
    response = post_idea(client, (picture(), ""), title="Keep my title")
    assert response.status_code == 422
    assert field_error(response, "photo_1_description") == "Error: Describe photo 1 for people who cannot see it."
    assert input_value(response, "title") == "Keep my title"
    assert count_rows(app, Photo) == 0


def test_a_description_without_a_photo_asks_for_the_photo(app, client, make_user, auth):
    auth.sign_in(make_user())
    response = client.post("/ideas/new", data={"title": "T", "description": "D",
                                               "photo_1_description": "The bench"},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose the photo this description is for" in field_error(response, "photo_1")
    assert input_value(response, "photo_1_description") == "The bench"


def test_one_photo_too_many_is_refused(app, client, make_user, auth):
    app.config["MAX_PHOTOS"] = 2
    auth.sign_in(make_user())
    assert post_idea(client, (picture(), "One"), (picture(), "Two")).status_code == 302
    idea = only_idea(app)
    form = client.get(f"/ideas/{idea.id}/edit")
    assert "This idea has 2 photos, the most it can have." in text_of(form)
    assert 'name="photo_1"' not in form.get_data(as_text=True)
    response = client.post(f"/ideas/{idea.id}/edit", data={
        "title": "Still mine", "description": "D", "photo_1": photo_file(picture()),
        "photo_1_description": "Three",
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "An idea can have at most 2 photos" in text_of(response)
    assert count_rows(app, Photo) == 2


def test_the_forms_take_files_and_say_what_a_good_description_is(client, make_user, auth):
    auth.sign_in(make_user())
    for page in ("/ideas/new", "/help/new"):
        html = client.get(page).get_data(as_text=True)
        assert 'enctype="multipart/form-data"' in html
        assert html.count('type="file"') == 4
        assert 'accept="image/jpeg,image/png,image/webp"' in html
        assert "for people who cannot see it" in html


# --- Changing photos: only the author ---------------------------------------------------


def test_the_author_removes_a_photo_and_adds_another(app, client, make_user, auth):
    auth.sign_in(make_user())
    post_idea(client, (picture(), "One"), (picture(colour=(0, 0, 200)), "Two"))
    idea, (first, _second) = only_idea(app), stored(app)
    form = client.get(f"/ideas/{idea.id}/edit").get_data(as_text=True)
    assert f'value="{first.id}"' in form and "Remove photo 1 (“One”)" in form
    response = client.post(f"/ideas/{idea.id}/edit", data={
        "title": "T", "description": "D", "remove_photos": [str(first.id)],
        "photo_1": photo_file(picture(colour=(0, 200, 0))), "photo_1_description": "Three",
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    assert [p.alt for p in stored(app)] == ["Two", "Three"]
    assert client.get(f"/photos/{first.filename('large')}").status_code == 404


def test_someone_else_cannot_add_or_remove_photos_on_my_idea(app, client, make_user, auth):
    auth.sign_in(make_user("owner"))
    post_idea(client, (picture(), "Mine"))
    idea, (photo,) = only_idea(app), stored(app)
    auth.sign_in(make_user("intruder"))
    for data in ({"remove_photos": [str(photo.id)]},
                 {"photo_1": photo_file(picture()), "photo_1_description": "Not theirs"}):
        response = client.post(f"/ideas/{idea.id}/edit", data={"title": "T", "description": "D", **data},
                               content_type="multipart/form-data")
        assert response.status_code == 403
    assert [p.alt for p in stored(app)] == ["Mine"]


def test_a_photo_of_another_post_cannot_be_removed_through_mine(app, client, make_user, auth):
    auth.sign_in(make_user("owner"))
    post_idea(client, (picture(), "Theirs"))
    (theirs,) = stored(app)
    auth.sign_in(make_user("other"))
    post_idea(client, title="Mine", similar_seen="1")  # the step offering "Theirs" was seen
    mine = stored(app, Idea, Idea.title == "Mine")[0]
    response = client.post(f"/ideas/{mine.id}/edit", data={
        "title": "Mine", "description": "D", "remove_photos": [str(theirs.id)]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert count_rows(app, Photo) == 1


# --- Serving --------------------------------------------------------------------------------


def test_a_photo_is_served_with_its_type_and_kept_by_browsers_for_a_year(app, client, make_user, auth):
    auth.sign_in(make_user())
    post_idea(client, (picture(), "The bench"))
    (photo,) = stored(app)
    auth.logout()
    for size in SIZES:
        response = client.get(f"/photos/{photo.filename(size)}")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "image/webp"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.data == getattr(photo, size)
    again = client.get(f"/photos/{photo.filename('large')}", headers={"If-None-Match": f'"{photo.filename("large")}"'})
    assert again.status_code == 304


@pytest.mark.parametrize("name", ["0" * 64 + "-large.webp", "abc-large.webp", "{digest}-huge.webp",
                                  "{digest}-large.jpg", "{digest}-large.svg", "{digest}-large.webp.html"])
def test_addresses_that_name_no_photo_are_not_found(app, client, make_user, auth, name):
    auth.sign_in(make_user())
    post_idea(client, (picture(), "The bench"))
    (photo,) = stored(app)
    assert client.get("/photos/" + name.format(digest=photo.digest)).status_code == 404


def test_a_hidden_photo_is_not_served_to_anyone_but_its_author_and_staff(app, client, make_user, auth):
    author = make_user("author")
    auth.sign_in(author)
    post_idea(client, (picture(), "A car's number plate"), (picture(colour=(0, 0, 200)), "The bench"))
    idea, (plate, bench) = only_idea(app), stored(app)
    url = f"/photos/{plate.filename('large')}"
    auth.logout()
    assert client.get(url).status_code == 200  # a visitor sees it, and this worker may keep pages
    auth.sign_in(make_user("mod", role="moderator"))
    assert hide_photo(client, plate.id).status_code == 302
    entry = stored(app, ModerationAction)[0]
    assert (entry.action, entry.target_kind, entry.target_id) == ("hide", "photo", plate.id)
    assert stored(app, Photo, Photo.id == plate.id)[0].hidden_by_id is not None
    staff_view = client.get(url)
    assert staff_view.status_code == 200 and staff_view.headers["Cache-Control"] == "private, no-store"
    auth.logout()
    assert client.get(url).status_code == 404  # at once, for the visitor who saw it a moment ago
    page = client.get(f"/ideas/{idea.id}")
    assert plate.digest not in page.get_data(as_text=True) and bench.digest in page.get_data(as_text=True)
    assert plate.digest not in client.get("/ideas").get_data(as_text=True)
    auth.sign_in(make_user("someone"))
    assert client.get(url).status_code == 404
    auth.logout()
    signed_in = auth.login("author")  # signing out above ended the author's first session
    assert signed_in.status_code == 302, text_of(signed_in)
    assert client.get(url).status_code == 200
    assert "A moderator has hidden this photo" in text_of(client.get(f"/ideas/{idea.id}"))
    auth.sign_in(make_user("mod2", role="moderator"))
    assert hide_photo(client, plate.id, "restore").status_code == 302
    auth.logout()
    assert client.get(url).status_code == 200


def test_the_moderation_log_names_the_hidden_photo(app, client, make_user, auth):
    auth.sign_in(make_user())
    post_idea(client, (picture(), "A car's number plate"))
    (photo,) = stored(app)
    auth.sign_in(make_user("mod", role="moderator"))
    page = client.get(f"/ideas/{only_idea(app).id}")
    assert f'/moderation/photo/{photo.id}' in page.get_data(as_text=True)
    hide_photo(client, photo.id)
    log = text_of(client.get("/moderation/log"))
    assert "Hid the photo" in log and "A car's number plate" in log


def test_photos_of_a_hidden_idea_are_not_served(app, client, make_user, auth):
    auth.sign_in(make_user())
    post_idea(client, (picture(), "The bench"))
    idea, (photo,) = only_idea(app), stored(app)
    auth.sign_in(make_user("mod", role="moderator"))
    client.post(f"/moderation/idea/{idea.id}", data={"action": "hide", "reason": "Spam."})
    auth.logout()
    assert client.get(f"/photos/{photo.filename('thumb')}").status_code == 404


def test_photos_of_a_deleted_idea_go_with_it(app, client, make_user, auth):
    auth.sign_in(make_user())
    post_idea(client, (picture(), "The bench"))
    idea, (photo,) = only_idea(app), stored(app)
    client.post(f"/ideas/{idea.id}/delete")
    assert count_rows(app, Photo) == 0
    assert client.get(f"/photos/{photo.filename('large')}").status_code == 404


def test_erasing_an_account_erases_its_photos_even_where_its_posts_stay(app, client, make_user, auth):
    person = make_user("leaving")
    auth.sign_in(person)
    post_idea(client, (picture(), "My front door"))
    (photo,) = stored(app)
    with app.app_context():
        from board.models import User
        from board.people.own_data import erase

        erase(db.session.get(User, person.id), keep_posts=True)
        db.session.commit()
    assert count_rows(app, Idea) == 1
    assert count_rows(app, Photo) == 0
    auth.logout()
    assert client.get(f"/photos/{photo.filename('large')}").status_code == 404


def test_my_data_download_holds_my_photos_as_files(app, client, make_user, auth):
    auth.sign_in(make_user())
    post_idea(client, (picture(), "The bench"))
    (photo,) = stored(app)
    response = client.post("/account/data")
    if response.status_code == 405:
        response = client.get("/account/data")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("my-data.json"))
    (entry,) = data["photos"]
    assert entry["description"] == "The bench" and entry["on"]["kind"] == "idea"
    assert archive.read(entry["file"]) == photo.large


# --- Lists, several servers, the API and feeds ------------------------------------------


def test_cards_show_the_first_photo_small(app, client, make_user, auth):
    auth.sign_in(make_user())
    post_idea(client, (picture(), "The bench"), (picture(), "The pond"), title="With photos")
    post_idea(client, title="Without")
    first = stored(app)[0]
    auth.logout()
    html = client.get("/ideas").get_data(as_text=True)
    assert html.count('class="card__thumb"') == 1
    assert (f'<img src="/photos/{first.filename("thumb")}" alt="The bench" width="{first.thumb_width}" '
            f'height="{first.thumb_height}" loading="lazy" class="card__thumb">') in html


def test_photos_show_on_both_of_two_app_servers_sharing_a_database(tmp_path, make_user):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    one, two = make_test_app(url), make_test_app(url)
    with one.app_context():
        db.create_all()
    from board.models import User
    from helpers import PASSWORD_HASH, Auth, saved

    with one.app_context():
        person = saved(User(username="poster", email="poster@example.org", password_hash=PASSWORD_HASH))
    first = one.test_client()
    Auth(first).sign_in(person)
    response = post_idea(first, (picture(), "The bench"))
    assert response.status_code == 302
    other = two.test_client()
    page = other.get(response.headers["Location"])
    (src,) = image_urls(page)
    served = other.get(src)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/webp"
    for app in (one, two):
        with app.app_context():
            db.engine.dispose()


def test_the_api_and_feeds_link_each_photo_with_its_description(app, client, make_user, auth):
    auth.sign_in(make_user())
    post_idea(client, (picture(), "The bench & the pond"))
    idea, (photo,) = only_idea(app), stored(app)
    auth.logout()
    large = f"http://localhost/photos/{photo.filename('large')}"
    for address in (f"/api/v1/ideas/{idea.id}", "/api/v1/ideas"):
        body = client.get(address).get_json()
        item = body if "photos" in body else body["data"][0]
        (listed,) = item["photos"]
        assert listed["alt"] == "The bench & the pond"
        assert listed["url"] == large
        assert listed["sizes"]["thumb"]["url"].endswith(photo.filename("thumb"))
        assert (listed["width"], listed["height"]) == (photo.large_width, photo.large_height)
    feed = client.get("/ideas.atom").get_data(as_text=True)
    content = unescape(feed)  # the entry's HTML, as a feed reader reads it
    assert f'<a href="{large}"><img src="http://localhost/photos/{photo.filename("medium")}" ' \
           f'alt="The bench &amp; the pond" width="{photo.medium_width}"' in content
