"""One URL, two renderings: a full page for browsers, a fragment for htmx requests."""

from flask import Response, redirect, render_template, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render(page: str, fragment: str, /, status: int = 200, **context) -> tuple[str, int]:
    """Render `fragment` for htmx requests and the whole `page` otherwise."""
    return render_template(fragment if is_htmx() else page, **context), status


def redirect_to(url: str) -> Response:
    """After a successful form post: 303 for browsers, HX-Location for htmx (no full reload)."""
    if is_htmx():
        response = Response(status=204)
        response.headers["HX-Location"] = url
        return response
    return redirect(url, code=303)


def add_vary(response: Response) -> Response:
    response.vary.add("HX-Request")
    return response
