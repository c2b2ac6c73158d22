# The root module with its default inputs, applied against the mocked provider (no AWS call).
# Instances that must differ (log groups, target groups) get their own ARNs through overrides, so that
# "scoped to the exact ARN" means the ARN of that very resource, not any ARN of the same kind.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

# The demo endpoint is opt-in (the module's default leaves it off); these runs ask for it.
variables {
  enable_client_endpoint = true
}

override_resource {
  target = module.api_function["resource"].aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/m2m-demo-resource" }
}

override_resource {
  target = module.client_function[0].aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/m2m-demo-client" }
}

override_resource {
  target = module.api_function["resource"].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:m2m-demo-resource" }
}

override_resource {
  target = module.client_function[0].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:m2m-demo-client" }
}

override_resource {
  target = module.alb.aws_lb_target_group.this["resource"]
  values = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/m2m-demo-resource/1111111111111111" }
}

override_resource {
  target = module.alb.aws_lb_target_group.this["client"]
  values = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/m2m-demo-client/2222222222222222" }
}

run "defaults" {
  command = apply

  # ---- counts --------------------------------------------------------------------------------
  assert {
    condition     = keys(module.cognito.client_ids) == tolist(["demo"]) && keys(module.cognito.client_secret_arns) == tolist(["demo"])
    error_message = "One app client \"demo\" with one secret expected by default."
  }

  assert {
    condition     = module.cognito.resource_server_scopes == tomap({ "rest-api" = tolist(["rest-api/read", "rest-api/write"]) })
    error_message = "Default resource server rest-api with scopes read and write expected, got ${jsonencode(module.cognito.resource_server_scopes)}."
  }

  assert {
    condition     = length(module.network) == 1 && length(module.network[0].public_subnet_ids) == 2
    error_message = "Without vpc_id a VPC with two public subnets is created."
  }

  assert {
    condition     = length(module.client_function) == 1 && keys(module.alb.target_group_arns) == tolist(["client", "resource"])
    error_message = "Both functions and two target groups expected by default."
  }

  assert {
    condition     = module.alb.https_listener_arn == null
    error_message = "No HTTPS listener without a certificate."
  }

  # ---- routes --------------------------------------------------------------------------------
  assert {
    condition     = module.alb.listener_rules["resource"].path_patterns == tolist(["/api"]) && module.alb.listener_rules["client"].path_patterns == tolist(["/client"])
    error_message = "Routes: /api (the paths of the demo's routes) to the resource function, /client to the client function."
  }

  assert {
    # A priority the configuration leaves to AWS is 0 under the mocked provider.
    condition     = alltrue([for r in values(module.alb.listener_rules) : r.priority == 0])
    error_message = "Every rule's priority is the load balancer's to give: the next free one, kept for the rule's life."
  }

  assert {
    condition     = module.api_function["resource"].configuration.layers == tolist([output.verifier_layer_arn]) && module.verifier_layer.zip_path == "./dist/verifier-layer.zip"
    error_message = "Every apis function gets the verifier layer, published from dist/verifier-layer.zip."
  }

  assert {
    condition     = alltrue([for r in values(module.alb.listener_rules) : r.listener_arn == module.alb.http_listener_arn])
    error_message = "Without a certificate the rules belong to the HTTP listener."
  }

  # ---- resource function: env contract ------------------------------------------------------
  assert {
    condition = module.api_function["resource"].environment_variables == tomap({
      USER_POOL_ID       = "eu-west-1_MockPool1"
      ALLOWED_CLIENT_IDS = "1mockclient23456789abcdef"
      ROUTE_SCOPES       = jsonencode({ "GET /api" = ["rest-api/read"], "POST /api" = ["rest-api/write"] })
      METRICS_NAMESPACE  = "CognitoM2M"
    })
    error_message = "Resource env must be exactly USER_POOL_ID, ALLOWED_CLIENT_IDS, ROUTE_SCOPES, METRICS_NAMESPACE (no JWKS_URL unless overridden), got ${jsonencode(module.api_function["resource"].environment_variables)}."
  }

  assert {
    condition     = jsondecode(module.api_function["resource"].environment_variables.ROUTE_SCOPES) == { "GET /api" = ["rest-api/read"], "POST /api" = ["rest-api/write"] }
    error_message = "ROUTE_SCOPES must be a JSON object of route => scopes."
  }

  # ---- client function: env contract --------------------------------------------------------
  assert {
    condition = module.client_function[0].environment_variables == tomap({
      TOKEN_URL         = "https://m2m-demo-123456789012.auth.eu-west-1.amazoncognito.com/oauth2/token"
      CLIENT_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-demo-AbCdEf"
      SCOPES            = "rest-api/read"
      API_URL           = "http://mock-1234567890.eu-west-1.elb.amazonaws.com/api"
      METRICS_NAMESPACE = "CognitoM2M"
    })
    error_message = "Client env contract mismatch: ${jsonencode(module.client_function[0].environment_variables)}."
  }

  # ---- function settings ---------------------------------------------------------------------
  assert {
    condition = alltrue([for c in [module.api_function["resource"].configuration, module.client_function[0].configuration] :
      c.handler == "app.handler" && c.runtime == "python3.13" && c.architectures == tolist(["arm64"]) && c.tracing_mode == "Active" && c.log_format == "JSON" && c.log_retention_days == 30 && c.system_log_level == "INFO"
    ])
    error_message = "Both functions: app.handler, python3.13, arm64, X-Ray Active, JSON logs, 30 days retention, INFO system logs (START/REPORT lines)."
  }

  assert {
    condition     = module.api_function["resource"].configuration.log_group == "/aws/lambda/m2m-demo-resource" && module.client_function[0].configuration.log_group == "/aws/lambda/m2m-demo-client"
    error_message = "Each function logs to its own explicit log group."
  }

  # ---- IAM -----------------------------------------------------------------------------------
  assert {
    condition = jsondecode(module.api_function["resource"].role_policy_json).Statement == [
      {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/m2m-demo-resource:*"]
      },
      {
        Sid      = "WriteTraces"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = ["*"]
      },
    ]
    error_message = "The resource role may only write its own logs and X-Ray traces: ${module.api_function["resource"].role_policy_json}"
  }

  assert {
    condition = jsondecode(module.client_function[0].role_policy_json).Statement == [
      {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/m2m-demo-client:*"]
      },
      {
        Sid      = "WriteTraces"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = ["*"]
      },
      {
        Sid      = "ReadOwnClientSecret"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-demo-AbCdEf"]
      },
    ]
    error_message = "The client role may only write its own logs and traces and read its own secret: ${module.client_function[0].role_policy_json}"
  }

  # ---- outputs -------------------------------------------------------------------------------
  assert {
    condition     = output.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_MockPool1" && output.jwks_url == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_MockPool1/.well-known/jwks.json"
    error_message = "issuer/jwks_url must be derived from the region and the pool id."
  }

  assert {
    condition     = output.token_url == "https://m2m-demo-123456789012.auth.eu-west-1.amazoncognito.com/oauth2/token"
    error_message = "token_url must use the derived hosted-domain prefix <name>-<account id>."
  }

  assert {
    condition     = output.api_url == "http://mock-1234567890.eu-west-1.elb.amazonaws.com/api" && output.client_url == "http://mock-1234567890.eu-west-1.elb.amazonaws.com/client"
    error_message = "Without a certificate the URLs are http://<ALB DNS name>/..."
  }

  assert {
    condition     = output.resource_function_arn == "arn:aws:lambda:eu-west-1:123456789012:function:m2m-demo-resource" && output.client_function_arn == "arn:aws:lambda:eu-west-1:123456789012:function:m2m-demo-client"
    error_message = "Function ARN outputs must name the functions."
  }

  assert {
    condition     = output.resource_function_name == "m2m-demo-resource" && output.client_function_name == "m2m-demo-client"
    error_message = "Function names are <name>-resource and <name>-client."
  }

  assert {
    condition     = output.resource_zip_path == "./dist/resource.zip" && output.client_zip_path == "./dist/client.zip"
    error_message = "Zip paths default to dist/ of the module: ${output.resource_zip_path}, ${output.client_zip_path}."
  }

  assert {
    condition     = output.alb_arn == "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/mock/50dc6c495c0c9188" && output.user_pool_arn == "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_MockPool1"
    error_message = "alb_arn and user_pool_arn outputs."
  }
}

