"""Code shared by both Lambda functions: ALB event/response shapes, configuration parsing, log setup.

The build copies this package into each function's zip, so it exists once in the source tree.
"""
