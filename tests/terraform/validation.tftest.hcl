# Every input validation and every cross-input precondition, each with a bad value that must fail at plan.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

run "valid_defaults_plan" {
  command = plan
}

# ---- name and tags ---------------------------------------------------------------------------
run "name_uppercase" {
  command = plan
  variables {
    name = "Orders"
  }
  expect_failures = [var.name]
}

run "name_too_long" {
  command = plan
  variables {
    name = "orders-service-api"
  }
  expect_failures = [var.name]
}

run "tag_key_reserved" {
  command = plan
  variables {
    tags = { "aws:owner" = "me" }
  }
  expect_failures = [var.tags]
}

# ---- resource servers and clients ------------------------------------------------------------
run "resource_servers_empty" {
  command = plan
  variables {
    resource_servers = {}
  }
  expect_failures = [var.resource_servers]
}

run "resource_server_identifier_charset" {
  command = plan
  variables {
    resource_servers = { "rest api" = { name = "REST API", scopes = { read = "Read" } } }
    clients          = { demo = { scopes = ["rest api/read"] } }
  }
  expect_failures = [var.resource_servers, var.clients]
}

run "resource_server_name_charset" {
  command = plan
  variables {
    resource_servers = { "rest-api" = { name = "REST <API>", scopes = { read = "Read", write = "Write" } } }
  }
  expect_failures = [var.resource_servers]
}

run "resource_server_without_scopes" {
  command = plan
  variables {
    resource_servers = { "rest-api" = { name = "REST API", scopes = {} } }
  }
  expect_failures = [var.resource_servers]
}

run "scope_name_charset" {
  command = plan
  variables {
    resource_servers = { "rest-api" = { name = "REST API", scopes = { "read/all" = "Read", write = "Write" } } }
  }
  expect_failures = [var.resource_servers]
}

run "clients_empty" {
  command = plan
  variables {
    clients = {}
  }
  expect_failures = [var.clients]
}

run "client_key_charset" {
  command = plan
  variables {
    clients = { "demo client" = { scopes = ["rest-api/read"] } }
  }
  expect_failures = [var.clients]
}

run "token_validity_too_short" {
  command = plan
  variables {
    clients = { demo = { scopes = ["rest-api/read"], access_token_validity_minutes = 4 } }
  }
  expect_failures = [var.clients]
}

run "token_validity_too_long" {
  command = plan
  variables {
    clients = { demo = { scopes = ["rest-api/read"], access_token_validity_minutes = 1441 } }
  }
  expect_failures = [var.clients]
}

run "client_scope_format" {
  command = plan
  variables {
    clients = { demo = { scopes = ["openid"] } }
  }
  expect_failures = [var.clients]
}

run "client_without_scopes" {
  command = plan
  variables {
    clients = { demo = { scopes = [] } }
  }
  expect_failures = [var.clients]
}

run "client_scope_not_defined" {
  command = plan
  variables {
    clients = { demo = { scopes = ["rest-api/read", "rest-api/admin"] } }
  }
  expect_failures = [output.client_ids]
}

run "client_function_client_unknown" {
  command = plan
  variables {
    enable_client_endpoint = true
    client_function_client = "missing"
  }
  expect_failures = [output.client_secret_arns]
}

run "client_function_client_unknown_but_endpoint_off" {
  command = plan
  variables {
    client_function_client = "missing"
    enable_client_endpoint = false
  }
}

run "domain_prefix_pattern" {
  command = plan
  variables {
    domain_prefix = "Orders_Auth"
  }
  expect_failures = [var.domain_prefix]
}

run "domain_prefix_reserved_word" {
  command = plan
  variables {
    domain_prefix = "orders-amazon"
  }
  expect_failures = [var.domain_prefix]
}

run "secret_recovery_window" {
  command = plan
  variables {
    secret_recovery_window_days = 3
  }
  expect_failures = [var.secret_recovery_window_days]
}

run "kms_key_alias_rejected" {
  command = plan
  variables {
    kms_key_arn = "alias/orders"
  }
  expect_failures = [var.kms_key_arn]
}

