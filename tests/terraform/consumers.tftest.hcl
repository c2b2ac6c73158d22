# Callers in other accounts: a client's consumers read its secret where it is, through the secret's
# resource policy and the customer managed key's policy, and every input that cannot work fails at plan.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

variables {
  resource_servers = {
    "rest-api" = { name = "REST API", scopes = { read = "Read", write = "Write" } }
  }
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/0b5b3e8a-6c2e-4f7a-9d1e-3c5a7b9d1f2e"
  clients = {
    demo = { scopes = ["rest-api/read"] }
    reporting = {
      scopes    = ["rest-api/write", "rest-api/read"]
      consumers = ["arn:aws:iam::210987654321:role/reports/exporter", "arn:aws:iam::111122223333:role/batch"]
    }
    billing = {
      scopes    = ["rest-api/read"]
      consumers = ["arn:aws:iam::444455556666:role/billing-caller"]
    }
  }
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
  target = module.cognito.aws_secretsmanager_secret.client["billing"]
  values = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-billing-333333" }
}

run "consumers_read_their_own_client_secret_only" {
  command = apply

  assert {
    condition     = keys(module.cognito.consumer_policies) == ["billing", "reporting"]
    error_message = "Only the clients with consumers get a resource policy; demo has none."
  }

  assert {
    condition = jsondecode(module.cognito.consumer_policies["reporting"].secret_policy) == {
      Version = "2012-10-17"
      Statement = [{
        Sid       = "ConsumersReadThisSecret"
        Effect    = "Allow"
        Principal = { AWS = ["arn:aws:iam::111122223333:role/batch", "arn:aws:iam::210987654321:role/reports/exporter"] }
        Action    = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
        Resource  = "*"
      }]
    }
    error_message = "The reporting secret's policy allows exactly its two consumers GetSecretValue and DescribeSecret, and nothing else."
  }

  assert {
    condition     = module.cognito.consumer_policies["reporting"].secret_arn == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-reporting-222222" && jsondecode(module.cognito.consumer_policies["billing"].secret_policy).Statement[0].Principal.AWS == ["arn:aws:iam::444455556666:role/billing-caller"]
    error_message = "Each policy sits on its own client's secret and names that client's consumers only."
  }

  assert {
    condition     = alltrue([for p in values(module.cognito.consumer_policies) : p.block_public_policy])
    error_message = "Every put asks Secrets Manager to refuse broad access (BlockPublicPolicy)."
  }

  assert {
    condition = jsondecode(output.consumer_access["reporting"].key_policy_statement) == {
      Sid       = "ConsumersDecryptreporting${substr(sha256("reporting"), 0, 8)}"
      Effect    = "Allow"
      Principal = { AWS = ["arn:aws:iam::111122223333:role/batch", "arn:aws:iam::210987654321:role/reports/exporter"] }
      Action    = "kms:Decrypt"
      Resource  = "*"
      Condition = {
        StringEquals = {
          "kms:ViaService"                  = "secretsmanager.eu-west-1.amazonaws.com"
          "kms:EncryptionContext:SecretARN" = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-reporting-222222"
        }
      }
    }
    error_message = "The key-policy statement lets the consumers decrypt through Secrets Manager only, and only this secret."
  }

  assert {
    condition = (
      output.consumer_access["reporting"].secret_arn == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-reporting-222222"
      && output.consumer_access["reporting"].scopes == tolist(["rest-api/read", "rest-api/write"])
      && output.consumer_access["reporting"].region == "eu-west-1"
      && output.consumer_access["reporting"].token_url == output.token_url
      && output.consumer_access["reporting"].kms_key_arn == var.kms_key_arn
      && !contains(keys(output.consumer_access), "demo")
    )
    error_message = "consumer_access tells each client's callers the secret ARN, token URL, scopes, Region and key."
  }

  assert {
    condition     = !strcontains(jsonencode(output.consumer_access), "mock-client-secret")
    error_message = "consumer_access holds nothing secret."
  }

  assert {
    condition = jsondecode(output.consumer_access["billing"].caller_policy).Statement == [
      { Sid = "ReadTheClientSecret", Effect = "Allow", Action = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], Resource = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-billing-333333" },
      {
        Sid       = "DecryptItThroughSecretsManager"
        Effect    = "Allow"
        Action    = "kms:Decrypt"
        Resource  = "arn:aws:kms:eu-west-1:123456789012:key/0b5b3e8a-6c2e-4f7a-9d1e-3c5a7b9d1f2e"
        Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.eu-west-1.amazonaws.com" } }
      },
    ]
    error_message = "The caller's own IAM policy names the one secret and the key, through Secrets Manager only."
  }
}

run "removing_a_consumer_removes_its_access" {
  command = apply

  variables {
    clients = {
      demo = { scopes = ["rest-api/read"] }
      reporting = {
        scopes    = ["rest-api/read"]
        consumers = ["arn:aws:iam::111122223333:role/batch"]
      }
      billing = { scopes = ["rest-api/read"] }
    }
  }

  assert {
    condition     = keys(module.cognito.consumer_policies) == ["reporting"]
    error_message = "A client whose last consumer goes loses its resource policy on this apply."
  }

  assert {
    condition     = jsondecode(module.cognito.consumer_policies["reporting"].secret_policy).Statement[0].Principal.AWS == ["arn:aws:iam::111122223333:role/batch"] && !strcontains(jsonencode(output.consumer_access), "210987654321")
    error_message = "A removed consumer leaves the secret's policy and the key-policy statement."
  }
}

