"""Check digits of GS1 keys and the GMN check character pair.

References:
    GS1 General Specifications, §7.9.1 (standard check digit calculation, mod 10 with
    weights 3 and 1 from the right) and §7.9.5 (check character pair for AI 8013 GMN).
"""

from __future__ import annotations

__all__ = ["gmn_check_pair", "gs1_check_digit", "has_valid_check_digit"]

_ZERO = ord("0")
# Set 82 in the order of GS1 General Specifications Figure 7.11-1: the position of a
# character is its value in the GMN check pair calculation (§7.9.5).
_SET82_ORDER = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_SET82_VALUE = {char: index for index, char in enumerate(_SET82_ORDER)}
_SET32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83)


def gs1_check_digit(digits: str) -> int:
    """Return the GS1 mod-10 check digit for ``digits`` (the key without its check digit).

    Weights 3, 1, 3, ... are applied from the rightmost digit (GS1 Gen Spec §7.9.1).

    >>> gs1_check_digit("0952123454321")
    3
    >>> gs1_check_digit("0061414112345")
    2
    """
    total = 0
    weight = 3
    for char in reversed(digits):
        total += (ord(char) - _ZERO) * weight
        weight = 4 - weight
    return -total % 10


def has_valid_check_digit(digits: str) -> bool:
    """Whether the last digit of an all-digit key is its GS1 check digit.

    >>> has_valid_check_digit("09521234543213")
    True
    >>> has_valid_check_digit("09521234543214")
    False
    """
    return len(digits) > 1 and ord(digits[-1]) - _ZERO == gs1_check_digit(digits[:-1])


def gmn_check_pair(body: str) -> str:
    """Return the two check characters of a GMN (AI 8013) whose other characters are ``body``.

    Each character's set-82 value is weighted by the primes 83, 79, ... 2 aligned to the
    right; the sum mod 1021 is written as two characters of set 32 (GS1 Gen Spec §7.9.5).
    Raises ``KeyError`` for characters outside set 82 and ``IndexError`` beyond 23 characters.

    >>> gmn_check_pair("1987654Ad4X4bL5ttr2310c")
    '2K'
    """
    weights = _PRIMES[len(body) - 1 :: -1] if body else ()
    if len(weights) != len(body):
        raise IndexError(len(body))
    total = sum(_SET82_VALUE[char] * weight for char, weight in zip(body, weights, strict=True))
    total %= 1021
    return _SET32[total >> 5] + _SET32[total & 31]
