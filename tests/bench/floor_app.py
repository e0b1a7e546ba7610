"""The floor for the board benchmark: the same cards from one SELECT, one trivial template."""

import os

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(os.environ["DATABASE_URL"])
TEMPLATE = """<!doctype html><html><body><h1>Board</h1>
{% for c in cards %}<div class="card" id="card-{{ c.id }}"><a href="/cards/{{ c.id }}">{{ c.title }}</a>
<span>{{ c.estimate or "" }}</span></div>
{% endfor %}</body></html>"""


@app.get("/floor/<int:pid>")
def floor(pid):
    with engine.connect() as conn:
        cards = conn.execute(
            text(
                "SELECT id, title, estimate FROM cards WHERE partnership_id = :pid "
                "AND archived_at IS NULL ORDER BY column_id, position"
            ),
            {"pid": pid},
        ).all()
    return render_template_string(TEMPLATE, cards=cards)
