"""Zero-downtime rotation of Cognito app-client secrets kept in Secrets Manager.

Cognito keeps up to two active secrets per app client. Each rotation adds a new one and promotes it in
Secrets Manager, while the previous one stays valid until the next rotation: a container that cached
it keeps working for a whole rotation period. See :mod:`cognito_m2m_rotation.steps`.
"""

from cognito_m2m_rotation.credentials import StoredCredentials
from cognito_m2m_rotation.steps import RotationError, SecretRotation

__all__ = ["RotationError", "SecretRotation", "StoredCredentials"]
__version__ = "0.2.0"
