# Each submodule on its own (run blocks with a module source), so that assertions can read its resources.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

variables {
  tags = { team = "payments", env = "test" }
}

run "cognito_m2m" {
  command = apply

  module {
    source = "./modules/cognito-m2m"
  }

  variables {
    name          = "orders"
    domain_prefix = "orders-123456789012"
    resource_servers = {
      "rest-api" = { name = "REST API", scopes = { read = "Read", write = "Write" } }
      "reports"  = { name = "Reports", scopes = { export = "Export" } }
    }
    clients = {
      demo      = { scopes = ["rest-api/read"] }
      reporting = { scopes = ["rest-api/read", "reports/export"], access_token_validity_minutes = 15 }
    }
  }

  assert {
    condition     = aws_cognito_user_pool.this.admin_create_user_config[0].allow_admin_create_user_only && aws_cognito_user_pool.this.deletion_protection == "INACTIVE"
    error_message = "User pool: admin-only user creation, deletion protection off by default."
  }

  assert {
    condition     = aws_cognito_user_pool_domain.this.domain == "orders-123456789012" && aws_cognito_user_pool_domain.this.user_pool_id == aws_cognito_user_pool.this.id
    error_message = "Hosted domain with the given prefix on the pool."
  }

  assert {
    condition     = length(aws_cognito_resource_server.this) == 2 && toset([for s in aws_cognito_resource_server.this["rest-api"].scope : s.scope_name]) == toset(["read", "write"]) && aws_cognito_resource_server.this["reports"].identifier == "reports"
    error_message = "Resource servers keyed by identifier, scopes from the map."
  }

  assert {
    condition = alltrue([for k, c in aws_cognito_user_pool_client.this :
      c.generate_secret == true && c.allowed_oauth_flows == toset(["client_credentials"]) && c.allowed_oauth_flows_user_pool_client == true &&
      c.prevent_user_existence_errors == "ENABLED" && c.enable_token_revocation == true && c.token_validity_units[0].access_token == "minutes" &&
      c.explicit_auth_flows == toset(["ALLOW_REFRESH_TOKEN_AUTH"]) && c.name == "orders-${k}"
    ])
    error_message = "Every app client: secret, client_credentials only, user-pool OAuth client, user-existence errors prevented, revocation on, validity in minutes."
  }

  assert {
    condition     = aws_cognito_user_pool_client.this["demo"].allowed_oauth_scopes == toset(["rest-api/read"]) && aws_cognito_user_pool_client.this["reporting"].allowed_oauth_scopes == toset(["rest-api/read", "reports/export"])
    error_message = "Each client gets exactly its own scopes."
  }

  assert {
    condition     = aws_cognito_user_pool_client.this["demo"].access_token_validity == 60 && aws_cognito_user_pool_client.this["reporting"].access_token_validity == 15
    error_message = "access_token_validity_minutes: default 60, per-client value otherwise."
  }

  assert {
    condition = alltrue([for k, s in aws_secretsmanager_secret.client :
      s.recovery_window_in_days == 7 && s.kms_key_id == null && s.name_prefix == "orders-${k}-" && s.tags == tomap({ team = "payments", env = "test", Name = "orders-${k}", CognitoUserPoolId = aws_cognito_user_pool.this.id })
    ])
    error_message = "One secret per client with a 7-day recovery window, AWS managed key, the module's tags and the pool it belongs to."
  }

  assert {
    condition     = jsondecode(aws_secretsmanager_secret_version.client["reporting"].secret_string) == { client_id = "1mockclient23456789abcdef", client_secret = "mock-client-secret" }
    error_message = "The secret holds exactly {client_id, client_secret}."
  }

  assert {
    condition     = aws_cognito_user_pool.this.tags == tomap({ team = "payments", env = "test", Name = "orders" })
    error_message = "The user pool carries the module's tags."
  }
}

run "cognito_m2m_protected_kms" {
  command = plan

  module {
    source = "./modules/cognito-m2m"
  }

  variables {
    name                        = "orders"
    domain_prefix               = "orders-auth"
    resource_servers            = { "rest-api" = { name = "REST API", scopes = { read = "Read" } } }
    clients                     = { demo = { scopes = ["rest-api/read"] } }
    deletion_protection         = true
    kms_key_arn                 = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    secret_recovery_window_days = 0
  }

  assert {
    condition     = aws_cognito_user_pool.this.deletion_protection == "ACTIVE"
    error_message = "deletion_protection = true must set ACTIVE."
  }

  assert {
    condition     = aws_secretsmanager_secret.client["demo"].kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" && aws_secretsmanager_secret.client["demo"].recovery_window_in_days == 0
    error_message = "kms_key_arn and secret_recovery_window_days must reach the secrets."
  }
}

