# Protected functions of your own (apis) and the verifier layer: what each entry becomes, how paths map to
# listener rules, and every input that must fail at plan.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

variables {
  resource_servers = {
    "rest-api" = { name = "REST API", scopes = { read = "Read", write = "Write" } }
  }
  clients = {
    demo   = { scopes = ["rest-api/read"] }
    writer = { scopes = ["rest-api/read", "rest-api/write"] }
  }
}

override_resource {
  target = module.cognito.aws_cognito_user_pool_client.this["demo"]
  values = { id = "demo0000000000000000000001" }
}

override_resource {
  target = module.cognito.aws_cognito_user_pool_client.this["writer"]
  values = { id = "writer000000000000000002" }
}

run "your_own_function_next_to_the_demo" {
  command = apply

  variables {
    apis = {
      resource = { routes = { "GET /api" = ["rest-api/read"], "POST /api" = ["rest-api/write"] } }
      orders = {
        zip_path    = "./build/tftest/unlabelled.zip"
        handler     = "orders.handler"
        memory_size = 512
        environment = { TABLE = "orders" }
        clients     = ["writer"]
        policy_statements = {
          ReadOrders = { actions = ["dynamodb:GetItem", "dynamodb:PutItem"], resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"] }
        }
        routes = {
          "GET /orders"   = ["rest-api/read"]
          "POST /orders"  = ["rest-api/write"]
          "GET /orders/*" = ["rest-api/read"]
        }
      }
    }
  }

  assert {
    condition     = module.api_function["orders"].configuration.handler == "orders.handler" && module.api_function["orders"].configuration.memory_size == 512 && module.api_function["orders"].zip_path == "./build/tftest/unlabelled.zip"
    error_message = "The entry's zip, handler and memory reach its function."
  }

  assert {
    condition     = module.api_function["orders"].configuration.layers == tolist([output.verifier_layer_arn]) && output.verifier_layer_arn == "arn:aws:lambda:eu-west-1:123456789012:layer:m2m-verifier:1"
    error_message = "Your function gets the verifier layer, whose ARN is an output for other roots."
  }

  assert {
    condition = module.api_function["orders"].environment_variables == tomap({
      TABLE              = "orders"
      USER_POOL_ID       = "eu-west-1_MockPool1"
      ALLOWED_CLIENT_IDS = "writer000000000000000002"
      ROUTE_SCOPES       = jsonencode({ "GET /orders" = ["rest-api/read"], "GET /orders/*" = ["rest-api/read"], "POST /orders" = ["rest-api/write"] })
      METRICS_NAMESPACE  = "CognitoM2M"
    })
    error_message = "Its environment: its own variables, the pool, only the clients it names, and its own routes: ${jsonencode(module.api_function["orders"].environment_variables)}"
  }

  assert {
    condition     = module.api_function["resource"].environment_variables.ALLOWED_CLIENT_IDS == "demo0000000000000000000001,writer000000000000000002"
    error_message = "An entry without clients accepts every client."
  }

  assert {
    condition     = module.alb.listener_rules["orders"].path_patterns == tolist(["/orders", "/orders/*"]) && module.alb.listener_rules["resource"].path_patterns == tolist(["/api"])
    error_message = "Each entry's rule routes the distinct paths of its routes."
  }

  assert {
    condition     = module.alb.listener_rules["orders"].priority == 1000 && module.alb.listener_rules["resource"].priority == 1100
    error_message = "Entries take blocks of 100 priorities from 1000, in key order."
  }

  assert {
    condition     = output.api_functions["orders"].function_name == "m2m-demo-orders" && output.api_functions["orders"].paths == tolist(["/orders", "/orders/*"]) && output.resource_function_name == "m2m-demo-resource"
    error_message = "api_functions names each function and its paths."
  }

  assert {
    condition     = jsondecode(module.api_function["orders"].role_policy_json).Statement[*].Sid == ["WriteOwnLogs", "WriteTraces", "ReadOrders"] && jsondecode(module.api_function["orders"].role_policy_json).Statement[2].Resource == ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"]
    error_message = "Your function's role may write its logs and traces, and what its policy_statements name."
  }

  assert {
    condition     = jsondecode(module.api_function["resource"].role_policy_json).Statement[*].Sid == ["WriteOwnLogs", "WriteTraces"]
    error_message = "An entry without policy_statements may only write its logs and traces."
  }
}

run "many_paths_take_several_rules" {
  command = apply

  variables {
    apis = {
      shop = {
        zip_path = "./build/tftest/unlabelled.zip"
        routes   = { for p in ["a", "b", "c", "d", "e", "f", "g"] : "GET /${p}/*" => ["rest-api/read"] }
      }
    }
  }

  assert {
    condition     = keys(module.alb.listener_rules) == ["shop", "shop-2"] && length(module.alb.listener_rules["shop"].path_patterns) == 5 && module.alb.listener_rules["shop-2"].path_patterns == tolist(["/f/*", "/g/*"])
    error_message = "Seven paths: one rule of five (ALB's limit of condition values) and one of two."
  }

  assert {
    condition     = module.alb.listener_rules["shop"].priority == 1000 && module.alb.listener_rules["shop-2"].priority == 1001
    error_message = "A target's further rules take the next priorities."
  }

  assert {
    condition     = output.resource_function_name == null
    error_message = "Without the demo entry there is no demo function."
  }
}

run "the_layer_follows_the_functions_architecture_and_runtime" {
  command = plan

  module {
    source = "./modules/verifier-layer"
  }

  variables {
    layer_name   = "m2m-verifier"
    zip_path     = "./dist/verifier-layer.zip" # make build: arm64, python3.13
    architecture = "x86_64"
  }

  expect_failures = [aws_lambda_layer_version.this]
}

run "a_function_zip_is_not_a_layer" {
  command = plan

  module {
    source = "./modules/verifier-layer"
  }

  variables {
    layer_name = "m2m-verifier"
    zip_path   = "./dist/resource.zip"
  }

  expect_failures = [aws_lambda_layer_version.this]
}

run "a_layer_is_not_a_function_zip" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    function_name = "orders-fn"
    zip_path      = "./dist/verifier-layer.zip"
  }

  expect_failures = [aws_lambda_function.this]
}

