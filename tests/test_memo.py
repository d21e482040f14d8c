"""What a running preview keeps between saves: a value per key, made once, the oldest forgotten first."""

from __future__ import annotations

from cswo.cache import memo


def test_a_value_is_made_once_per_key_and_the_oldest_is_forgotten(monkeypatch):
    memo.forget()
    monkeypatch.setattr(memo, "LIMIT", 2)
    made = []

    def make(value):
        return lambda: made.append(value) or value

    assert memo.remembered("a", make(1)) == 1
    assert memo.remembered("a", make(99)) == 1  # kept: not made again
    memo.remembered("b", make(2))
    memo.remembered("c", make(3))  # over the limit: "a", the least recently used, goes
    assert memo.remembered("a", make(4)) == 4
    assert made == [1, 2, 3, 4]
    memo.forget()


def test_a_failure_is_not_kept():
    memo.forget()

    def fail():
        raise ValueError("unreadable")

    for _ in range(2):
        try:
            memo.remembered("x", fail)
        except ValueError:
            pass
    assert memo.remembered("x", lambda: "read now") == "read now"
    memo.forget()
