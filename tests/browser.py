"""A real headless Chromium (Debian's, installed by scripts/chromium.sh), driven by Selenium."""

import os
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

# Selenium must use the installed browser and driver, never fetch its own.
os.environ["SE_OFFLINE"] = "true"


@pytest.fixture(scope="session")
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    yield driver
    driver.quit()


def console_errors(driver: webdriver.Chrome) -> list[str]:
    """What the page logged as errors since the last call, Content-Security-Policy refusals included."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
