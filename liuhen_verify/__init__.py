"""Stand-alone verifier of Liuhen case packages (AR-5).

Python standard library plus ``gmalglib`` (SM2) only: no Django, no Liuhen code, no database. It
re-implements what it checks — SM3 and SHA-256 file digests, RFC 6962 Merkle inclusion proofs with
SM3, SM2 checkpoint signatures — so a court, a reconsideration body or a party can run it on a
machine that has never seen the application. Usage: ``liuhen-verify-package PACKAGE.zip``.
"""

FORMAT = "liuhen-case-package/v1"
__version__ = "1.0"
