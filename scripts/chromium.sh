#!/usr/bin/env bash
# Headless Chromium and its matching ChromeDriver for the browser tests, from Debian packages.
exec "$(dirname "$0")/debian.sh" chromium=chromium chromedriver=chromium-driver
