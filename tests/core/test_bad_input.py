"""Bad input gets a 4xx with a German page, never a 500 (issue 7, point 4)."""

import io
import socket
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from counselling.models import Case, CaseDocument, CounsellingRequest
from counselling.permissions import BERATUNG, LEITUNG, REDAKTION
from team.models import TeamMember
from tests.factories import CaseFactory, CounsellingRequestFactory, UserFactory

BAD_REQUEST_HEADING = "<h1>Anfrage nicht verständlich</h1>"


def member(username: str, group_name: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group_name))
    return user


# --- Host header ---


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_foreign_host_header_gets_the_400_page(client, settings, method):
    settings.ALLOWED_HOSTS = ["portal.konfliktberatung-test.de"]

    response = getattr(client, method)("/beratung-anfragen/", HTTP_HOST="evil.example.com")

    html = response.content.decode()
    assert response.status_code == 400
    assert BAD_REQUEST_HEADING in html
    assert "evil.example.com" not in html
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_400_page_works_in_english_under_a_foreign_host(client, settings):
    settings.ALLOWED_HOSTS = ["portal.konfliktberatung-test.de"]

    response = client.get("/en/", HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.django_db
def test_allowed_host_still_gets_pages(client, settings):
    settings.ALLOWED_HOSTS = ["portal.konfliktberatung-test.de"]

    response = client.get("/beratung-anfragen/", HTTP_HOST="portal.konfliktberatung-test.de")

    assert response.status_code == 200


# --- Form bodies that are not UTF-8 ---

FORM_URLS = ["/beratung-anfragen/", "/admin/login/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", FORM_URLS)
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded; charset=xyz-unknown", b"institution=%E4&x=1"),
        ("application/x-www-form-urlencoded; charset=utf-16", b"institution=a"),
        ("application/x-www-form-urlencoded; charset=rot13", b"institution=a"),
        ("application/x-www-form-urlencoded", b"institution=%ff%fe&username=x"),
        ("application/x-www-form-urlencoded", b"institution=\xff\xfe"),
        (
            "multipart/form-data; boundary=BB; charset=rot13",
            b'--BB\r\nContent-Disposition: form-data; name="institution"\r\n\r\nx\r\n--BB--\r\n',
        ),
        (
            "multipart/form-data; boundary=BB; charset=xyz-unknown",
            b'--BB\r\nContent-Disposition: form-data; name="institution"\r\n\r\nx\r\n--BB--\r\n',
        ),
        ("multipart/form-data", b"no boundary at all"),
    ],
)
def test_form_body_not_in_utf8_gets_400(client, url, content_type, body):
    response = client.generic("POST", url, body, content_type=content_type)

    assert response.status_code == 400
    assert BAD_REQUEST_HEADING in response.content.decode()


@pytest.mark.django_db
def test_utf8_form_body_with_umlauts_is_read(client):
    body = b"institution=Gemeinde+M%C3%BChlheim&contact_name=J%C3%BCrgen"

    response = client.generic(
        "POST",
        "/beratung-anfragen/",
        body,
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )

    assert response.status_code == 200  # the form again, with its field errors
    assert 'value="Gemeinde Mühlheim"' in response.content.decode()


# --- Admin autocomplete with a reverse relation ---


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "app_label=counselling&model_name=counsellingrequest&field_name=case",
        "app_label=counselling&model_name=case&field_name=documents",
        "app_label=counselling&model_name=case&field_name=title",
        "app_label=counselling&model_name=nope&field_name=case",
        "app_label=counselling",
    ],
)
def test_admin_autocomplete_refuses_what_is_no_forward_relation(client, admin_user, query):
    client.force_login(admin_user)

    response = client.get(f"/admin/autocomplete/?{query}")

    assert response.status_code == 403


@pytest.mark.django_db
def test_admin_autocomplete_still_answers_forward_relations(client, admin_user):
    from tests.factories import ProjectFactory

    ProjectFactory(title="Marktplatz im Dialog")
    client.force_login(admin_user)

    response = client.get(
        "/admin/autocomplete/?app_label=publications&model_name=publication"
        "&field_name=projects&term=Marktplatz"
    )

    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Marktplatz im Dialog"]


# --- Upload size: refused from Content-Length, before the body is read ---


