"""The 6.17 name of ``smartcar.v2_response``: the very same objects, re-exported."""

from smartcar.v2_response import *  # noqa: F401,F403
from smartcar.v2_response import (  # noqa: F401  (private names are not covered by ``*``)
    _camel_to_snake,
    _tuple_type,
)
