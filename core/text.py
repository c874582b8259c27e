"""Text from outside, made safe to store: PostgreSQL refuses NUL in text and JSON, and control characters
have no place in anything a practitioner reads."""

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_DEPTH = 32


def has_control(text: str) -> bool:
    """NUL or another control character (tab and line breaks are text)."""
    return bool(_CONTROL.search(text))


def clean(text: str) -> str:
    """Control characters shown as U+FFFD, so an error can quote what it refuses and still be stored."""
    return _CONTROL.sub("\ufffd", text)


def clean_json(value):
    """A JSON-able value with every string and key cleaned (error bodies quote untrusted input)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(k)): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value


def json_problem(value) -> str | None:
    """Why a parsed JSON body is refused before any work: nesting deeper than ``MAX_DEPTH`` or a control
    character in a key or string. None when it is fine. Iterative, so no depth can break it."""
    stack = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"The body is nested more than {MAX_DEPTH} levels deep."
        if isinstance(v, str):
            if has_control(v):
                return "The body contains a NUL or control character; remove it and send again."
        elif isinstance(v, dict):
            for k, x in v.items():
                if has_control(k):
                    return "The body contains a NUL or control character in a key; remove it and send again."
                stack.append((x, depth + 1))
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v)
    return None
