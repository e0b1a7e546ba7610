"""Routes of the call for applications and the toolbox (admin-only or public: no partnership)."""

from flask import current_app

from sprintboard.extensions import db

ROUTES = {
    "applications.calls": "public",
    "applications.apply": "public",
    "applications.mine": "public",
    "applications.admin_calls": "admin",
    "applications.new_call": "admin",
    "applications.edit_call": "admin",
    "applications.review": "admin",
    "applications.add_criterion": "admin",
    "applications.remove_criterion": "admin",
    "applications.detail": "admin",
    "applications.score": "admin",
    "applications.notes": "admin",
    "applications.set_status": "admin",
    "applications.select": "admin",
    "applications.export_csv": "admin",
    "toolbox.index": "public",
    "toolbox.show": "public",
    "toolbox.export_json": "public",
    "toolbox.export_markdown": "public",
    "toolbox.import_methods": "admin",
    # the shared toolbox is kept by programme staff (partnerships adapt copies: toolbox_copies.py)
    "toolbox.create": "admin",
    "toolbox.edit": "admin",
    "toolbox.delete": "admin",
}


def params(world) -> dict:
    """A call with one scored, shortlisted application and a criterion, and a toolbox method."""
    from sprintboard.services import applications
    from tests.services.test_applications import make_call, sample_application
    from tests.services.test_toolbox import make_method

    call = make_call(world.admin)
    criterion = applications.add_criterion(call, "Motivation", 2, actor=world.admin)
    with current_app.test_request_context():
        application, _token = applications.submit_application(call, sample_application())
        # Scored by the admin (so the reviews show), and shortlisted (so the selection form does).
        applications.score_application(application, {criterion.id: 3}, actor=world.admin, note="Strong ties")
        applications.set_status(application, "shortlisted", actor=world.admin)
    method = make_method(world.admin)
    db.session.commit()
    return {"cid": call.id, "aid": application.id, "crid": criterion.id, "slug": method.slug}
