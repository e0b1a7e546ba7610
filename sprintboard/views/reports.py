"""Reports: what was done since the last workshop (printable, and on the home page)."""

from flask import Blueprint, render_template

from .. import access, navigation
from ..services import reports

bp = Blueprint("reports", __name__, url_prefix="/p/<int:pid>/reports")
navigation.add_home_section("reports/_home.html", 20, lambda p: {"report": reports.summary(p)})


@bp.get("/done-since-workshop")
def done_since(pid):
    partnership = access.get_partnership_or_404(pid)
    return render_template(
        "reports/done_since.html",
        partnership=partnership,
        report=reports.done_since_last_workshop(partnership),
    )
