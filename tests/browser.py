"""A real headless Chromium (Debian's headless shell, installed by scripts/chromium.sh), driven by
Selenium, and what tests check pages with."""

import os
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

# Selenium must use the installed browser and driver, never fetch its own.
os.environ["SE_OFFLINE"] = "true"


# Chromium's own headless build, the same engine without the desktop browser around it: started and
# left idle for 4 s, it used 0.3 s of CPU where `chromium --headless` used 2.1. The binary itself, not
# Debian's wrapper script in /usr/bin, which the driver would end while the browser lived on.
HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"


def chromium(*arguments: str) -> webdriver.Chrome:
    """A new headless Chromium that records everything its pages log."""
    options = webdriver.ChromeOptions()
    options.binary_location = HEADLESS_SHELL
    for argument in ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", *arguments):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def waiting(driver: webdriver.Chrome, seconds: float = 20, ignored: tuple[type[Exception], ...] = ()) -> WebDriverWait:
    """A wait that looks again every 20 ms: Selenium's default half second between looks added about
    a quarter of a second to each step that waited for a page to answer."""
    return WebDriverWait(driver, seconds, poll_frequency=0.02, ignored_exceptions=ignored)


@pytest.fixture(scope="session")
def browser() -> Iterator[webdriver.Chrome]:
    driver = chromium()
    yield driver
    driver.quit()


# Shown as WebDriver's "is displayed" has it: rendered, not transparent or hidden, with a size. Asked of
# the page in one command: the elements, then each one's display, took two commands or more, each
# 5 to 9 ms of the browser's CPU, for every look of every wait.
_FIRST_SHOWN = """
return [...document.querySelectorAll(arguments[0])].find((element) => {
  const box = element.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && element.checkVisibility({opacityProperty: true, visibilityProperty: true});
}) ?? null;
"""


def first_shown(driver: webdriver.Chrome, css: str) -> WebElement | None:
    """The first element the page shows of those `css` selects, if any."""
    return driver.execute_script(_FIRST_SHOWN, css)


def console_errors(driver: webdriver.Chrome) -> list[str]:
    """What the page logged as errors since the last call, Content-Security-Policy refusals included."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


class Sources(HTMLParser):
    """Every URL a page makes the browser load, and any script written into the page itself."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self._in_script_without_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [url for name, url in found.items() if name in ("src", "href") and url]
        self._in_script_without_src = tag == "script" and "src" not in found
        assert not any(name.startswith("on") for name in found), "inline event handler"

    def handle_data(self, data: str) -> None:
        if self._in_script_without_src and data.strip():
            self.inline_scripts += 1


def policy_of(header: str) -> dict[str, str]:
    """A Content-Security-Policy header as {directive: sources}."""
    return dict((rule.strip().split(" ", 1) + [""])[:2] for rule in header.split(";") if rule.strip())