# ---- functions -------------------------------------------------------------------------------
run "route_key_format" {
  command = plan
  variables {
    apis = { resource = { routes = { "get /api" = ["rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "route_the_demo_does_not_implement" {
  command = plan
  variables {
    apis = { resource = { routes = { "GET /export" = ["rest-api/read"] } } }
  }
  expect_failures = [var.apis]
}

run "route_without_scopes" {
  command = plan
  variables {
    apis = { resource = { routes = { "GET /api" = [] } } }
  }
  expect_failures = [var.apis]
}

run "route_scope_not_defined" {
  command = plan
  variables {
    apis = { resource = { routes = { "GET /api" = ["rest-api/admin"] } } }
  }
  expect_failures = [output.api_functions]
}

run "resource_zip_missing" {
  command = plan
  variables {
    resource_zip_path = "./dist/missing-resource.zip"
  }
  expect_failures = [var.resource_zip_path]
}

run "client_zip_missing" {
  command = plan
  variables {
    client_zip_path = "./dist/missing-client.zip"
  }
  expect_failures = [var.client_zip_path]
}

run "runtime_too_old" {
  command = plan
  variables {
    lambda_runtime = "python3.11"
  }
  expect_failures = [var.lambda_runtime]
}

run "runtime_not_python" {
  command = plan
  variables {
    lambda_runtime = "nodejs20.x"
  }
  expect_failures = [var.lambda_runtime]
}

run "architecture" {
  command = plan
  variables {
    lambda_architecture = "amd64"
  }
  expect_failures = [var.lambda_architecture]
}

run "api_memory" {
  command = plan
  variables {
    apis = { resource = { routes = { "GET /api" = ["rest-api/read"] }, memory_size = 64 } }
  }
  expect_failures = [var.apis]
}

run "client_function_timeout" {
  command = plan
  variables {
    client_function = { timeout = 901 }
  }
  expect_failures = [var.client_function]
}

run "client_function_negative_concurrency" {
  command = plan
  variables {
    client_function = { reserved_concurrency = -2 }
  }
  expect_failures = [var.client_function]
}

run "log_retention" {
  command = plan
  variables {
    log_retention_days = 10
  }
  expect_failures = [var.log_retention_days]
}

run "log_level" {
  command = plan
  variables {
    log_level = "VERBOSE"
  }
  expect_failures = [var.log_level]
}

run "endpoint_override_not_a_url" {
  command = plan
  variables {
    endpoint_overrides = { token_url = "127.0.0.1:8081/oauth2/token" }
  }
  expect_failures = [var.endpoint_overrides]
}

run "endpoint_override_token_url_plain_http_elsewhere" {
  command = plan
  variables {
    endpoint_overrides = { token_url = "http://auth.example.com/oauth2/token" }
  }
  expect_failures = [var.endpoint_overrides]
}

run "endpoint_override_jwks_url_with_credentials" {
  command = plan
  variables {
    endpoint_overrides = { jwks_url = "https://user:pw@keys.example.com/jwks.json" }
  }
  expect_failures = [var.endpoint_overrides]
}

run "endpoint_override_jwks_url_with_fragment" {
  command = plan
  variables {
    endpoint_overrides = { jwks_url = "https://keys.example.com/jwks.json#k" }
  }
  expect_failures = [var.endpoint_overrides]
}

run "endpoint_override_loopback_http_and_upper_case_https_plan" {
  command = plan
  variables {
    endpoint_overrides = {
      token_url = "http://localhost:8081/oauth2/token"
      jwks_url  = "HTTPS://keys.example.com/jwks.json"
    }
  }
}

run "issuer_format_unknown" {
  command = plan
  variables {
    issuer_format = "both"
  }
  expect_failures = [var.issuer_format]
}

run "replica_region_malformed" {
  command = plan
  variables {
    user_pool_replica_regions = ["eu-west-1", "EU-WEST-2"]
  }
  expect_failures = [var.user_pool_replica_regions]
}

run "replica_region_twice" {
  command = plan
  variables {
    user_pool_replica_regions = ["us-east-1", "us-east-1"]
  }
  expect_failures = [var.user_pool_replica_regions]
}

run "replica_region_is_the_primary" {
  command = plan
  variables {
    user_pool_replica_regions = ["eu-west-1"]
  }
  expect_failures = [output.issuers]
}

# ---- load balancer and network ----------------------------------------------------------------
run "certificate_arn_format" {
  command = plan
  variables {
    certificate_arn = "arn:aws:iam::123456789012:server-certificate/api"
    domain_name     = "api.example.com"
  }
  expect_failures = [var.certificate_arn]
}

run "domain_name_with_scheme" {
  command = plan
  variables {
    domain_name = "https://api.example.com"
  }
  expect_failures = [var.domain_name]
}

run "route53_zone_id_format" {
  command = plan
  variables {
    route53_zone_id = "example.com"
  }
  expect_failures = [var.route53_zone_id]
}

run "vpc_id_format" {
  command = plan
  variables {
    vpc_id     = "my-vpc"
    subnet_ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  }
  expect_failures = [var.vpc_id]
}

run "single_subnet" {
  command = plan
  variables {
    vpc_id     = "vpc-0123456789abcdef0"
    subnet_ids = ["subnet-0123456789abcdef0"]
  }
  expect_failures = [var.subnet_ids]
}

run "vpc_cidr_not_canonical" {
  command = plan
  variables {
    vpc_cidr = "10.0.0.1/16"
  }
  expect_failures = [var.vpc_cidr]
}

run "vpc_cidr_too_small" {
  command = plan
  variables {
    vpc_cidr = "10.0.0.0/28"
  }
  expect_failures = [var.vpc_cidr]
}

run "ingress_cidr_not_a_cidr" {
  command = plan
  variables {
    ingress_cidrs = ["office"]
  }
  expect_failures = [var.ingress_cidrs]
}

run "ingress_cidr_host_bits" {
  command = plan
  variables {
    ingress_cidrs = ["203.0.113.7/24"]
  }
  expect_failures = [var.ingress_cidrs]
}

run "ingress_cidrs_empty" {
  command = plan
  variables {
    ingress_cidrs = []
  }
  expect_failures = [var.ingress_cidrs]
}

run "ssl_policy_not_tls13" {
  command = plan
  variables {
    alb_ssl_policy = "ELBSecurityPolicy-2016-08"
  }
  expect_failures = [var.alb_ssl_policy]
}

# ---- the demo endpoint is opt-in, and only where the client function can reach the API --------------
run "defaults_create_no_client_endpoint" {
  command = plan

  assert {
    condition     = length(module.client_function) == 0 && keys(module.alb.target_group_arns) == tolist(["resource"]) && output.client_url == null
    error_message = "The module's defaults must be safe for reuse: no client function and no /client route unless enable_client_endpoint."
  }
}

run "client_endpoint_behind_restricted_ingress" {
  command = plan
  variables {
    enable_client_endpoint = true
    ingress_cidrs          = ["203.0.113.0/24"]
  }
  expect_failures = [output.client_url]
}

run "client_endpoint_behind_internal_alb" {
  command = plan
  variables {
    enable_client_endpoint = true
    internet_facing        = false
  }
  expect_failures = [output.client_url]
}

run "restricted_alb_without_client_endpoint" {
  command = plan
  variables {
    ingress_cidrs   = ["203.0.113.0/24"]
    internet_facing = false
  }
}

run "client_endpoint_with_api_url_override_behind_internal_alb" {
  command = plan
  variables {
    enable_client_endpoint = true
    internet_facing        = false
    endpoint_overrides     = { api_url = "https://api.internal.example.com/api" }
  }
}

run "client_endpoint_source_cidrs_not_canonical" {
  command = plan
  variables {
    enable_client_endpoint       = true
    client_endpoint_source_cidrs = ["203.0.113.7/24"]
  }
  expect_failures = [var.client_endpoint_source_cidrs]
}

run "client_endpoint_too_many_source_cidrs" {
  command = plan
  variables {
    enable_client_endpoint       = true
    client_endpoint_source_cidrs = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "203.0.113.0/24"]
  }
  expect_failures = [var.client_endpoint_source_cidrs]
}

# ---- Cognito's 256-character limit on a whole scope "<identifier>/<scope>" -----------------------
run "scope_over_256_characters" {
  command = plan
  variables {
    resource_servers = { (join("", [for i in range(200) : "a"])) = { name = "Long", scopes = { (join("", [for i in range(60) : "r"])) = "Read" } } }
    clients          = { demo = { scopes = ["${join("", [for i in range(200) : "a"])}/${join("", [for i in range(60) : "r"])}"] } }
    apis             = { resource = { routes = { "GET /api" = ["${join("", [for i in range(200) : "a"])}/${join("", [for i in range(60) : "r"])}"] } } }
  }
  expect_failures = [var.resource_servers, var.clients]
}

run "scope_of_exactly_256_characters" {
  command = plan
  variables {
    resource_servers = { (join("", [for i in range(200) : "a"])) = { name = "Long", scopes = { (join("", [for i in range(55) : "r"])) = "Read" } } }
    clients          = { demo = { scopes = ["${join("", [for i in range(200) : "a"])}/${join("", [for i in range(55) : "r"])}"] } }
    apis             = { resource = { routes = { "GET /api" = ["${join("", [for i in range(200) : "a"])}/${join("", [for i in range(55) : "r"])}"] } } }
  }
}

# ---- a KMS key must be in the region the module deploys to ------------------------------------------
run "kms_key_in_another_region" {
  command = plan
  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }
  expect_failures = [output.user_pool_arn]
}
