"""Whoosh's own codec (whoosh3) with each posting block stored in two parts.

Whoosh pickles a block of postings as one tuple: ids, weights and, for fields with
positions, one bytes object per posting. Loading the positions is most of the cost of
reading a block, and ranking needs only ids and weights. This codec writes the same block
as a head (ids, weights) and a tail (positions), each pickled and compressed on its own, so
ranking (engines._whoosh_scoring) loads heads only and phrases load both. Whoosh itself
(merging segments, its own matchers) reads such blocks whole through SplitBlockMatcher.

Everything else (terms, columns, stored fields, block statistics) is whoosh3's.
"""

from __future__ import annotations

import struct
import zlib
from pickle import dumps, loads

from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    CorruptIndexError,
    ListMatcher,
    W3Codec,
    W3LeafMatcher,
    W3PostingsWriter,
    length_to_byte,
)

MAGIC = b"EvB1"  # starts every posting list this codec writes
_HEAD_LENGTH = struct.Struct("!I")


class SplitBlockCodec(W3Codec):
    def postings_writer(self, dbfile, byteids=False):
        return SplitBlockWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        return SplitBlockMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


def _pack(data, level: int) -> tuple[bytes, int]:
    raw = dumps(data, 2)
    if level and len(raw) >= COMPRESSION_MIN_SIZE:
        return zlib.compress(raw, level), level
    return raw, 0


class SplitBlockWriter(W3PostingsWriter):
    def _write_block(self, last=False):
        # as W3PostingsWriter._write_block, but the data is a head and a tail
        if not self._blockcount:
            self._postfile.write(MAGIC)
        self._terminfo.add_block(self)
        head, head_level = _pack((self._mini_ids(), self._mini_weights()), self._compression)
        tail, tail_level = _pack(self._mini_values(), self._compression)
        ids = self._ids
        info = dumps(
            (
                len(ids),
                ids[-1],
                self._maxweight,
                (head_level, tail_level),
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            2,
        )
        length = len(info) + _HEAD_LENGTH.size + len(head) + len(tail)
        postfile = self._postfile
        postfile.write_int(-length if last else length)
        postfile.write(info)
        postfile.write(_HEAD_LENGTH.pack(len(head)))
        postfile.write(head)
        postfile.write(tail)
        self._blockcount += 1
        self._new_block()


class SplitBlockMatcher(W3LeafMatcher):
    def _read_header(self):
        postfile = self._postfile
        postfile.seek(self._startoffset)
        if postfile.read(4) != MAGIC:
            raise CorruptIndexError(f"Bad postings block tag at offset {self._startoffset}: rebuild the index")
        self._baseoffset = postfile.tell()

    def read_head(self) -> tuple:
        """The block's (ids, weights) as stored: ids delta-coded, weights None, one float or a
        sequence. Positions are not loaded."""
        raw = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        (size,) = _HEAD_LENGTH.unpack_from(raw)
        head = raw[_HEAD_LENGTH.size : _HEAD_LENGTH.size + size]
        return loads(zlib.decompress(head) if self._compression[0] else head)

    def read_all(self) -> tuple:
        """The block's (ids, weights, values) as stored."""
        raw = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        (size,) = _HEAD_LENGTH.unpack_from(raw)
        start = _HEAD_LENGTH.size
        head, tail = raw[start : start + size], raw[start + size :]
        head_level, tail_level = self._compression
        ids, weights = loads(zlib.decompress(head) if head_level else head)
        values = loads(zlib.decompress(tail) if tail_level else tail)
        return ids, weights, values

    def _read_data(self):
        self._data = self.read_all()
