# Secret rotation: one rotation function, one invoke permission for every secret of the deployment, one
# rotation schedule per client secret, least privilege (the pool's ARN; the deployment's secrets by name
# and pool tag), and Terraform never writing a rotated secret back.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

variables {
  clients = {
    demo   = { scopes = ["rest-api/read"] }
    writer = { scopes = ["rest-api/read", "rest-api/write"] }
  }
}

run "rotation_is_on_by_default" {
  command = plan

  assert {
    condition     = length(module.rotation_function) == 1 && length(aws_secretsmanager_secret_rotation.client) == 2
    error_message = "Every client secret must rotate by default."
  }

  assert {
    condition     = alltrue([for r in aws_secretsmanager_secret_rotation.client : r.rotation_rules[0].automatically_after_days == 30 && r.rotate_immediately == false])
    error_message = "The default schedule is every 30 days, the first rotation after 30 days."
  }

  assert {
    condition     = length(aws_lambda_permission.rotation) == 1 && aws_lambda_permission.rotation[0].principal == "secretsmanager.amazonaws.com" && aws_lambda_permission.rotation[0].action == "lambda:InvokeFunction"
    error_message = "Secrets Manager, and only it, may invoke the rotation function: one permission, whatever the number of clients."
  }
}

run "least_privilege" {
  command = apply

  assert {
    condition     = module.rotation_function[0].environment_variables["USER_POOL_ID"] != "" && endswith(module.rotation_function[0].environment_variables["TOKEN_URL"], "/oauth2/token")
    error_message = "The rotation function needs the pool and the token endpoint (testSecret)."
  }

  assert {
    condition     = [for s in jsondecode(module.rotation_function[0].role_policy_json).Statement : s if s.Sid == "RotateClientSecretsInCognito"][0].Resource == ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_MockPool1"]
    error_message = "On Cognito the rotation role acts on the pool's exact ARN."
  }

  assert {
    condition = [for s in jsondecode(module.rotation_function[0].role_policy_json).Statement : s if s.Sid == "RotateStoredClientSecrets"] == [{
      Sid       = "RotateStoredClientSecrets"
      Effect    = "Allow"
      Action    = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"]
      Resource  = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-*"]
      Condition = { StringEquals = { "secretsmanager:ResourceTag/CognitoUserPoolId" = ["eu-west-1_MockPool1"] } }
    }]
    error_message = "On Secrets Manager: the four calls a rotation makes, on the deployment's secrets only (named m2m-demo-*, tagged with its pool), in one statement whatever the number of clients."
  }


  assert {
    condition = toset(flatten([
      for s in jsondecode(module.rotation_function[0].role_policy_json).Statement : flatten([s.Action]) if s.Sid == "RotateClientSecretsInCognito"
    ])) == toset(["cognito-idp:AddUserPoolClientSecret", "cognito-idp:DeleteUserPoolClientSecret", "cognito-idp:ListUserPoolClientSecrets"])
    error_message = "On Cognito the rotation function may only add, list and delete client secrets."
  }

  assert {
    condition     = aws_lambda_permission.rotation[0].source_arn == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-*" && aws_lambda_permission.rotation[0].source_account == "123456789012"
    error_message = "The invoke permission is scoped to this account (AWS:SourceAccount) and the deployment's secrets (AWS:SourceArn, ArnLike)."
  }

  assert {
    condition     = output.secret_rotation.days == 30 && output.secret_rotation.function_name == "m2m-demo-secret-rotation"
    error_message = "The secret_rotation output names the function and the schedule."
  }
}

run "rotation_off" {
  command = plan

  variables {
    secret_rotation_days = null
  }

  assert {
    condition     = length(module.rotation_function) == 0 && length(aws_secretsmanager_secret_rotation.client) == 0 && length(aws_lambda_permission.rotation) == 0 && output.secret_rotation == null
    error_message = "secret_rotation_days = null turns rotation off entirely."
  }
}

run "a_custom_schedule" {
  command = plan

  variables {
    secret_rotation_days = 7
  }

  assert {
    condition     = alltrue([for r in aws_secretsmanager_secret_rotation.client : r.rotation_rules[0].automatically_after_days == 7])
    error_message = "secret_rotation_days sets the schedule."
  }
}

run "zero_days_fails_at_plan" {
  command = plan

  variables {
    secret_rotation_days = 0
  }

  expect_failures = [var.secret_rotation_days]
}

run "fractional_days_fail_at_plan" {
  command = plan

  variables {
    secret_rotation_days = 1.5
  }

  expect_failures = [var.secret_rotation_days]
}

run "a_missing_rotation_zip_fails_at_plan" {
  command = plan

  variables {
    rotation_zip_path = "./no/such/rotation.zip"
  }

  expect_failures = [var.rotation_zip_path]
}
