# The example roots, planned and applied against the mocked provider with the inputs they document.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

run "example_minimal" {
  command = apply

  module {
    source = "./examples/minimal"
  }

  assert {
    condition     = output.client_url == "http://mock-1234567890.eu-west-1.elb.amazonaws.com/client" && output.token_url == "https://m2m-minimal-123456789012.auth.eu-west-1.amazoncognito.com/oauth2/token"
    error_message = "The minimal example deploys the defaults over HTTP."
  }
}

run "example_complete" {
  command = apply

  module {
    source = "./examples/complete"
  }

  variables {
    certificate_arn     = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8f9e-0a1b2c3d4e5f"
    domain_name         = "api.example.com"
    route53_zone_id     = "Z0123456789ABCDEFGHIJ"
    vpc_id              = "vpc-0123456789abcdef0"
    subnet_ids          = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    deletion_protection = false
  }

  assert {
    condition     = output.api_url == "https://api.example.com/api" && output.client_url == "https://api.example.com/client"
    error_message = "The complete example serves HTTPS on its domain name."
  }

  assert {
    condition     = keys(output.client_ids) == tolist(["reporting", "storefront"]) && keys(output.client_secret_arns) == tolist(["reporting", "storefront"])
    error_message = "The complete example has two clients, each with its secret."
  }

  assert {
    condition     = length(module.m2m.alarm_names) == 16 && output.alarm_topic_arn == aws_sns_topic.alarms.arn
    error_message = "The complete example has its 16 alarms (load balancer 2, API 5, client 5 with the shared token cache, rotation 4) and its on-call topic."
  }
}

run "example_own_api" {
  command = apply

  module {
    source = "./examples/own-api"
  }

  variables {
    orders_zip_path = "./build/tftest/unlabelled.zip"
  }

  assert {
    condition     = output.orders_url == "http://mock-1234567890.eu-west-1.elb.amazonaws.com/orders" && output.orders_function_name == "orders-orders"
    error_message = "The own-api example serves your function under /orders."
  }

  assert {
    condition     = keys(output.client_ids) == tolist(["reporting", "storefront"]) && output.verifier_layer_arn == "arn:aws:lambda:eu-west-1:123456789012:layer:m2m-verifier:1"
    error_message = "The own-api example has its two callers and publishes the layer."
  }
}
