from sprintboard.markdown import render_markdown


def test_markdown_renders_and_escapes_html():
    html = str(render_markdown("1. **Go**\n\n<script>alert(1)</script> [x](javascript:alert(1))"))
    assert "<ol>" in html and "<strong>Go</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.split("href")[-1] or "href" not in html
    assert render_markdown("") == ""
