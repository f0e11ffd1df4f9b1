"""Never a traceback on screen: hostile uploads on the Data page end in a clear st.error.

The page is run signed in (as tests/app does) on a small database of its own, not the demo
company: every hostile file here is refused before anything is written.
"""
from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from genxsop_core.admin import users
from genxsop_core.io import importer
from genxsop_core.persistence.db import get_engine, get_session_factory
from genxsop_core.persistence.unit_of_work import UnitOfWork
from tests.conftest import DatabaseTemplates
from tests.property.hostile_files import ADMIN, Sandbox, Sheet, patch_xlsx, xlsx_bytes

APP = str(Path(__file__).resolve().parents[2] / "app" / "main.py")
HEADER = "sku,name,category,family,unit_cost,unit_price\n"


def _junk_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not xml")
    return buffer.getvalue()


def _infinite_xlsx() -> bytes:
    sheet = Sheet(HEADER.strip().split(","), [["N-1", "Name", "c", "f", 123456789, 2]])
    return patch_xlsx(xlsx_bytes(sheet), b"<v>123456789</v>", b"<v>1e999</v>")


HOSTILE = {
    "nul.csv": (HEADER + "N-1,bad\x00name,c,f,1,2\n").encode(),
    "utf16.csv": (HEADER + "N-1,ok,c,f,1,2\n").encode("utf-16"),
    "random.xlsx": bytes(range(256)) * 8,
    "junk.xlsx": _junk_zip(),
    "infinite.xlsx": _infinite_xlsx(),
    "header-only.csv": HEADER.encode(),
    "shifted.csv": (HEADER + "N-1,Name,c,f,1,2,3,4\n").encode(),
    "long.csv": (HEADER + "N-1," + "L" * 5000 + ",c,f,=cmd|' /C calc'!A0,2\n").encode(),
}


@pytest.fixture
def data_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_templates: DatabaseTemplates) -> AppTest:
    """The Data page, signed in as an admin, on a migrated database holding the base company."""
    url = database_templates.copy("sqlite", "empty", tmp_path)
    for name, value in {"GENXSOP_DATABASE_URL": url, "GENXSOP_DEMO": "1", "GENXSOP_BUCKET": "week"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GENXSOP_COOKIE_KEY", raising=False)
    monkeypatch.setattr("streamlit_authenticator.controllers.cookie_controller.CookieController.get_cookie",
                        lambda self: None)
    Sandbox(url)
    users.add_user(UnitOfWork(get_session_factory(url)), ADMIN, "alice", "Alice Admin", "a-long-passphrase-1",
                   ["admin"])
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "alice"
    at.session_state["name"] = "Alice Admin"
    at.session_state["roles"] = ["admin"]
    at.session_state["logout"] = False
    at.run()
    at.switch_page("../pages/data.py").run()
    assert not at.exception, at.exception
    yield at
    get_engine(url).dispose()


def test_hostile_uploads_end_in_an_error_message_not_a_traceback(data_page):
    for name, content in HOSTILE.items():
        data_page.file_uploader(key="upload_products").upload(name, content, "application/octet-stream").run()
        assert not data_page.exception, (name, data_page.exception)
        errors = [e.value for e in data_page.error]
        assert errors and errors[0].startswith("Nothing was imported"), (name, errors)
        assert not [b for b in data_page.button if b.key == "import_go"], name


def _raise(error: Exception):
    def raising(*args, **kwargs):
        raise error
    return raising


def test_an_unexpected_error_while_checking_or_importing_is_shown_and_logged(data_page, monkeypatch, caplog):
    logger = logging.getLogger("genxsop.pages.data")  # the genxsop loggers do not propagate to caplog's root
    logger.addHandler(caplog.handler)
    try:
        check_file = importer.check_file
        monkeypatch.setattr(importer, "check_file", _raise(RuntimeError("a bug nobody foresaw")))
        data_page.file_uploader(key="upload_products").upload("any.csv", HEADER.encode(), "text/csv").run()
        assert not data_page.exception
        assert "an unexpected error was logged" in data_page.error[0].value
        assert "a bug nobody foresaw" in caplog.text

        monkeypatch.setattr(importer, "check_file", check_file)
        monkeypatch.setattr(importer, "import_file", _raise(
            sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))))
        valid = (HEADER + "N-1,Name,c,f,1,2\n").encode()
        data_page.file_uploader(key="upload_products").upload("ok.csv", valid, "text/csv").run()
        data_page.button(key="import_go").click().run()
        assert not data_page.exception
        assert "the data is as it was" in data_page.error[0].value
        assert "database is locked" in caplog.text
    finally:
        logger.removeHandler(caplog.handler)
