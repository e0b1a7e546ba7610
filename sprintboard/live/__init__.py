"""Live board updates, in one place.

hooks.py    session listeners: an Activity logged in a transaction is published after it commits
broker.py   the fan-out to open streams (in memory, or Redis pub/sub across workers) and presence
render.py   what an event looks like on the board (htmx out-of-band fragments), memoised
presence.py who is looking at the board
stream.py   the Server-Sent Events loop of one viewer (views/live.py only routes to it)

static/js/live.js swaps the fragments in; where a card goes is decided here (data-lanes,
data-order from board.query), never in the browser.
"""
