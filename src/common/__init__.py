"""Code shared by the packages: ALB event/response shapes, configuration parsing, log setup, AWS SDK helpers.

It exists once, in ``src/common``; each distribution links it in as its own ``_shared`` subpackage
(``cognito_m2m_verifier._shared``, ``cognito_m2m_client._shared``), and its wheel and zip carry a copy,
so each stands alone and the two never claim the same files when both are installed. Private: import
it only through the package you use.
"""
