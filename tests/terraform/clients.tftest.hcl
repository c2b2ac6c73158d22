# Several resource servers and clients with different scopes; the client function uses one of them.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

variables {
  enable_client_endpoint = true
  resource_servers = {
    "rest-api" = { name = "REST API", scopes = { read = "Read", write = "Write" } }
    "reports"  = { name = "Reports", scopes = { export = "Export" } }
  }
  clients = {
    demo      = { scopes = ["rest-api/read"] }
    reporting = { scopes = ["rest-api/read", "reports/export"], access_token_validity_minutes = 15 }
    writer    = { scopes = ["rest-api/write"], access_token_validity_minutes = 1440 }
  }
  client_function_client = "reporting"
  apis = {
    resource = {
      routes = {
        "GET /api"  = ["rest-api/read", "reports/export"]
        "POST /api" = ["rest-api/write"]
      }
    }
  }
}

override_resource {
  target = module.cognito.aws_cognito_user_pool_client.this["demo"]
  values = { id = "demo0000000000000000000001" }
}

override_resource {
  target = module.cognito.aws_cognito_user_pool_client.this["reporting"]
  values = { id = "reporting00000000000000002" }
}

override_resource {
  target = module.cognito.aws_cognito_user_pool_client.this["writer"]
  values = { id = "writer0000000000000000003" }
}

override_resource {
  target = module.cognito.aws_secretsmanager_secret.client["demo"]
  values = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-demo-111111" }
}

override_resource {
  target = module.cognito.aws_secretsmanager_secret.client["reporting"]
  values = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-reporting-222222" }
}

override_resource {
  target = module.cognito.aws_secretsmanager_secret.client["writer"]
  values = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-writer-333333" }
}

run "several_clients" {
  command = apply

  assert {
    condition = output.client_ids == tomap({
      demo      = "demo0000000000000000000001"
      reporting = "reporting00000000000000002"
      writer    = "writer0000000000000000003"
    })
    error_message = "client_ids maps each client key to its id."
  }

  assert {
    condition     = length(output.client_secret_arns) == 3 && output.client_secret_arns["writer"] == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-writer-333333"
    error_message = "One secret per client."
  }

  assert {
    condition     = module.api_function["resource"].environment_variables.ALLOWED_CLIENT_IDS == "demo0000000000000000000001,reporting00000000000000002,writer0000000000000000003"
    error_message = "The resource function accepts the tokens of every client."
  }

  assert {
    condition     = jsondecode(module.api_function["resource"].environment_variables.ROUTE_SCOPES)["GET /api"] == ["rest-api/read", "reports/export"]
    error_message = "apis routes reach ROUTE_SCOPES."
  }

  assert {
    condition     = module.client_function[0].environment_variables.SCOPES == "rest-api/read reports/export" && module.client_function[0].environment_variables.CLIENT_SECRET_ARN == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-reporting-222222"
    error_message = "The client function uses the chosen client's scopes (space-separated) and secret."
  }

  assert {
    condition     = [for s in jsondecode(module.client_function[0].role_policy_json).Statement : s.Resource if s.Sid == "ReadOwnClientSecret"] == [["arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-reporting-222222"]]
    error_message = "The client role may read only the chosen client's secret, not the others."
  }

  assert {
    condition     = !strcontains(module.client_function[0].role_policy_json, "m2m-demo-demo-111111") && !strcontains(module.client_function[0].role_policy_json, "m2m-demo-writer-333333") && !strcontains(module.api_function["resource"].role_policy_json, "secretsmanager")
    error_message = "No other secret is reachable; the resource role has no Secrets Manager access at all."
  }
}
