"""The ASGI entry point app/main.py's BylineApp extends, checked against the installed FastAPI."""

import inspect

import fastapi
from fastapi import FastAPI

from app.main import BylineApp


def test_the_app_is_called_as_fastapi_is() -> None:
    upgrade = f"FastAPI {fastapi.__version__} differs in FastAPI.__call__, which BylineApp overrides"
    assert inspect.iscoroutinefunction(FastAPI.__call__), upgrade
    assert (
        inspect.signature(BylineApp.__call__).parameters.keys() == inspect.signature(FastAPI.__call__).parameters.keys()
    ), upgrade
