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
    # A priority the configuration leaves to AWS is 0 under the mocked provider.
    condition     = module.alb.listener_rules["orders"].priority == 0 && module.alb.listener_rules["resource"].priority == 0
    error_message = "No rule sets a priority: the load balancer gives each new rule the next free one, and other entries never renumber it (tests/contract shows it on the emulator)."
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
    condition     = keys(module.alb.listener_rules) == ["shop", "shop#2"] && length(module.alb.listener_rules["shop"].path_patterns) == 5 && module.alb.listener_rules["shop#2"].path_patterns == tolist(["/f/*", "/g/*"])
    error_message = "Seven paths: one rule of five (ALB's limit of condition values) and one of two, keyed shop and shop#2."
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

run "a_wildcard_covers_another_entrys_wildcard" {
  command = plan
  variables {
    apis = {
      a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /orders/*" = ["rest-api/read"] } }
      b = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /orders/archive/*" = ["rest-api/read"] } }
    }
  }
  expect_failures = [var.apis]
}

run "a_root_wildcard_covers_every_other_entry" {
  command = plan
  variables {
    apis = {
      a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /*" = ["rest-api/read"] } }
      b = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /b" = ["rest-api/read"] } }
    }
  }
  expect_failures = [var.apis]
}

run "one_wildcard_in_two_entries" {
  command = plan
  variables {
    apis = {
      a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /orders/*" = ["rest-api/read"] } }
      b = { zip_path = "./build/tftest/unlabelled.zip", routes = { "POST /orders/*" = ["rest-api/write"] } }
    }
  }
  expect_failures = [var.apis]
}

run "similar_prefixes_are_different_paths" {
  command = plan
  variables {
    apis = {
      a = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /orders/*" = ["rest-api/read"], "GET /a/b/*" = ["rest-api/read"] } }
      b = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /orders-archive/x" = ["rest-api/read"], "GET /ordersx/*" = ["rest-api/read"], "GET /a/bc" = ["rest-api/read"] } }
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

run "rule_keys_of_two_entries_never_collide" {
  command = apply

  variables {
    apis = {
      orders = {
        zip_path = "./build/tftest/unlabelled.zip"
        routes   = { for p in ["a", "b", "c", "d", "e", "f"] : "GET /orders/${p}" => ["rest-api/read"] }
      }
      "orders-2" = {
        zip_path = "./build/tftest/unlabelled.zip"
        routes   = { "GET /more" = ["rest-api/read"] }
      }
    }
  }

  assert {
    condition     = toset(keys(module.alb.listener_rules)) == toset(["orders", "orders#2", "orders-2"]) && module.alb.listener_rules["orders-2"].path_patterns == tolist(["/more"]) && module.alb.listener_rules["orders#2"].path_patterns == tolist(["/orders/f"])
    error_message = "Six paths of orders take two rules and orders-2 its own: three rules, none dropped."
  }
}

run "a_route_with_a_character_alb_refuses" {
  command = plan

  variables {
    apis = {
      orders = {
        zip_path = "./build/tftest/unlabelled.zip"
        routes   = { "GET /orders/{id}" = ["rest-api/read"] }
      }
    }
  }

  expect_failures = [var.apis]
}

run "a_route_with_every_character_alb_allows" {
  command = plan

  variables {
    apis = {
      orders = {
        zip_path = "./build/tftest/unlabelled.zip"
        routes   = { "GET /a-z_A.Z~0$9/\"'@:+/*" = ["rest-api/read"] }
      }
    }
  }

  assert {
    condition     = output.api_functions["orders"].paths == tolist(["/a-z_A.Z~0$9/\"'@:+/*"])
    error_message = "Letters, digits and _ - . $ / ~ \" ' @ : + are path-pattern characters."
  }
}

run "an_entry_keyed_rotation_is_refused" {
  command = plan

  variables {
    apis = {
      rotation = { zip_path = "./build/tftest/unlabelled.zip", routes = { "GET /r" = ["rest-api/read"] } }
    }
  }

  expect_failures = [var.apis]
}


# Lambda: "Function environment variables: 4 KB" for all of them together. ALLOWED_CLIENT_IDS lists 27
# bytes per client (26 characters and a comma): an entry that accepts every one of 150 clients cannot
# fit, and the plan says so instead of CreateFunction failing at apply.
run "an_environment_over_lambdas_4_kb_fails_at_plan" {
  command = plan

  variables {
    clients = { for i in range(150) : "c${i}" => { scopes = ["rest-api/read"] } }
  }

  expect_failures = [output.api_functions]
}

run "listing_the_callers_keeps_the_environment_small" {
  command = plan

  variables {
    clients = { for i in range(150) : "c${i}" => { scopes = ["rest-api/read"] } }
    apis = {
      resource = { routes = { "GET /api" = ["rest-api/read"] }, clients = ["c1", "c2"] }
    }
  }

  assert {
    condition     = output.api_functions["resource"].routes == tomap({ "GET /api" = tolist(["rest-api/read"]) })
    error_message = "An entry that names its two callers plans with 150 clients in the pool."
  }
}
