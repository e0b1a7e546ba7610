"""Revalidation and gzip for text responses (static files and streams excepted).

- A page the browser may keep but must ask for again (GET, 200, HTML, `no-cache`: signed-in
  pages without secrets, see security.py) gets a strong ETag
  of its content; when the browser already holds that content (If-None-Match), the answer is
  304 without a body, and nothing is compressed. The viewer's CSRF token is signed anew every
  second, so the signed token is left out of the tag and the session's own token is put in;
  likewise for the forms' one-time request keys (request_keys.py).
- Bodies the browser accepts compressed are gzipped (COMPRESS); the tag then says so (a strong
  tag names one representation).
- Compressed once: a view may say which pieces of its body it already holds compressed
  (`precompressed`: the board keeps its cached HTML as deflate pieces). The gzip stream is then
  those pieces put together, with only what lies between them (the page around the board, each
  viewer's tokens) compressed or stored anew: deflate pieces that end on a byte boundary and are
  not the last block can follow one another, and the trailer's CRC-32 is computed over the body
  (fast; no compression).
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import zlib

from flask import Flask, current_app, g, request, session
from flask_login import current_user

from .services import request_keys

MIN_SIZE = 1024  # smaller bodies gain less than the header costs
LEVEL = 5
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, unknown OS
_LAST_BLOCK = b"\x03\x00"  # an empty final block (fixed Huffman)
WINDOW = 32 * 1024  # how far back deflate refers
STORE_BELOW = 512  # gaps between precompressed pieces smaller than this are stored, not compressed
_KEY_ATTR = b'name="request_key" value="'  # each form's one-time key follows, up to its quote


def init_app(app: Flask) -> None:
    app.after_request(finish)


def finish(response):
    """After the security headers (registered before them: after_request runs in reverse)."""
    if not _text(response):
        return response
    gz = (
        bool(current_app.config.get("COMPRESS"))
        and "gzip" in request.headers.get("Accept-Encoding", "")
        and "Content-Encoding" not in response.headers
    )
    revalidates = _revalidates(response)
    if not gz and not revalidates:
        return response
    data = response.get_data()
    gz = gz and len(data) >= MIN_SIZE
    pieces = getattr(response, "deflated_pieces", None)
    starts = _locate(data, pieces) if pieces is not None else None
    if revalidates:
        response.set_etag(_tag(data, pieces, starts) + ("-gz" if gz else ""))
        response.make_conditional(request.environ)
        if response.status_code == 304:
            return response
    if gz:
        body = gzip_of(data, pieces, starts) if starts else None
        response.set_data(body if body is not None else gzip.compress(data, compresslevel=LEVEL))
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
    return response


def _text(response) -> bool:
    return not (
        response.direct_passthrough
        or response.is_streamed
        or response.status_code < 200
        or not (response.mimetype or "").startswith(("text/", "application/json"))
        or response.mimetype == "text/event-stream"
    )


def _revalidates(response) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and response.mimetype == "text/html"
        and "no-cache" in (response.headers.get("Cache-Control") or "")  # kept, but asked again
        and "no-store" not in response.headers["Cache-Control"]
        and "ETag" not in response.headers
    )


def _tag(data: bytes, pieces: Pieces | None = None, starts: list[int] | None = None) -> str:
    """The body's strong tag. With `pieces` found at `starts` (a cached board), each piece is fed
    as its own digest, made once: only the page around them is read on every answer (each
    viewer's tokens and request keys stand there, never in a piece)."""
    digest = hashlib.blake2b(digest_size=16)
    signed = g.get("csrf_token")
    token = signed.encode() if signed else None
    if pieces is None or starts is None:
        keys = _feed(digest, data, 0, len(data), token)
    else:
        keys, at = 0, 0
        for start, text, text_digest in zip(starts, pieces.texts, pieces.digests(), strict=True):
            keys += _feed(digest, data, at, start, token)
            digest.update(text_digest)
            at = start + len(text)
        keys += _feed(digest, data, at, len(data), token)
    if keys:
        # Each form's one-time request key is new on every answer: left out of the tag, but the
        # person's latest claimed key put in. So the browser may keep a page (and its keys) only
        # while none of its keys can have been used: a write since gives a new tag.
        digest.update(b"%d" % request_keys.latest_claim(current_user))
    digest.update(str(session.get("csrf_token", "")).encode())
    return digest.hexdigest()


def _feed(digest, data: bytes, begin: int, end: int, token: bytes | None) -> int:
    """Feed data[begin:end] to the digest, leaving out the viewer's signed CSRF `token` and each
    form's one-time request key (views of the body, not copies: a board page is ~0.5 MB); how
    many request keys it left out."""
    if begin >= end:
        return 0
    skip = []
    if token:
        at = data.find(token, begin, end)
        while at >= 0:
            skip.append((at, at + len(token)))
            at = data.find(token, at + len(token), end)
    keys, at = 0, data.find(_KEY_ATTR, begin, end)
    while at >= 0:
        keys += 1
        value = at + len(_KEY_ATTR)
        close = data.find(b'"', value)  # (a piece may begin with its closing quote)
        if close < 0:
            break
        skip.append((value, min(close, end)))
        at = data.find(_KEY_ATTR, min(close, end), end)
    view, at = memoryview(data), begin
    for start, stop in sorted(skip):
        digest.update(view[at:start])
        at = stop
    digest.update(view[at:end])
    return keys


# Compressed once -------------------------------------------------------------------------------


def deflate(data: bytes) -> bytes:
    """`data` as raw deflate blocks ending on a byte boundary, none of them the last: such pieces,
    each compressed on its own, can be joined into one stream (see `gzip_of`)."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


class Pieces:
    """The texts of a body kept for many answers (a cached board), in order; each answer puts its
    own text between them (a token, a request key). Compressed once (on first need) for a
    layout of the gaps between them: each piece on its own, but with what precedes it as its
    dictionary (the pieces before, each gap as as many NUL bytes, which HTML never holds, so no
    match can reach into a gap): the pieces then compress about as well as the whole."""

    __slots__ = ("_compressed", "_digests", "texts")

    def __init__(self, texts: list[bytes]):
        self.texts = [text for text in texts if text]
        self._compressed: tuple[tuple[int, ...], list[bytes]] | None = None
        self._digests: list[bytes] | None = None

    def digests(self) -> list[bytes]:
        """Each piece's digest (for the page's tag), made once."""
        if self._digests is None:
            # (SHA-256: where the CPU has SHA instructions, as x86-64 and ARM servers of recent
            # years do, twice as fast as BLAKE2b over a board's half megabyte)
            self._digests = [hashlib.sha256(text).digest() for text in self.texts]
        return self._digests

    def deflated(self, gaps: tuple[int, ...]) -> list[bytes]:
        """Each piece's deflate, when the pieces stand `gaps` bytes apart in the body."""
        compressed = self._compressed
        if compressed is None or compressed[0] != gaps:
            compressed = self._compressed = (gaps, self._compress(gaps))
        return compressed[1]

    def _compress(self, gaps: tuple[int, ...]) -> list[bytes]:
        chained = not any(b"\0" in text for text in self.texts)
        out, window = [], b""
        for i, text in enumerate(self.texts):
            if chained and window:
                compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15, zdict=window)
            else:
                compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
            out.append(compressor.compress(text) + compressor.flush(zlib.Z_SYNC_FLUSH))
            if i < len(gaps):
                window = (window + text + b"\0" * gaps[i])[-WINDOW:]
        return out


