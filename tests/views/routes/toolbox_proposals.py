"""Routes of method proposals (no partnership: the proposer's own, or programme staff's)."""

from sprintboard.extensions import db

ROUTES = {
    # members and facilitators propose (observers get 403: see test_toolbox_proposals)
    "toolbox_proposals.propose": "login",
    "toolbox_proposals.mine": "login",
    # the proposer and programme staff (others 404: see test_toolbox_proposals)
    "toolbox_proposals.show": "login",
    "toolbox_proposals.queue": "admin",
    "toolbox_proposals.accept": "admin",
    "toolbox_proposals.edit": "admin",
    "toolbox_proposals.decline": "admin",
}


def params(world) -> dict:
    from sprintboard.services import toolbox_proposals
    from tests.views.test_toolbox_proposals import META, TEXTS

    method = toolbox_proposals.propose_method(META, TEXTS, actor=world.users["member"])
    db.session.commit()
    return {"proposal_id": method.id}