run "no_consumers_no_policy_and_no_key_needed" {
  command = plan

  variables {
    kms_key_arn = null
    clients     = { demo = { scopes = ["rest-api/read"] } }
  }

  assert {
    condition     = module.cognito.consumer_policies == {} && output.consumer_access == {} && length(data.aws_kms_key.secrets) == 0
    error_message = "Without consumers there is no resource policy, no key lookup and nothing to share."
  }
}

run "consumers_without_a_kms_key_fail_at_plan" {
  command = plan

  variables {
    kms_key_arn = null
  }

  expect_failures = [data.aws_kms_key.secrets]
}

run "consumers_with_an_aws_managed_key_fail_at_plan" {
  command = plan

  override_data {
    target = data.aws_kms_key.secrets[0]
    values = { key_manager = "AWS" }
  }

  expect_failures = [output.consumer_access]
}

run "an_account_root_as_consumer_fails_at_plan" {
  command = plan

  variables {
    clients = { demo = { scopes = ["rest-api/read"], consumers = ["arn:aws:iam::210987654321:root"] } }
  }

  expect_failures = [var.clients]
}

run "a_wildcard_consumer_fails_at_plan" {
  command = plan

  variables {
    clients = { demo = { scopes = ["rest-api/read"], consumers = ["arn:aws:iam::210987654321:role/team*/batch"] } }
  }

  expect_failures = [var.clients]
}

run "a_bare_account_id_or_a_user_fails_at_plan" {
  command = plan

  variables {
    clients = { demo = { scopes = ["rest-api/read"], consumers = ["210987654321", "arn:aws:iam::210987654321:user/alice"] } }
  }

  expect_failures = [var.clients]
}

run "an_assumed_role_session_fails_at_plan" {
  command = plan

  variables {
    clients = { demo = { scopes = ["rest-api/read"], consumers = ["arn:aws:sts::210987654321:assumed-role/batch/session"] } }
  }

  expect_failures = [var.clients]
}

run "twenty_five_consumers_of_the_longest_arns_plan" {
  command = plan

  variables {
    clients = {
      demo = {
        scopes = ["rest-api/read"]
        consumers = [
          for i in range(25) : format("arn:aws-us-gov:iam::%012d:role/%s/%s", 100000000000 + i, "${join("/", [for j in range(51) : "abcdefghi"])}x", "r${format("%063d", i)}")
        ]
      }
    }
  }

  assert {
    condition     = length(jsondecode(module.cognito.consumer_policies["demo"].secret_policy).Statement[0].Principal.AWS) == 25 && length(module.cognito.consumer_policies["demo"].secret_policy) <= 20480
    error_message = "The most consumers allowed, each with a 512-character path and a 64-character name, fit in 20,480 characters."
  }
}

run "too_many_consumers_fail_at_plan" {
  command = plan

  variables {
    clients = {
      demo = {
        scopes    = ["rest-api/read"]
        consumers = [for i in range(26) : format("arn:aws:iam::%012d:role/caller", 100000000000 + i)]
      }
    }
  }

  expect_failures = [var.clients]
}

run "client_keys_that_differ_only_in_punctuation_get_distinct_sids" {
  command = plan

  variables {
    clients = {
      foo-bar = { scopes = ["rest-api/read"], consumers = ["arn:aws:iam::111122223333:role/a"] }
      foo_bar = { scopes = ["rest-api/read"], consumers = ["arn:aws:iam::111122223333:role/b"] }
    }
  }

  assert {
    condition     = length(distinct([for c in values(module.cognito.consumer_policies) : c.key_policy_statement.Sid])) == 2 && alltrue([for c in values(module.cognito.consumer_policies) : can(regex("^[A-Za-z0-9]+$", c.key_policy_statement.Sid))])
    error_message = "Each client's key-policy statement has its own Sid of letters and digits (IAM's rule; Sids are unique in a policy)."
  }
}

run "two_clients_at_the_most_consumers_overflow_the_key_policy_at_plan" {
  command = plan

  variables {
    clients = {
      for n in ["one", "two"] : n => {
        scopes    = ["rest-api/read"]
        consumers = [for i in range(25) : format("arn:aws-us-gov:iam::%012d:role/%s/%s", 100000000000 + i, "${join("/", [for j in range(51) : "abcdefghi"])}x", "r${format("%063d", i)}")]
      }
    }
  }

  expect_failures = [output.consumer_access]
}

run "a_consumer_listed_twice_fails_at_plan" {
  command = plan

  variables {
    clients = {
      demo = { scopes = ["rest-api/read"], consumers = ["arn:aws:iam::111122223333:role/batch", "arn:aws:iam::111122223333:role/Batch"] }
    }
  }

  expect_failures = [var.clients]
}

run "a_key_made_in_the_same_apply_plans" {
  command = plan

  # kms_key_arn is unknown at plan: the key lookup's count must not depend on it
  module {
    source = "./tests/terraform/roots/key_in_same_apply"
  }

  assert {
    condition     = length(module.m2m.consumer_access) == 1
    error_message = "The shared client plans with a key the same apply creates."
  }
}
