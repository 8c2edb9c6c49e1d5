"""Session listeners are installed by whoever starts the app, never by importing it."""

import subprocess
import sys

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from app.caching import content_version
from app.caching.responses.announce import Announcements
from app.main import create_app

IMPORT_ONLY = """
from sqlalchemy.orm import SessionEvents
from sqlmodel import Session

import app.main
import app.cli

events = Session().dispatch
installed = [name for name in dir(SessionEvents) if not name.startswith("_") and len(getattr(events, name, ()))]
assert not installed, installed
"""


def test_importing_the_app_installs_no_session_listener():
    subprocess.run([sys.executable, "-c", IMPORT_ONLY], check=True, capture_output=True, text=True)


def test_the_app_factory_installs_the_listeners_content_writes_rely_on(settings):
    announcements = Announcements(None)
    app = create_app(settings, announcements=announcements)
    assert event.contains(Session, "before_commit", content_version._record_purges)
    assert not event.contains(Session, "after_commit", announcements.committed)
    with TestClient(app):
        assert event.contains(Session, "after_commit", announcements.committed)
    # Another app in this process publishes to its own announcements; this one has stopped.
    assert not event.contains(Session, "after_commit", announcements.committed)
