"""The watermark's payload: a 32-bit identifier, a 24-bit keyed check and the BCH code's 56 parity bits (112 bits),
and the decoder that finds the payload in soft votes (ordered-statistics decoding).

The BCH code (``bchlib``, t = 9 over GF(2^7), 56 parity bits) corrects any 9 wrong bits of a hard reading. A
re-shared clip can come back with twice that many, but a reading also says how sure each bit is (how many blocks
voted for it and how clearly), and the wrong bits are mostly among the doubtful ones: :func:`closest_codeword`
uses that. The keyed check (HMAC-SHA-256 of the identifier, 24 bits) is what tells a real payload from a
codeword found in noise.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import itertools

import numpy as np

ID_BITS = 32
CHECK_BITS = 24
DATA_BITS = ID_BITS + CHECK_BITS
BCH_T = 9  # wrong bits the code corrects (its generator is the t = 8 one: m_17 = m_9 over GF(2^7))
BCH_M = 7  # BCH over GF(2^7): codewords of up to 127 bits
ECC_BITS = 56  # parity bits: 8 minimal polynomials of degree 7
PAYLOAD_BITS = DATA_BITS + ECC_BITS
DEFAULT_KEY = b"riff.invisible-watermark.v2"
OSD_ORDER = 2  # ordered-statistics decoding flips up to this many of the most certain bits (see closest_codeword)


@functools.lru_cache(maxsize=1)
def _bch():
    import bchlib

    code = bchlib.BCH(BCH_T, m=BCH_M)
    assert code.ecc_bits == ECC_BITS, (code.ecc_bits, ECC_BITS)
    return code


def payload_bits(ident: int, *, key: bytes = DEFAULT_KEY) -> np.ndarray:
    """The ``PAYLOAD_BITS`` bits (uint8 0/1) for ``ident``: its 32 bits and the 24 bits of its keyed check, then
    the BCH code's parity bits over those 56."""
    if not 0 <= ident < 2**ID_BITS:
        raise ValueError(f"the identifier must fit in {ID_BITS} bits, got {ident}")
    body = ident.to_bytes(ID_BITS // 8, "big")
    data = bytearray(body + _check(body, key))
    parity = np.unpackbits(np.frombuffer(bytes(_bch().encode(data)), dtype=np.uint8))[:ECC_BITS]
    return np.concatenate([np.unpackbits(np.frombuffer(bytes(data), dtype=np.uint8)), parity])


def parse_payload(bits: np.ndarray, *, key: bytes = DEFAULT_KEY) -> tuple[int | None, int]:
    """(the identifier carried by ``PAYLOAD_BITS`` bits, how many wrong bits the code corrected), or (None, -1)
    when the bits are too damaged to correct or the keyed check does not match."""
    bits = np.asarray(bits, dtype=np.uint8)
    data = bytearray(np.packbits(bits[:DATA_BITS]).tobytes())
    code = _bch()
    ecc = bytearray(np.packbits(bits[DATA_BITS:]).tobytes().ljust(code.ecc_bytes, b"\0"))  # padded as bchlib writes it
    flips = code.decode(data, ecc)
    if flips < 0:
        return None, -1
    code.correct(data, ecc)
    body, check = bytes(data[: ID_BITS // 8]), bytes(data[ID_BITS // 8 :])
    if not hmac.compare_digest(check, _check(body, key)):
        return None, -1
    return int.from_bytes(body, "big"), flips


def _check(body: bytes, key: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest()[: CHECK_BITS // 8]


@functools.lru_cache(maxsize=1)
def _generator() -> np.ndarray:
    """The code's generator matrix, ``DATA_BITS`` × ``PAYLOAD_BITS`` over GF(2): row i is the payload word of
    data bit i alone (the BCH code is linear and systematic, so any word is a sum of rows)."""
    code = _bch()
    rows = []
    for index in range(DATA_BITS):
        data = np.zeros(DATA_BITS, dtype=np.uint8)
        data[index] = 1
        parity = np.unpackbits(np.frombuffer(bytes(code.encode(bytearray(np.packbits(data).tobytes()))), np.uint8))
        rows.append(np.concatenate([data, parity[:ECC_BITS]]))
    generator = np.array(rows, dtype=np.uint8)
    generator.setflags(write=False)
    return generator


def closest_codeword(votes: np.ndarray) -> tuple[np.ndarray, float]:
    """The codeword (``PAYLOAD_BITS`` uint8 bits) nearest to soft ``votes`` (+ for 1), and its disagreement: the
    summed |vote| of the bits it flips, as a share of all |votes| (0 when every vote agrees).

    Ordered-statistics decoding of order 2: the ``DATA_BITS`` most certain independent bits are taken as they
    were read, and with every one or two of them flipped; each choice fixes one codeword, and the one that flips
    the least certain votes wins. Unlike the BCH decoder's fixed radius (``BCH_T`` wrong bits), this uses how
    sure each vote is: a reading with twice that many wrong bits decodes when the wrong ones are the doubtful
    ones, which is what a re-encode leaves.
    """
    generator = _generator()
    size = generator.shape[0]
    hard = (votes > 0).astype(np.uint8)
    certainty = np.abs(votes)
    order = np.argsort(-certainty, kind="stable")
    basis, pivots = _reduce(generator[:, order])
    start = (hard[order][pivots] @ basis) % 2  # the codeword through the most certain bits as read
    wanted, weights = hard[order], certainty[order]
    best_cost, best_word = np.inf, start
    for flips in range(OSD_ORDER + 1):
        combos = _combinations(size, flips)
        for chunk in range(0, len(combos), 4096):
            candidates = np.broadcast_to(start, (len(combos[chunk:chunk + 4096]), start.size)).copy()
            for column in range(flips):
                candidates ^= basis[combos[chunk:chunk + 4096, column]]
            cost = (candidates != wanted) @ weights
            index = int(np.argmin(cost))
            if cost[index] < best_cost:
                best_cost, best_word = float(cost[index]), candidates[index]
    word = np.empty_like(hard)
    word[order] = best_word
    return word, best_cost / max(float(certainty.sum()), 1e-12)


@functools.lru_cache(maxsize=8)
def _combinations(size: int, count: int) -> np.ndarray:
    """Every choice of ``count`` of ``size`` positions, one per row."""
    if count == 0:
        return np.zeros((1, 0), dtype=np.intp)
    return np.array(list(itertools.combinations(range(size), count)), dtype=np.intp)


def _reduce(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Jordan elimination over GF(2), pivoting on the leftmost independent columns: (the reduced rows, the
    pivot columns). Row i of the result is the codeword whose pivot bits are all 0 but the i-th."""
    rows = matrix.copy()
    size = rows.shape[0]
    pivots: list[int] = []
    for column in range(rows.shape[1]):
        row = len(pivots)
        if row == size:
            break
        candidates = np.flatnonzero(rows[row:, column])
        if not len(candidates):
            continue
        chosen = row + candidates[0]
        rows[[row, chosen]] = rows[[chosen, row]]
        others = np.flatnonzero(rows[:, column])
        rows[others[others != row]] ^= rows[row]
        pivots.append(column)
    return rows, np.array(pivots)