run "cognito_m2m_reserved_domain_prefix" {
  command = plan

  module {
    source = "./modules/cognito-m2m"
  }

  variables {
    name             = "orders"
    domain_prefix    = "orders-cognito-123456789012"
    resource_servers = { "rest-api" = { name = "REST API", scopes = { read = "Read" } } }
    clients          = { demo = { scopes = ["rest-api/read"] } }
  }

  expect_failures = [var.domain_prefix]
}

run "lambda_function" {
  command = apply

  module {
    source = "./modules/lambda-function"
  }

  variables {
    function_name = "orders-fn"
    zip_path      = "./dist/resource.zip"
    environment   = { A = "1" }
    policy_statements = {
      ReadThing = { actions = ["s3:GetObject"], resources = ["arn:aws:s3:::bucket/key"] }
    }
  }

  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("./dist/resource.zip") && aws_lambda_function.this.filename == "./dist/resource.zip"
    error_message = "source_code_hash must be the base64 SHA-256 of the zip (stable across plans)."
  }

  assert {
    condition     = aws_lambda_function.this.role == aws_iam_role.this.arn && jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Principal.Service == "lambda.amazonaws.com"
    error_message = "The function runs with its own role, assumable by Lambda only."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/orders-fn" && aws_cloudwatch_log_group.this.retention_in_days == 30 && aws_cloudwatch_log_group.this.kms_key_id == null
    error_message = "Explicit log group /aws/lambda/<name> with 30 days retention."
  }

  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_format == "JSON" && aws_lambda_function.this.logging_config[0].log_group == aws_cloudwatch_log_group.this.name && aws_lambda_function.this.tracing_config[0].mode == "Active"
    error_message = "JSON logs into the explicit group, X-Ray Active."
  }

  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["arm64"]) && aws_lambda_function.this.runtime == "python3.13" && aws_lambda_function.this.handler == "app.handler" && aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "Defaults: arm64, python3.13, app.handler, unreserved concurrency."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this.policy).Statement[2] == { Sid = "ReadThing", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::bucket/key"] }
    error_message = "Extra policy statements are appended as given."
  }

  assert {
    condition     = length(aws_iam_role_policy_attachment.vpc_access) == 0 && length(aws_lambda_function.this.vpc_config) == 0
    error_message = "No VPC attachment unless vpc_config is set."
  }

  assert {
    condition     = alltrue([for t in [aws_lambda_function.this.tags, aws_iam_role.this.tags, aws_cloudwatch_log_group.this.tags] : t == tomap({ team = "payments", env = "test", Name = "orders-fn" })])
    error_message = "Function, role and log group carry the module's tags."
  }
}

run "lambda_function_in_vpc" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    function_name        = "orders-fn"
    zip_path             = "./dist/client.zip"
    reserved_concurrency = 5
    log_kms_key_arn      = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    vpc_config           = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = ["sg-0123456789abcdef0"] }
  }

  assert {
    condition     = length(aws_iam_role_policy_attachment.vpc_access) == 1 && aws_iam_role_policy_attachment.vpc_access[0].policy_arn == "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
    error_message = "vpc_config attaches the AWS managed VPC access policy (no wildcard policy written by the module)."
  }

  assert {
    condition     = aws_lambda_function.this.vpc_config[0].subnet_ids == toset(["subnet-0123456789abcdef0"]) && aws_lambda_function.this.reserved_concurrent_executions == 5
    error_message = "vpc_config and reserved_concurrency must reach the function."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" && length(aws_lambda_function.this.environment) == 0
    error_message = "log_kms_key_arn encrypts the log group; no environment block when empty."
  }
}

run "lambda_function_rejects_wildcard_action" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    function_name     = "orders-fn"
    zip_path          = "./dist/client.zip"
    policy_statements = { Everything = { actions = ["s3:*"], resources = ["arn:aws:s3:::bucket"] } }
  }

  expect_failures = [var.policy_statements]
}

