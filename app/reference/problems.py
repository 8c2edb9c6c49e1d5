"""The problem types page: every problem document a client can receive, from the classes that are also
what `/problems/{type}` answers from."""

from app.core.errors import problem_types, status_phrase
from app.reference.markdown import code, prose, table


def page() -> str:
    kinds = problem_types()
    parts = [
        "# Problem types\n",
        "Every error is an RFC 9457 problem document (`application/problem+json`). Its `type` is "
        "`{BYLINE_PUBLIC_URL}/problems/<type>`, an address that answers a short page saying the same as "
        "this one; `detail` says what happened in each case.\n",
        table(
            ("type", "status", "title"),
            ((f"[{code(slug)}](#{slug})", str(kind.status), kind.title) for slug, kind in kinds.items()),
        ),
    ]
    for slug, kind in kinds.items():
        parts.append(
            f"## {slug} {{#{slug}}}\n\n"
            f"**{kind.title}**: status {kind.status} {status_phrase(kind.status)}.\n\n"
            f"{prose(kind.meaning())}\n\n"
            f"*What to do:* {prose(kind.advice)}\n"
        )
    return "\n".join(parts)