def precompressed(response, pieces: Pieces):
    """Mark `response` as holding these pieces, in this order, between which anything may stand
    (the page around them, a token, what later hooks insert). If the body is gzipped, the
    pieces are compressed once and used as they are from then on."""
    response.deflated_pieces = pieces
    return response


def _stored(data: bytes) -> bytes:
    """`data` as stored (uncompressed) deflate blocks, none of them the last."""
    blocks = []
    for start in range(0, len(data), 0xFFFF):
        chunk = data[start : start + 0xFFFF]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


def _gap(data: bytes) -> bytes:
    return _stored(data) if len(data) < STORE_BELOW else deflate(data)


def _locate(data: bytes, pieces: Pieces) -> list[int] | None:
    """Where each piece starts in `data`, in order; None when one is missing (something changed
    it: then the body is tagged and compressed as a whole)."""
    starts, at = [], 0
    for text in pieces.texts:
        # (a search for a long piece costs more than the page's hash: its first bytes are
        # searched for, and the rest compared where they stand)
        probe = text[:64]
        found = data.find(probe, at)
        while found >= 0 and not data.startswith(text, found):
            found = data.find(probe, found + 1)
        if found < 0:
            return None
        starts.append(found)
        at = found + len(text)
    return starts


def gzip_of(data: bytes, pieces: Pieces, starts: list[int] | None = None) -> bytes | None:
    """`data` gzipped, using the precompressed pieces found in it in order (at `starts`, when
    known); None when a piece is missing."""
    starts = starts if starts is not None else _locate(data, pieces)
    if starts is None:
        return None
    ends = [start + len(text) for start, text in zip(starts, pieces.texts, strict=True)]
    gaps = tuple(start - end for end, start in zip(ends, starts[1:], strict=False))
    out, at = [_GZIP_HEADER], 0
    for start, end, deflated in zip(starts, ends, pieces.deflated(gaps), strict=True):
        if start > at:
            out.append(_gap(data[at:start]))
        out.append(deflated)
        at = end
    if at < len(data):
        out.append(_gap(data[at:]))
    out += [_LAST_BLOCK, struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)]
    return b"".join(out)
