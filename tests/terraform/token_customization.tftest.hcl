# Customized tokens: the pool's V3_0 pre-token-generation trigger, deployed by the module or given by ARN.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

run "off_by_default" {
  command = apply

  assert {
    condition     = length(aws_lambda_permission.token_trigger) == 0 && length(module.token_trigger) == 0 && output.token_trigger == null
    error_message = "Without token_customization there is no trigger, no permission and no output."
  }

  assert {
    condition     = module.cognito.token_settings.pre_token_generation == null
    error_message = "The pool has no trigger by default."
  }
}

run "a_trigger_the_module_deploys" {
  command = apply

  variables {
    token_customization = {
      zip_path    = "./build/tftest/unlabelled.zip"
      handler     = "tenant_claims.handler"
      environment = { TENANTS = "{\"m2m-demo-demo\":\"acme\"}" }
    }
  }

  assert {
    condition     = module.cognito.token_settings.pre_token_generation.lambda_version == "V3_0" && module.cognito.token_settings.pre_token_generation.lambda_arn == module.token_trigger[0].function_arn
    error_message = "The pool runs the deployed function with the V3_0 event (the only version that reaches client-credentials tokens)."
  }

  assert {
    condition     = module.cognito.token_settings.user_pool_tier == "ESSENTIALS"
    error_message = "Access-token customization needs Essentials or Plus: the module sets ESSENTIALS."
  }

  assert {
    condition     = module.token_trigger[0].configuration.handler == "tenant_claims.handler" && module.token_trigger[0].configuration.timeout == 5 && module.token_trigger[0].configuration.tracing_mode == "Active" && module.token_trigger[0].environment_variables.TENANTS == "{\"m2m-demo-demo\":\"acme\"}"
    error_message = "The trigger runs the given handler and environment, 5 s at most (Cognito's wait), traced with X-Ray."
  }

  assert {
    condition     = aws_lambda_permission.token_trigger[0].principal == "cognito-idp.amazonaws.com" && aws_lambda_permission.token_trigger[0].source_arn == module.cognito.user_pool_arn && aws_lambda_permission.token_trigger[0].source_account == "123456789012" && aws_lambda_permission.token_trigger[0].qualifier == null && aws_lambda_permission.token_trigger[0].function_name == module.token_trigger[0].function_arn
    error_message = "Cognito may invoke the trigger on behalf of this pool (SourceArn) in this account (SourceAccount) only."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.token_trigger_clients[0].policy).Statement == [{
      Sid      = "ListThisPoolsClients"
      Effect   = "Allow"
      Action   = ["cognito-idp:ListUserPoolClients"]
      Resource = [module.cognito.user_pool_arn]
    }]
    error_message = "The trigger may list this pool's clients (no secrets) and nothing else of Cognito."
  }

  assert {
    condition     = !strcontains(module.token_trigger[0].role_policy_json, "cognito-idp") && !strcontains(module.token_trigger[0].role_policy_json, "secretsmanager")
    error_message = "The trigger's own policy holds logs and X-Ray only: no client secret, no other Cognito call."
  }

  assert {
    condition     = alltrue([for k in ["trigger-errors", "trigger-throttles", "trigger-duration"] : contains(keys(output.alarm_names), k)])
    error_message = "The deployed trigger has its errors, throttles and duration alarms (a trigger error refuses a token)."
  }

  assert {
    condition     = output.token_trigger.function_arn == module.token_trigger[0].function_arn && output.token_trigger.function_name == "m2m-demo-token-trigger"
    error_message = "The token_trigger output names the deployed function."
  }
}

run "an_existing_function_by_alias_arn" {
  command = apply

  variables {
    user_pool_tier      = "PLUS"
    token_customization = { function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:tenant-claims:live" }
  }

  assert {
    condition     = length(module.token_trigger) == 0 && module.cognito.token_settings.pre_token_generation.lambda_arn == "arn:aws:lambda:eu-west-1:123456789012:function:tenant-claims:live"
    error_message = "An existing function is wired as given, alias included; nothing is deployed."
  }

  assert {
    condition     = aws_lambda_permission.token_trigger[0].function_name == "arn:aws:lambda:eu-west-1:123456789012:function:tenant-claims" && aws_lambda_permission.token_trigger[0].qualifier == "live"
    error_message = "The permission names the function and its alias as Lambda's AddPermission wants them (Qualifier)."
  }

  assert {
    condition     = module.cognito.token_settings.user_pool_tier == "PLUS" && length(aws_iam_role_policy.token_trigger_clients) == 0
    error_message = "PLUS is kept; an existing function gets no policy from the module."
  }
}

run "customization_on_lite_fails_at_plan" {
  command = plan
  variables {
    user_pool_tier      = "LITE"
    token_customization = { function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:tenant-claims" }
  }
  expect_failures = [var.user_pool_tier]
}

run "an_unknown_tier_fails_at_plan" {
  command = plan
  variables {
    user_pool_tier = "ADVANCED"
  }
  expect_failures = [var.user_pool_tier]
}

run "both_a_zip_and_an_arn_fail_at_plan" {
  command = plan
  variables {
    token_customization = { zip_path = "./build/tftest/unlabelled.zip", function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:x" }
  }
  expect_failures = [var.token_customization]
}

run "neither_a_zip_nor_an_arn_fails_at_plan" {
  command = plan
  variables {
    token_customization = {}
  }
  expect_failures = [var.token_customization]
}

run "a_missing_zip_fails_at_plan" {
  command = plan
  variables {
    token_customization = { zip_path = "./build/tftest/no-such-trigger.zip" }
  }
  expect_failures = [var.token_customization]
}

run "a_timeout_beyond_cognitos_wait_fails_at_plan" {
  command = plan
  variables {
    token_customization = { zip_path = "./build/tftest/unlabelled.zip", timeout = 6 }
  }
  expect_failures = [var.token_customization]
}

run "a_malformed_function_arn_fails_at_plan" {
  command = plan
  variables {
    token_customization = { function_arn = "arn:aws:lambda:eu-west-1:123456789012:tenant-claims" }
  }
  expect_failures = [var.token_customization]
}

run "environment_for_an_existing_function_fails_at_plan" {
  command = plan
  variables {
    token_customization = { function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:x", environment = { A = "b" } }
  }
  expect_failures = [var.token_customization]
}

run "a_reserved_environment_name_fails_at_plan" {
  command = plan
  variables {
    token_customization = { zip_path = "./build/tftest/unlabelled.zip", environment = { AWS_REGION = "us-east-1" } }
  }
  expect_failures = [var.token_customization]
}

run "a_function_in_another_account_fails_at_plan" {
  command = plan
  variables {
    token_customization = { function_arn = "arn:aws:lambda:eu-west-1:210987654321:function:tenant-claims" }
  }
  expect_failures = [aws_lambda_permission.token_trigger]
}

run "a_function_in_another_region_fails_at_plan" {
  command = plan
  variables {
    token_customization = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:tenant-claims" }
  }
  expect_failures = [aws_lambda_permission.token_trigger]
}

run "trigger_is_a_taken_apis_key" {
  command = plan
  variables {
    apis = {
      trigger = { routes = { "GET /api" = ["rest-api/read"] } }
    }
  }
  expect_failures = [var.apis]
}