run "the_layer_as_built" {
  command = apply

  module {
    source = "./modules/verifier-layer"
  }

  variables {
    layer_name = "m2m-verifier"
    zip_path   = "./dist/verifier-layer.zip"
  }

  assert {
    condition     = aws_lambda_layer_version.this.compatible_runtimes == toset(["python3.13"]) && aws_lambda_layer_version.this.compatible_architectures == toset(["arm64"]) && aws_lambda_layer_version.this.source_code_hash == filebase64sha256("./dist/verifier-layer.zip")
    error_message = "The layer is published for one architecture and runtime, with the zip's hash."
  }
}

# ---- inputs that fail at plan ---------------------------------------------------------------------
run "two_entries_claim_one_path" {
  command = plan
  variables {
    apis = {
      resource = { routes = { "GET /api" = ["rest-api/read"] } }
      copy     = { zip_path = "./build/tftest/unlabelled.zip", routes = { "POST /api" = ["rest-api/write"] } }
    }
  }
  expect_failures = [var.apis]
}

run "a_wildcard_covers_another_entrys_path" {
  command = plan
  variables {
    apis = {
      a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /orders/*" = ["rest-api/read"] } }
      b = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /orders/archive" = ["rest-api/read"] } }
    }
  }
  expect_failures = [var.apis]
}

run "an_exact_path_beside_a_wildcard_of_another_entry_is_fine" {
  command = plan
  variables {
    apis = {
      a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /orders/*" = ["rest-api/read"] } }
      b = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /orders" = ["rest-api/read"] } }
    }
  }
}

run "an_entry_claims_the_demo_clients_path" {
  command = plan
  variables {
    enable_client_endpoint = true
    apis                   = { a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /*" = ["rest-api/read"] } } }
  }
  expect_failures = [output.api_functions]
}

run "the_client_path_is_free_without_the_demo_endpoint" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /client" = ["rest-api/read"] } } }
  }
}

run "route_with_a_wildcard_inside" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /orders/*/lines" = ["rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "route_with_a_question_mark" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /orders?id=1" = ["rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "route_path_over_128_characters" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /${join("", [for i in range(128) : "x"])}" = ["rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "route_path_of_exactly_128_characters" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /${join("", [for i in range(127) : "x"])}" = ["rest-api/read"] } } }
  }
}

run "entry_key_client_is_taken" {
  command = plan
  variables {
    apis = { client = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /x" = ["rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "entry_key_format" {
  command = plan
  variables {
    apis = { Orders = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /x" = ["rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "no_entries" {
  command = plan
  variables {
    apis = {}
  }
  expect_failures = [var.apis]
}

run "handler_format" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/unlabelled.zip", handler = "orders", routes = { "GET /x" = ["rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "reserved_environment_key" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/unlabelled.zip", environment = { AWS_REGION = "us-east-1" }, routes = { "GET /x" = ["rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "zip_missing" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/missing.zip", routes = { "GET /x" = ["rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "a_scope_listed_twice" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /x" = ["rest-api/read", "rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "unknown_client" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/unlabelled.zip", clients = ["batch"], routes = { "GET /x" = ["rest-api/read"] } } }
  }
  expect_failures = [output.api_functions]
}

run "empty_client_list" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/unlabelled.zip", clients = [], routes = { "GET /x" = ["rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "more_rules_than_the_load_balancer_allows" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/unlabelled.zip", routes = { for i in range(500) : "GET /p${i}" => ["rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "layer_zip_missing" {
  command = plan
  variables {
    verifier_layer_zip_path = "./dist/missing-layer.zip"
  }
  expect_failures = [var.verifier_layer_zip_path]
}

run "a_route_without_a_space_fails_with_the_format_message_only" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET/x" = ["rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "a_wildcard_action_in_policy_statements" {
  command = plan
  variables {
    apis = { a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /x" = ["rest-api/read"] }, policy_statements = { All = { actions = ["dynamodb:*"], resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/t"] } } } }
  }
  expect_failures = [var.apis]
}