@pytest.mark.django_db
def test_upload_above_file_upload_max_size_gets_413_before_the_body_is_sent(live_server, settings):
    settings.FILE_UPLOAD_MAX_SIZE = 1024 * 1024
    host, port = live_server.thread.host, live_server.thread.port
    # Headers only: a server that waited for the 1 MB + 1 byte body would never answer.
    head = (
        "POST /admin/login/ HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        "Content-Type: multipart/form-data; boundary=BB\r\n"
        f"Content-Length: {1024 * 1024 + 1}\r\n"
        "Connection: close\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(head.encode())
        answer = b""
        while b"</html>" not in answer:  # the whole page, while the body is still unsent
            chunk = conn.recv(65536)
            assert chunk, answer
            answer += chunk

    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split(b" ", 2)[1] == b"413"
    assert "Die gesendeten Dateien sind zu groß" in rest.decode()


@pytest.mark.django_db
def test_upload_within_file_upload_max_size_reaches_the_view(client, settings):
    settings.FILE_UPLOAD_MAX_SIZE = 1024 * 1024
    body = (
        b'--BB\r\nContent-Disposition: form-data; name="username"\r\n\r\nx\r\n'
        b'--BB\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n'
        + b"a" * 1000
        + b"\r\n--BB--\r\n"
    )

    response = client.generic(
        "POST", "/admin/login/", body, content_type="multipart/form-data; boundary=BB"
    )

    assert response.status_code == 200  # the login form again


# --- Uploads checked by content and pixel count ---


def png_bytes(width: int, height: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def admin_add_team_member(client, photo: SimpleUploadedFile):
    return client.post(
        reverse("admin:team_teammember_add"),
        {
            "name": "Erika Beispiel",
            "slug": "erika-beispiel",
            "role": "Beratung",
            "order": "0",
            "is_active": "on",
            "photo": photo,
            "photo_alt": "Erika Beispiel am Schreibtisch",  # required with a photo
        },
    )


def field_errors(response, field: str) -> list[str]:
    return list(response.context["adminform"].form.errors.get(field, []))


@pytest.mark.django_db
def test_admin_accepts_a_real_png_photo(client, admin_user):
    client.force_login(admin_user)

    response = admin_add_team_member(
        client, SimpleUploadedFile("foto.png", png_bytes(40, 30), content_type="image/png")
    )

    assert response.status_code == 302
    assert TeamMember.objects.get(slug="erika-beispiel").photo.name.endswith(".png")


@pytest.mark.django_db
def test_admin_refuses_an_image_above_the_pixel_cap_with_a_german_message(
    client, admin_user, settings
):
    settings.IMAGE_MAX_PIXELS = 10_000
    client.force_login(admin_user)

    response = admin_add_team_member(
        client, SimpleUploadedFile("foto.png", png_bytes(200, 100), content_type="image/png")
    )

    assert response.status_code == 200
    assert field_errors(response, "photo") == [
        "Das Bild hat zu viele Bildpunkte: erlaubt sind höchstens 0,01 Megapixel. "
        "Bitte verkleinern Sie es (z. B. auf 3000 × 2000 Pixel) und laden Sie es erneut hoch."
    ]
    assert not TeamMember.objects.exists()


@pytest.mark.django_db
def test_admin_refuses_a_decompression_bomb_with_the_same_message(client, admin_user):
    # 10,000 × 9,000 = 90 Mpx: more than twice the default cap (40 Mpx), so Pillow
    # itself refuses to open it; the header says so in a file of a few kilobytes.
    bomb = png_bytes(10_000, 9_000, mode="1")
    client.force_login(admin_user)

    response = admin_add_team_member(
        client, SimpleUploadedFile("foto.png", bomb, content_type="image/png")
    )

    assert len(bomb) < 100_000
    assert response.status_code == 200
    assert field_errors(response, "photo") == [
        "Das Bild hat zu viele Bildpunkte: erlaubt sind höchstens 40 Megapixel. "
        "Bitte verkleinern Sie es (z. B. auf 3000 × 2000 Pixel) und laden Sie es erneut hoch."
    ]


@pytest.mark.django_db
def test_admin_refuses_a_pdf_renamed_to_png(client, admin_user):
    client.force_login(admin_user)

    response = admin_add_team_member(
        client, SimpleUploadedFile("foto.png", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n", "image/png")
    )

    assert response.status_code == 200
    assert field_errors(response, "photo") == [
        "Bitte ein gültiges Bild hochladen. Die hochgeladene Datei ist kein Bild oder ist defekt."
    ]


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            compression = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=compression)
    return buffer.getvalue()


DOCX = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = zip_bytes(
    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}
)
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def case_document(name: str, content: bytes) -> CaseDocument:
    return CaseDocument(
        case=CaseFactory(), title="Protokoll", file=SimpleUploadedFile(name, content)
    )


def document_errors(name: str, content: bytes) -> list[str]:
    from django.core.exceptions import ValidationError

    try:
        case_document(name, content).full_clean()
    except ValidationError as error:
        return error.message_dict.get("file", [])
    return []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("protokoll.pdf", PDF),
        ("protokoll.docx", DOCX),
        ("protokoll.odt", ODT),
        ("notiz.txt", "Gespräch mit der Bürgermeisterin".encode()),
    ],
)
def test_case_documents_of_allowed_types_pass(name, content, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"

    assert document_errors(name, content) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "protokoll.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00",
            "Der Inhalt der Datei ist keines der erlaubten Formate (DOCX, ODP, ODS, ODT, PDF, "
            "PPTX, TXT, XLSX). Bitte speichern Sie die Datei in einem davon und laden Sie sie "
            "erneut hoch.",
        ),
        (
            "protokoll.docx",
            zip_bytes({"payload.exe": b"MZ"}),
            "Der Inhalt der Datei ist keines der erlaubten Formate (DOCX, ODP, ODS, ODT, PDF, "
            "PPTX, TXT, XLSX). Bitte speichern Sie die Datei in einem davon und laden Sie sie "
            "erneut hoch.",
        ),
        (
            "protokoll.docx",
            zip_bytes(
                {
                    "[Content_Types].xml": b'<Override ContentType="application/'
                    b'vnd.ms-word.document.macroEnabled.main+xml"/>',
                    "word/document.xml": b"<w:document/>",
                    "word/vbaProject.bin": b"macro",
                }
            ),
            "Der Inhalt der Datei ist keines der erlaubten Formate (DOCX, ODP, ODS, ODT, PDF, "
            "PPTX, TXT, XLSX). Bitte speichern Sie die Datei in einem davon und laden Sie sie "
            "erneut hoch.",
        ),
        (
            "protokoll.pdf",
            DOCX,
            "Die Dateiendung „.pdf“ passt nicht zum Inhalt: Die Datei ist eine DOCX-Datei.",
        ),
        (
            "notiz.txt",
            PDF,
            "Die Dateiendung „.txt“ passt nicht zum Inhalt: Die Datei ist eine PDF-Datei.",
        ),
    ],
)
def test_case_documents_are_checked_by_content_not_name(name, content, message, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"

    assert document_errors(name, content) == [message]


# --- /admin/r/<content type>/<id>/ reveals no confidential ids ---


@pytest.mark.django_db
@pytest.mark.parametrize("model", [CounsellingRequest, Case])
@pytest.mark.parametrize("group", [REDAKTION, BERATUNG])
def test_view_on_site_shortcut_answers_alike_for_existing_and_missing_ids(client, model, group):
    # A request with a case is as confidential as the case (Beratung sees neither here).
    case = CaseFactory(request=CounsellingRequestFactory())
    obj = case.request if model is CounsellingRequest else case
    content_type = ContentType.objects.get_for_model(model)
    client.force_login(member("staff-" + group.lower(), group))

    answers = {}
    for object_id in [str(obj.pk), str(obj.pk + 1000), "not-a-number"]:
        response = client.get(f"/admin/r/{content_type.pk}/{object_id}/")
        # The page links its own address (language switch): the only allowed difference.
        page = response.content.replace(f"/{content_type.pk}/{object_id}/".encode(), b"/ID/")
        answers[object_id] = (response.status_code, page)

    existing, missing, garbage = answers.values()
    assert existing[0] == 404
    assert existing == missing == garbage


@pytest.mark.django_db
def test_view_on_site_shortcut_still_leads_leitung_to_the_case(client):
    case = CaseFactory()
    content_type = ContentType.objects.get_for_model(Case)
    client.force_login(member("chefin", LEITUNG))

    response = client.get(f"/admin/r/{content_type.pk}/{case.pk}/")

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:counselling_case_change", args=[case.pk])


@pytest.mark.django_db
def test_view_on_site_shortcut_still_works_for_public_content(client, admin_user):
    from tests.factories import ProjectFactory

    project = ProjectFactory()
    content_type = ContentType.objects.get_for_model(project)
    client.force_login(admin_user)

    response = client.get(f"/admin/r/{content_type.pk}/{project.pk}/")

    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()


@pytest.mark.django_db
def test_view_on_site_shortcut_needs_a_staff_login(client):
    request = CounsellingRequestFactory()
    content_type = ContentType.objects.get_for_model(request)

    response = client.get(f"/admin/r/{content_type.pk}/{request.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
