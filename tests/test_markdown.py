from sprintboard.markdown import render_markdown


def test_markdown_renders_and_escapes_html():
    html = str(render_markdown("1. **Go**\n\n<script>alert(1)</script> [x](javascript:alert(1))"))
    assert "<ol>" in html and "<strong>Go</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.split("href")[-1] or "href" not in html
    assert render_markdown("") == ""


def test_a_text_too_dense_to_parse_quickly_is_shown_as_plain_text_every_word_kept():
    """20,000 brackets or emphasis marks in one paragraph took seconds to parse: such a body is
    shown as escaped plain text instead, with its paragraphs and lines."""
    from sprintboard.markdown import MAX_DELIMITERS_PER_BLOCK

    dense = "Intro <b>line</b>\nsecond line\n\n" + "[" * (MAX_DELIMITERS_PER_BLOCK + 1) + "\n\nthe end"
    html = str(render_markdown(dense))
    assert html.startswith("<p>Intro &lt;b&gt;line&lt;/b&gt;<br>\nsecond line</p>")
    assert "[" * (MAX_DELIMITERS_PER_BLOCK + 1) in html and html.endswith("<p>the end</p>\n")
    stars = str(render_markdown("*a" * 10_000))
    assert "<em>" not in stars and stars.count("*a") == 10_000
    links = str(render_markdown("[x](http://a.b)\n\n" * 1250))  # many blocks add up
    assert "<a " not in links


def test_real_bodies_stay_markdown_code_fences_do_not_count():
    rows = "".join(f"| Minsk {i} | [plan](https://example.org/{i}) |\n" for i in range(40))
    table = "| Who | What |\n|---|---|\n" + rows
    code = "```\n" + "*" * 5000 + "\n```\n"
    html = str(render_markdown("**Agenda**\n\n" + table + "\n" + code))
    assert "<strong>Agenda</strong>" in html and html.count("<tr>") == 41 and html.count("<a ") == 40
    assert "<pre><code>" + "*" * 5000 in html
