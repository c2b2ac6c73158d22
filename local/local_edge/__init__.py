"""The local edge: the two parts of AWS that the emulator (moto) lacks, each faithful to AWS.

- :mod:`local_edge.token_endpoint`: Cognito's hosted-domain ``POST /oauth2/token`` (client credentials).
- :mod:`local_edge.alb`: an Application Load Balancer that routes by the listener rules read from the
  emulator's ELBv2 API and invokes Lambda targets in :mod:`local_edge.worker` processes.
- :mod:`local_edge.stack`: ``up``/``down`` of the whole local stack (moto, ``terraform apply``, edge).

Nothing in ``src/`` knows it may run here: the edge adapts to the functions, never the reverse.
"""