run "tags_and_settings" {
  command = apply

  variables {
    name                = "orders"
    tags                = { team = "payments", env = "test" }
    log_retention_days  = 90
    lambda_runtime      = "python3.12"
    lambda_architecture = "x86_64"
    # Zips without a build manifest (built elsewhere) are deployed as given: no architecture check.
    resource_zip_path = "./build/tftest/unlabelled.zip"
    client_zip_path   = "./build/tftest/unlabelled.zip"
    rotation_zip_path = "./build/tftest/unlabelled.zip"
    # The layer too: dist/verifier-layer.zip is built for arm64/python3.13.
    verifier_layer_zip_path = "./build/tftest/unlabelled.zip"
    apis = {
      resource = {
        routes      = { "GET /api" = ["rest-api/read"], "POST /api" = ["rest-api/write"] }
        memory_size = 512, timeout = 5, reserved_concurrency = 10, environment = { CLOCK_SKEW_SECONDS = "30", USER_POOL_ID = "ignored" }
      }
    }
    client_function = { environment = { TOKEN_EXPIRY_SKEW_SECONDS = "120" } }
  }

  assert {
    condition     = module.api_function["resource"].configuration.runtime == "python3.12" && module.api_function["resource"].configuration.architectures == tolist(["x86_64"]) && module.api_function["resource"].configuration.log_retention_days == 90
    error_message = "Runtime, architecture and retention variables must reach the functions."
  }

  assert {
    condition     = module.api_function["resource"].configuration.memory_size == 512 && module.api_function["resource"].configuration.timeout == 5 && module.api_function["resource"].configuration.reserved_concurrent_executions == 10
    error_message = "apis settings must reach the function."
  }

  assert {
    condition     = module.client_function[0].configuration.memory_size == 256 && module.client_function[0].configuration.timeout == 15 && module.client_function[0].configuration.reserved_concurrent_executions == 2
    error_message = "client_function defaults: 256 MB, 15 s, reserved concurrency 2 (caps the containers, and so the billed tokens, a public demo endpoint can cause)."
  }

  assert {
    condition     = module.api_function["resource"].environment_variables.CLOCK_SKEW_SECONDS == "30" && module.api_function["resource"].environment_variables.USER_POOL_ID == "eu-west-1_MockPool1"
    error_message = "Extra environment is merged, but the module's own contract variables win."
  }

  assert {
    condition     = module.client_function[0].environment_variables.TOKEN_EXPIRY_SKEW_SECONDS == "120" && output.token_url == "https://orders-123456789012.auth.eu-west-1.amazoncognito.com/oauth2/token"
    error_message = "Client extra environment and the derived domain prefix for name = orders."
  }
}
