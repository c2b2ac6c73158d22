# The HTTPS branch at the root: a certificate, the domain name it covers and a Route 53 zone.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

# The demo endpoint is opt-in (the module's default leaves it off); these runs ask for it.
variables {
  enable_client_endpoint = true
}

override_resource {
  target = module.alb.aws_lb_listener.https[0]
  values = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/mock/50dc6c495c0c9188/0000000000000443" }
}

run "https" {
  command = apply

  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8f9e-0a1b2c3d4e5f"
    domain_name     = "api.example.com"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  assert {
    condition     = output.api_url == "https://api.example.com/api" && output.client_url == "https://api.example.com/client"
    error_message = "With a certificate the URLs use https:// and the certificate's domain name, never the ALB's DNS name."
  }

  assert {
    condition     = module.client_function[0].environment_variables.API_URL == "https://api.example.com/api"
    error_message = "The client function calls the API over HTTPS on the domain name."
  }

  assert {
    condition     = module.alb.https_listener_arn == "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/mock/50dc6c495c0c9188/0000000000000443"
    error_message = "An HTTPS listener exists."
  }

  assert {
    condition     = alltrue([for r in values(module.alb.listener_rules) : r.listener_arn == module.alb.https_listener_arn])
    error_message = "Routes are served by the HTTPS listener only (HTTP redirects)."
  }
}

run "https_requires_domain_name" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8f9e-0a1b2c3d4e5f"
  }

  expect_failures = [output.api_url]
}

run "tls13_only_policy" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8f9e-0a1b2c3d4e5f"
    domain_name     = "api.example.com"
    alb_ssl_policy  = "ELBSecurityPolicy-TLS13-1-3-2021-06"
  }

  assert {
    condition     = output.api_url == "https://api.example.com/api"
    error_message = "A TLS 1.3-only policy is accepted."
  }
}
