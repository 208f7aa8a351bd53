"""Distributor documents: cXML 1.2 purchase orders out, confirmations and ship notices in.

Everything public lives in `fulfilment_engine.documents.cxml`; it is re-exported here.
"""

from .cxml import *  # noqa: F403
from .cxml import __all__  # noqa: F401
