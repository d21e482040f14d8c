"""Chief Social Work Officer annual report suite."""

import sys

# jsonschema (imported by nbformat and Altair) loads rfc3987_syntax when it is installed, which
# compiles a Lark grammar at import: about 0.9 s in every process and kernel, for an IRI format
# check nothing here uses. Marking it unavailable makes jsonschema skip that one format.
sys.modules.setdefault("rfc3987_syntax", None)

__version__ = "0.1.0"
