# The fleet-wide token cache: an on-demand table with TTL and encryption, and a client role that may touch
# its own client's items only.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

variables {
  enable_client_endpoint = true
}

run "off_by_default" {
  command = plan

  assert {
    condition     = length(aws_dynamodb_table.tokens) == 0 && output.token_cache_table == null
    error_message = "No table unless shared_token_cache is set."
  }
}

run "on" {
  command = apply

  variables {
    shared_token_cache  = true
    deletion_protection = true
    kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/0b9a4c43-1b7e-4bd2-a2a5-6b3b2e5e1f00"
  }

  assert {
    condition     = aws_dynamodb_table.tokens[0].billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.tokens[0].hash_key == "pk"
    error_message = "The table is on-demand, keyed by pk."
  }

  assert {
    condition     = aws_dynamodb_table.tokens[0].ttl[0].enabled && aws_dynamodb_table.tokens[0].ttl[0].attribute_name == "expires_at"
    error_message = "Expired tokens are deleted by DynamoDB's TTL on expires_at."
  }

  assert {
    condition     = aws_dynamodb_table.tokens[0].server_side_encryption[0].enabled && aws_dynamodb_table.tokens[0].server_side_encryption[0].kms_key_arn == var.kms_key_arn
    error_message = "The table is encrypted with kms_key_arn when given."
  }

  assert {
    condition     = aws_dynamodb_table.tokens[0].deletion_protection_enabled
    error_message = "Deletion protection follows deletion_protection."
  }

  assert {
    condition     = module.client_function[0].environment_variables["TOKEN_CACHE_TABLE"] == aws_dynamodb_table.tokens[0].name
    error_message = "The client function gets the table's name."
  }

  assert {
    condition = one([
      for s in jsondecode(module.client_function[0].role_policy_json).Statement : s
      if s.Sid == "ShareOwnTokens"
      ]).Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == [
      "${substr(sha256(module.cognito.client_ids["demo"]), 0, 32)}#*"
    ]
    error_message = "The client role may touch only its own client's items (dynamodb:LeadingKeys)."
  }

  assert {
    condition     = toset(one([for s in jsondecode(module.client_function[0].role_policy_json).Statement : s if s.Sid == "ShareOwnTokens"]).Action) == toset(["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"])
    error_message = "Get, put and update items: nothing else (no scan, no delete, no table management)."
  }

  assert {
    condition     = output.token_cache_table.name == "m2m-demo-tokens"
    error_message = "The output names the table."
  }
}

run "without_the_client_function_there_is_no_table" {
  command = plan

  variables {
    shared_token_cache     = true
    enable_client_endpoint = false
  }

  assert {
    condition     = length(aws_dynamodb_table.tokens) == 0
    error_message = "The table serves the client function; without it there is nothing to share."
  }
}
