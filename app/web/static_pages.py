"""Static pages served by Byline (the example site, the desk): every answer revalidated, and each page
with the policy its scripts need."""

import os
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope


class PageFiles(StaticFiles):
    """Files with `cache_control` on every answer and `page_headers` on the HTML pages."""

    def __init__(self, *, cache_control: str, page_headers: Mapping[str, str], **files: Any) -> None:
        super().__init__(**files)
        self.cache_control = cache_control
        self.page_headers = page_headers

    def file_response(
        self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = self.cache_control
        if str(full_path).endswith(".html"):
            response.headers.update(self.page_headers)
        return response
