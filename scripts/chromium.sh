#!/usr/bin/env bash
# Chromium's headless shell and its matching ChromeDriver for the browser tests, from Debian packages.
exec "$(dirname "$0")/debian.sh" chromium-headless-shell=chromium-headless-shell chromedriver=chromium-driver
