"""Path converters: an id in a URL is a canonical positive integer (``13``, never ``0013``, ``+13``, ``1_3``
or other digits), so a malformed id finds nothing and answers 404 like an unknown one (R-8.2), and a word
such as ``bulk`` can never be taken for an id, whatever the order of the routes."""

from django.urls import register_converter


class IdConverter:
    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
