"""Request bodies that must be refused with a 400 by both APIs' JSON parsers."""

DEEP_ARRAY = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
MODERATELY_DEEP = '{"name": "x", "quantity": 1, "tags": ' + "[" * 200 + "]" * 200 + "}"
DEEP_BODIES = [DEEP_ARRAY, DEEP_OBJECT, MODERATELY_DEEP]
