# Optional switches at the root: KMS key, client endpoint off, endpoint overrides (the local stack's).

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

# The demo endpoint is opt-in (the module's default leaves it off); these runs ask for it.
variables {
  enable_client_endpoint = true
}

run "kms_key" {
  command = apply

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = [for s in jsondecode(module.client_function[0].role_policy_json).Statement : s if s.Sid == "DecryptOwnClientSecret"] == [{
      Sid       = "DecryptOwnClientSecret"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
      Condition = { StringEquals = { "kms:ViaService" = ["secretsmanager.eu-west-1.amazonaws.com"] } }
    }]
    error_message = "With a KMS key the client role may kms:Decrypt with exactly that key, through Secrets Manager only."
  }

  assert {
    condition     = !strcontains(module.client_function[0].role_policy_json, "UseTokenTableKey")
    error_message = "Without the fleet's token table the client role gets no DynamoDB use of the key."
  }

  assert {
    condition     = !strcontains(module.api_function["resource"].role_policy_json, "kms:")
    error_message = "The resource role gets no KMS permission."
  }
}

run "kms_key_with_the_fleet_token_table" {
  command = apply

  variables {
    kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    shared_token_cache = true
  }

  # "How DynamoDB uses AWS KMS": DynamoDB uses a customer managed key on behalf of the principal that
  # reads or writes the table, which needs kms:Encrypt, kms:Decrypt, kms:ReEncrypt*, kms:GenerateDataKey*
  # and kms:DescribeKey (CreateGrant only for whoever creates the table).
  assert {
    condition = [for s in jsondecode(module.client_function[0].role_policy_json).Statement : s if s.Sid == "UseTokenTableKey"] == [{
      Sid       = "UseTokenTableKey"
      Effect    = "Allow"
      Action    = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"]
      Resource  = ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
      Condition = { StringEquals = { "kms:ViaService" = ["dynamodb.eu-west-1.amazonaws.com"] } }
    }]
    error_message = "With a customer managed key on the token table the client role may use it as DynamoDB needs, through DynamoDB only."
  }

  assert {
    condition     = contains(keys(module.monitoring.alarm_names), "client-shared-cache-fallbacks")
    error_message = "A silent fallback is a bill: the client's fallbacks to its own token request have an alarm."
  }
}

run "no_kms_key" {
  command = apply

  assert {
    condition     = !strcontains(module.client_function[0].role_policy_json, "kms:")
    error_message = "Without a KMS key the client role has no KMS permission."
  }
}

run "client_endpoint_disabled" {
  command = apply

  variables {
    enable_client_endpoint = false
  }

  assert {
    condition     = length(module.client_function) == 0 && keys(module.alb.target_group_arns) == tolist(["resource"]) && keys(module.alb.listener_rules) == ["resource"]
    error_message = "Without the client endpoint there is no client function, target group or /client rule."
  }

  assert {
    condition     = output.client_url == null && output.client_function_name == null && output.client_function_arn == null
    error_message = "Client outputs are null when the endpoint is off."
  }

  assert {
    condition     = length(output.client_ids) == 1 && length(output.client_secret_arns) == 1
    error_message = "The app clients and their secrets exist either way."
  }
}

run "endpoint_overrides" {
  command = apply

  variables {
    endpoint_overrides = {
      token_url = "http://127.0.0.1:8081/oauth2/token"
      jwks_url  = "http://127.0.0.1:4566/eu-west-1_MockPool1/.well-known/jwks.json"
      api_url   = "http://127.0.0.1:8080/api"
    }
  }

  assert {
    condition     = module.api_function["resource"].environment_variables.JWKS_URL == "http://127.0.0.1:4566/eu-west-1_MockPool1/.well-known/jwks.json"
    error_message = "jwks_url override becomes JWKS_URL of the resource function."
  }

  assert {
    condition     = module.client_function[0].environment_variables.TOKEN_URL == "http://127.0.0.1:8081/oauth2/token" && module.client_function[0].environment_variables.API_URL == "http://127.0.0.1:8080/api"
    error_message = "token_url/api_url overrides reach the client function."
  }

  assert {
    condition     = output.token_url == "http://127.0.0.1:8081/oauth2/token" && output.api_url == "http://127.0.0.1:8080/api" && output.jwks_url == "http://127.0.0.1:4566/eu-west-1_MockPool1/.well-known/jwks.json"
    error_message = "Outputs report the effective (overridden) URLs."
  }

  assert {
    condition     = output.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_MockPool1"
    error_message = "The issuer is never overridden: the resource function checks iss against the real Cognito form."
  }
}

run "issuer_formats_and_replicas" {
  command = apply

  variables {
    issuer_format             = "any"
    user_pool_replica_regions = ["us-east-1", "ap-south-1"]
  }

  assert {
    condition     = !contains(keys(module.api_function["resource"].environment_variables), "ISSUER_FORMAT") && module.api_function["resource"].environment_variables.REPLICA_REGIONS == "us-east-1,ap-south-1"
    error_message = "user_pool_replica_regions reaches every protected function as REPLICA_REGIONS; the default issuer_format \"any\" is the verifier's own default and is left out of the environment."
  }

  assert {
    condition = output.issuers == tolist([
      "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_MockPool1",
      "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_MockPool1",
      "https://cognito-idp.us-east-1.amazonaws.com/eu-west-1_MockPool1",
      "https://cognito-idp.ap-south-1.amazonaws.com/eu-west-1_MockPool1",
    ])
    error_message = "issuers lists what the functions derive: both formats of the primary Region, then each replica's original format."
  }
}

run "issuer_format_pinned_to_updated" {
  command = apply

  variables {
    issuer_format             = "updated"
    user_pool_replica_regions = ["us-east-1"]
  }

  assert {
    condition     = output.issuers == tolist(["https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_MockPool1"])
    error_message = "Under the updated format every Region issues the primary Region's issuer: replicas add none."
  }

  assert {
    condition     = module.api_function["resource"].environment_variables.ISSUER_FORMAT == "updated"
    error_message = "The pinned format reaches the function."
  }
}

run "explicit_domain_prefix" {
  command = plan

  variables {
    name          = "cognito-api"
    domain_prefix = "orders-auth-eu"
  }

  assert {
    condition     = output.token_url == "https://orders-auth-eu.auth.eu-west-1.amazoncognito.com/oauth2/token"
    error_message = "domain_prefix is used as given (and the account id is not needed)."
  }
}

run "explicit_zip_paths" {
  command = plan

  variables {
    resource_zip_path = "./dist/client.zip"
    client_zip_path   = "./dist/resource.zip"
  }

  assert {
    condition     = output.resource_zip_path == "./dist/client.zip" && output.client_zip_path == "./dist/resource.zip"
    error_message = "Explicit zip paths are used as given."
  }
}