run "lambda_function_missing_zip" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    function_name = "orders-fn"
    zip_path      = "./dist/does-not-exist.zip"
  }

  expect_failures = [var.zip_path]
}

run "alb_http" {
  command = apply

  module {
    source = "./modules/alb"
  }

  variables {
    name          = "orders"
    vpc_id        = "vpc-0a1b2c3d4e5f60718"
    subnet_ids    = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]
    ingress_cidrs = ["10.0.0.0/8", "192.168.0.0/16"]
    targets = {
      resource = { function_name = "orders-resource", function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders-resource", path_patterns = ["/api", "/api/*"], priority = 100 }
      client   = { function_name = "orders-client", function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders-client", path_patterns = ["/client"], source_cidrs = ["203.0.113.0/24"], priority = 200, multi_value_headers_enabled = true }
    }
  }

  override_resource {
    target = aws_lb_target_group.this["resource"]
    values = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders-resource/1111111111111111" }
  }

  override_resource {
    target = aws_lb_target_group.this["client"]
    values = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders-client/2222222222222222" }
  }

  assert {
    condition     = aws_lb.this.drop_invalid_header_fields == true && aws_lb.this.internal == false && aws_lb.this.load_balancer_type == "application" && aws_lb.this.enable_deletion_protection == false
    error_message = "Internet-facing ALB that drops invalid header fields."
  }

  assert {
    condition     = [for r in aws_security_group.this.ingress : [r.from_port, r.to_port, r.protocol]] == [[80, 80, "tcp"]] && toset(one(aws_security_group.this.ingress).cidr_blocks) == toset(["10.0.0.0/8", "192.168.0.0/16"])
    error_message = "Without a certificate the security group admits only port 80, only from ingress_cidrs."
  }

  assert {
    condition     = output.listener_rules["client"].source_cidrs == tolist(["203.0.113.0/24"]) && length(output.listener_rules["resource"].source_cidrs) == 0
    error_message = "A target's source_cidrs become a source_ip condition on its rule only."
  }

  assert {
    condition     = length(aws_security_group.this.egress) == 0
    error_message = "No egress rules: Lambda targets need none."
  }

  assert {
    condition     = aws_lb_listener.http.port == 80 && aws_lb_listener.http.default_action[0].type == "fixed-response" && aws_lb_listener.http.default_action[0].fixed_response[0].status_code == "404" && aws_lb_listener.http.default_action[0].fixed_response[0].content_type == "application/json" && can(jsondecode(aws_lb_listener.http.default_action[0].fixed_response[0].message_body))
    error_message = "HTTP listener: default action is a fixed 404 JSON response."
  }

  assert {
    condition     = length(aws_lb_listener.https) == 0 && length(aws_route53_record.this) == 0
    error_message = "No HTTPS listener and no DNS record without certificate/zone."
  }

  assert {
    condition     = alltrue([for k, tg in aws_lb_target_group.this : tg.target_type == "lambda" && tg.name == "orders-${k}"]) && aws_lb_target_group.this["client"].lambda_multi_value_headers_enabled && !aws_lb_target_group.this["resource"].lambda_multi_value_headers_enabled
    error_message = "Lambda target groups named <name>-<key>, multi-value headers per target."
  }

  assert {
    condition = alltrue([for k, p in aws_lambda_permission.this :
      p.source_arn == aws_lb_target_group.this[k].arn && p.principal == "elasticloadbalancing.amazonaws.com" && p.action == "lambda:InvokeFunction" && p.function_name == "orders-${k}"
    ]) && aws_lambda_permission.this["client"].source_arn != aws_lambda_permission.this["resource"].source_arn
    error_message = "Each permission lets only its own target group (source_arn) invoke its function."
  }

  assert {
    condition     = aws_lb_target_group_attachment.this["client"].target_id == "arn:aws:lambda:eu-west-1:123456789012:function:orders-client" && aws_lb_target_group_attachment.this["client"].target_group_arn == aws_lb_target_group.this["client"].arn
    error_message = "Each function is registered in its own target group."
  }

  assert {
    condition     = aws_lb_listener_rule.this["resource"].priority == 100 && aws_lb_listener_rule.this["resource"].listener_arn == aws_lb_listener.http.arn && aws_lb_listener_rule.this["resource"].action[0].target_group_arn == aws_lb_target_group.this["resource"].arn
    error_message = "Rules forward to their target group on the HTTP listener."
  }

  assert {
    condition     = alltrue([for t in [aws_lb.this.tags, aws_security_group.this.tags, aws_lb_listener.http.tags, aws_lb_target_group.this["resource"].tags, aws_lb_listener_rule.this["client"].tags] : t.team == "payments" && t.env == "test"])
    error_message = "Load balancer, security group, listener, target groups and rules carry the module's tags."
  }

  assert {
    condition     = output.base_url == "http://mock-1234567890.eu-west-1.elb.amazonaws.com"
    error_message = "base_url is http://<DNS name> without a certificate."
  }
}

run "alb_https" {
  command = apply

  module {
    source = "./modules/alb"
  }

  variables {
    name            = "orders"
    vpc_id          = "vpc-0a1b2c3d4e5f60718"
    subnet_ids      = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]
    ingress_cidrs   = ["0.0.0.0/0"]
    internet_facing = false
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8f9e-0a1b2c3d4e5f"
    domain_name     = "api.example.com"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
    access_logs     = { bucket = "orders-alb-logs", prefix = "alb" }
    targets = {
      resource = { function_name = "orders-resource", function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders-resource", path_patterns = ["/api", "/api/*"], priority = 100 }
    }
  }

  override_resource {
    target = aws_lb_listener.https
    values = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/orders/50dc6c495c0c9188/0000000000000443" }
  }

  assert {
    condition     = aws_lb_listener.http.default_action[0].type == "redirect" && aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS" && aws_lb_listener.http.default_action[0].redirect[0].port == "443" && aws_lb_listener.http.default_action[0].redirect[0].status_code == "HTTP_301" && length(aws_lb_listener.http.default_action[0].fixed_response) == 0
    error_message = "With a certificate the HTTP listener only redirects to HTTPS."
  }

  assert {
    condition     = aws_lb_listener.https[0].port == 443 && aws_lb_listener.https[0].protocol == "HTTPS" && aws_lb_listener.https[0].ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06" && aws_lb_listener.https[0].certificate_arn == "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8f9e-0a1b2c3d4e5f"
    error_message = "HTTPS listener on 443 with the certificate and a TLS 1.3 policy."
  }

  assert {
    condition     = aws_lb_listener.https[0].default_action[0].fixed_response[0].status_code == "404"
    error_message = "HTTPS default action is the fixed 404."
  }

  assert {
    condition     = aws_lb_listener_rule.this["resource"].listener_arn == "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/orders/50dc6c495c0c9188/0000000000000443"
    error_message = "With a certificate the rules belong to the HTTPS listener."
  }

  assert {
    condition     = sort([for r in aws_security_group.this.ingress : tostring(r.from_port)]) == tolist(["443", "80"])
    error_message = "With a certificate the security group admits ports 80 (redirect) and 443."
  }

  assert {
    condition     = aws_lb.this.internal == true && aws_lb.this.access_logs[0].bucket == "orders-alb-logs" && aws_lb.this.access_logs[0].enabled
    error_message = "internet_facing = false makes an internal ALB; access logs go to the bucket."
  }

  assert {
    condition     = aws_route53_record.this[0].name == "api.example.com" && aws_route53_record.this[0].type == "A" && aws_route53_record.this[0].alias[0].name == aws_lb.this.dns_name
    error_message = "An alias record domain_name -> ALB in the given zone."
  }

  assert {
    condition     = one(aws_route53_record.this[0].alias).evaluate_target_health == false
    error_message = "Lambda targets have no health checks: the alias must not evaluate target health."
  }

  assert {
    condition     = output.base_url == "https://api.example.com"
    error_message = "base_url is https://<domain_name> with a certificate."
  }
}

run "network" {
  command = apply

  module {
    source = "./modules/network"
  }

  variables {
    name = "orders"
  }

  assert {
    condition     = aws_vpc.this.cidr_block == "10.0.0.0/16" && aws_vpc.this.enable_dns_hostnames
    error_message = "VPC 10.0.0.0/16 by default."
  }

  assert {
    condition     = jsonencode(keys(aws_subnet.public)) == jsonencode(["eu-west-1a", "eu-west-1b"]) && aws_subnet.public["eu-west-1a"].cidr_block == "10.0.0.0/18" && aws_subnet.public["eu-west-1b"].cidr_block == "10.0.64.0/18"
    error_message = "Two public subnets in two Availability Zones, non-overlapping."
  }

  assert {
    condition     = aws_route.internet.destination_cidr_block == "0.0.0.0/0" && aws_route.internet.gateway_id == aws_internet_gateway.this.id && length(aws_route_table_association.public) == 2
    error_message = "Public route table: default route to the internet gateway, associated with both subnets."
  }

  assert {
    condition     = alltrue([for t in [aws_vpc.this.tags, aws_internet_gateway.this.tags, aws_route_table.public.tags, aws_subnet.public["eu-west-1a"].tags] : t.team == "payments"])
    error_message = "Network resources carry the module's tags."
  }
}

# ---- submodule validations (used on their own, without the root's checks) ----------------------
run "cognito_m2m_token_validity" {
  command = plan

  module {
    source = "./modules/cognito-m2m"
  }

  variables {
    name             = "orders"
    domain_prefix    = "orders-auth"
    resource_servers = { "rest-api" = { name = "REST API", scopes = { read = "Read" } } }
    clients          = { demo = { scopes = ["rest-api/read"], access_token_validity_minutes = 2000 } }
  }

  expect_failures = [var.clients]
}

run "cognito_m2m_scope_charset" {
  command = plan

  module {
    source = "./modules/cognito-m2m"
  }

  variables {
    name             = "orders"
    domain_prefix    = "orders-auth"
    resource_servers = { "rest-api" = { name = "REST API", scopes = { "read all" = "Read" } } }
    clients          = { demo = { scopes = ["rest-api/read"] } }
  }

  expect_failures = [var.resource_servers]
}

run "alb_rejects_non_tls13_policy_and_bad_cidr" {
  command = plan

  module {
    source = "./modules/alb"
  }

  variables {
    name          = "orders"
    vpc_id        = "vpc-0a1b2c3d4e5f60718"
    subnet_ids    = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]
    ingress_cidrs = ["10.0.0.1/8"]
    ssl_policy    = "ELBSecurityPolicy-TLS-1-2-2017-01"
    targets       = {}
  }

  expect_failures = [var.ingress_cidrs, var.ssl_policy]
}

run "alb_rejects_duplicate_priorities_and_single_subnet" {
  command = plan

  module {
    source = "./modules/alb"
  }

  variables {
    name          = "orders"
    vpc_id        = "vpc-0a1b2c3d4e5f60718"
    subnet_ids    = ["subnet-0a1b2c3d4e5f60718"]
    ingress_cidrs = ["0.0.0.0/0"]
    targets = {
      a = { function_name = "a", function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:a", path_patterns = ["/a"], priority = 100 }
      b = { function_name = "b", function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:b", path_patterns = ["/b"], priority = 100 }
    }
  }

  expect_failures = [var.targets, var.subnet_ids]
}

run "network_rejects_small_cidr" {
  command = plan

  module {
    source = "./modules/network"
  }

  variables {
    name       = "orders"
    cidr_block = "10.0.0.0/27"
  }

  expect_failures = [var.cidr_block]
}

# ---- build manifest: a zip built for another architecture or Python fails at plan ---------------
run "lambda_function_zip_built_for_another_architecture" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    function_name = "orders-fn"
    zip_path      = "./dist/resource.zip" # make build: arm64, python3.13
    architecture  = "x86_64"
  }

  expect_failures = [aws_lambda_function.this]
}

run "lambda_function_zip_built_for_another_python" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    function_name = "orders-fn"
    zip_path      = "./dist/client.zip"
    runtime       = "python3.12"
  }

  expect_failures = [aws_lambda_function.this]
}

run "lambda_function_role_name_is_a_prefix" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    function_name = "orders-function-with-a-rather-long-name-1234"
    zip_path      = "./dist/resource.zip"
  }

  assert {
    condition     = aws_iam_role.this.name_prefix == "orders-function-with-a-rather-long-na-"
    error_message = "The role has a name prefix of at most 38 characters (IAM names are global to the account; a fixed name collides in a second region)."
  }

  assert {
    condition     = aws_lambda_function.this.logging_config[0].system_log_level == "INFO"
    error_message = "Lambda's START/REPORT lines are INFO: a WARN system level drops duration, init and memory."
  }
}
