# Root module: wiring only. Cognito issues client-credentials tokens, the client function fetches one
# and calls the API behind the load balancer, the resource function verifies it.

data "aws_region" "current" {}

# Only read when the hosted-domain prefix is derived from the account id (no API call otherwise).
data "aws_caller_identity" "current" {
  count = var.domain_prefix == null ? 1 : 0
}

locals {
  region        = data.aws_region.current.name
  domain_prefix = var.domain_prefix != null ? var.domain_prefix : "${var.name}-${data.aws_caller_identity.current[0].account_id}"

  resource_zip_path = var.resource_zip_path != null ? var.resource_zip_path : "${path.module}/dist/resource.zip"
  layer_zip_path    = var.verifier_layer_zip_path != null ? var.verifier_layer_zip_path : "${path.module}/dist/verifier-layer.zip"
  client_zip_path   = var.client_zip_path != null ? var.client_zip_path : "${path.module}/dist/client.zip"
  rotation_zip_path = var.rotation_zip_path != null ? var.rotation_zip_path : "${path.module}/dist/rotation.zip"

  # Inputs that depend on each other; checked in the preconditions of the outputs below.
  defined_scopes         = toset(flatten([for id, rs in var.resource_servers : [for s in keys(rs.scopes) : "${id}/${s}"]]))
  undefined_scopes       = sort(setsubtract(toset(flatten(values(var.clients)[*].scopes)), local.defined_scopes))
  undefined_route_scopes = sort(setsubtract(toset(flatten([for a in values(var.apis) : values(a.routes)])), local.defined_scopes))
  unknown_api_clients    = sort(setsubtract(toset(flatten([for a in values(var.apis) : coalesce(a.clients, [])])), keys(var.clients)))
  demo_client            = try(var.clients[var.client_function_client], null)
  shared_clients         = sort([for k, c in var.clients : k if length(c.consumers) > 0])
  # An upper bound of the shared clients' key-policy statements, known at plan (the secrets' ARNs are
  # not): their consumers, and 600 characters each for the rest (Sid, action, the conditions with the
  # service and a secret ARN of at most about 250 characters).
  key_statements_size = length(jsonencode([for k in local.shared_clients : var.clients[k].consumers])) + 600 * length(local.shared_clients)

  # An incomplete pair (vpc_id without subnet_ids or the reverse) fails the alb_arn precondition.
  create_network = var.vpc_id == null || length(var.subnet_ids) == 0
  https          = var.certificate_arn != null

  # The demo client function runs outside any VPC: it reaches the API through the load balancer's public
  # address, from AWS addresses that no narrower CIDR list can name. Checked by the client_url output.
  client_reaches_api = (!var.enable_client_endpoint || var.endpoint_overrides.api_url != null ||
  (var.internet_facing && contains(var.ingress_cidrs, "0.0.0.0/0")))
  kms_key_region = var.kms_key_arn == null ? null : split(":", var.kms_key_arn)[3]

  # Partition and account of this deployment, from the user pool's ARN (no extra API call).
  partition  = split(":", module.cognito.user_pool_arn)[1]
  account_id = split(":", module.cognito.user_pool_arn)[4]
  # Every client secret's ARN: name_prefix "<name>-<client key>-" plus Terraform's and AWS's suffixes.
  client_secrets_arn_pattern = "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:${var.name}-*"

  issuer = "https://cognito-idp.${local.region}.amazonaws.com/${module.cognito.user_pool_id}"
  # Every iss the protected functions accept (src/resource/cognito_m2m_verifier/issuers.py derives the
  # same list from ISSUER_FORMAT and REPLICA_REGIONS): the pool's original and updated formats, and the
  # original format of each replica Region.
  issuers = concat(
    var.issuer_format == "updated" ? [] : [local.issuer],
    var.issuer_format == "original" ? [] : ["https://issuer-cognito-idp.${local.region}.amazonaws.com/${module.cognito.user_pool_id}"],
    var.issuer_format == "updated" ? [] : [for r in var.user_pool_replica_regions : "https://cognito-idp.${r}.amazonaws.com/${module.cognito.user_pool_id}"],
  )
  # "any" is the verifier's default, so it is left out: Lambda's 4 KB environment is shared with ROUTE_SCOPES.
  issuer_env = merge(
    var.issuer_format == "any" ? {} : { ISSUER_FORMAT = var.issuer_format },
    length(var.user_pool_replica_regions) == 0 ? {} : { REPLICA_REGIONS = join(",", var.user_pool_replica_regions) },
  )
  jwks_url   = coalesce(var.endpoint_overrides.jwks_url, "${local.issuer}/.well-known/jwks.json")
  token_url  = coalesce(var.endpoint_overrides.token_url, "https://${module.cognito.domain}.auth.${local.region}.amazoncognito.com/oauth2/token")
  api_url    = coalesce(var.endpoint_overrides.api_url, "${module.alb.base_url}/api")
  client_url = var.enable_client_endpoint ? "${module.alb.base_url}/client" : null
  tags       = var.tags
  # Every function writes embedded-metric-format records in this namespace (none when it is null).
  metrics_env = var.metrics_namespace == null ? {} : { METRICS_NAMESPACE = var.metrics_namespace }

  # Each protected API: the ALB paths of its routes ("GET /orders/*" -> "/orders/*": ALB's `*` also
  # matches every path below, as the route does). Paths are disjoint between entries and from /client
  # (validated), so priorities never decide where a request goes: the load balancer gives every new
  # rule the next free priority, and a rule keeps its priority while other entries come and go.
  api_paths = { for k, a in var.apis : k => sort(distinct([for r in keys(a.routes) : split(" ", r)[1]])) }
  client_path_claimed = var.enable_client_endpoint ? sort([
    for k, paths in local.api_paths : k if anytrue([for p in paths : p == "/client" || (endswith(p, "/*") && startswith("/client", trimsuffix(p, "*")))])
  ]) : []
}

module "verifier_layer" {
  source = "./modules/verifier-layer"

  layer_name   = "${var.name}-verifier"
  zip_path     = local.layer_zip_path
  runtime      = var.lambda_runtime
  architecture = var.lambda_architecture
}

module "cognito" {
  source = "./modules/cognito-m2m"

  name                        = var.name
  domain_prefix               = local.domain_prefix
  resource_servers            = var.resource_servers
  clients                     = var.clients
  deletion_protection         = var.deletion_protection
  kms_key_arn                 = var.kms_key_arn
  secret_recovery_window_days = var.secret_recovery_window_days
  tags                        = local.tags

  pre_token_generation_lambda_arn = local.token_trigger_arn
  user_pool_tier                  = var.token_customization == null ? var.user_pool_tier : coalesce(var.user_pool_tier, "ESSENTIALS")
}

# ---- Customized tokens ---------------------------------------------------------------------------
# Cognito runs the trigger (V3_0 event) before it issues each access token, client-credentials ones
# included: a function deployed here with the project's conventions, or an existing one.
module "token_trigger" {
  source = "./modules/lambda-function"
  count  = try(var.token_customization.zip_path, null) == null ? 0 : 1

  function_name      = "${var.name}-token-trigger"
  description        = "Pre-token-generation trigger (V3_0): customizes the pool's access tokens."
  zip_path           = var.token_customization.zip_path
  handler            = var.token_customization.handler
  runtime            = var.lambda_runtime
  architecture       = var.lambda_architecture
  memory_size        = var.token_customization.memory_size
  timeout            = var.token_customization.timeout
  log_retention_days = var.log_retention_days
  log_kms_key_arn    = var.kms_key_arn
  log_level          = var.log_level
  environment        = var.token_customization.environment
  tags               = local.tags
}

locals {
  token_trigger_arn = var.token_customization == null ? null : coalesce(var.token_customization.function_arn, try(module.token_trigger[0].function_arn, null))
  # arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
  token_trigger_arn_parts = local.token_trigger_arn == null ? [] : split(":", local.token_trigger_arn)
}

# A deployed trigger may list this pool's app clients (ids and names; ListUserPoolClients returns no
# secret), since Cognito's event names the client by id only. A separate policy: the pool needs the
# function's ARN, so the function cannot wait for a policy that names the pool.
resource "aws_iam_role_policy" "token_trigger_clients" {
  count = length(module.token_trigger)

  name = "ListThisPoolsClients"
  role = module.token_trigger[0].role_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ListThisPoolsClients"
      Effect   = "Allow"
      Action   = ["cognito-idp:ListUserPoolClients"]
      Resource = [module.cognito.user_pool_arn]
    }]
  })
}

# Cognito may invoke the trigger for this pool only (the developer guide's policy: the pool's ARN as
# AWS:SourceArn, the account as AWS:SourceAccount).
resource "aws_lambda_permission" "token_trigger" {
  count = var.token_customization == null ? 0 : 1

  statement_id   = "CognitoInvokesTokenTrigger"
  action         = "lambda:InvokeFunction"
  function_name  = join(":", slice(local.token_trigger_arn_parts, 0, 7))
  qualifier      = length(local.token_trigger_arn_parts) > 7 ? local.token_trigger_arn_parts[7] : null
  principal      = "cognito-idp.amazonaws.com"
  source_arn     = module.cognito.user_pool_arn
  source_account = local.account_id

  lifecycle {
    precondition {
      condition     = local.token_trigger_arn_parts[3] == local.region && local.token_trigger_arn_parts[4] == local.account_id
      error_message = "token_customization.function_arn must be a function in this root's account and Region: Cognito invokes triggers in its own Region, and this module adds the invoke permission to the function."
    }
  }
}

module "network" {
  source = "./modules/network"
  count  = local.create_network ? 1 : 0

  name       = var.name
  cidr_block = var.vpc_cidr
  tags       = local.tags
}

# The built-in demo API was module.resource_function before protected functions became a map.
moved {
  from = module.resource_function
  to   = module.api_function["resource"]
}

# Each protected function's environment, as Lambda counts it against its 4 KB for all variables
# together (the JSON of the variables, as its error message shows them). At plan the client ids and the
# pool id are not known yet: Cognito's client ids are 26 characters, its pool ids "<region>_" and 9.
# The lambda-function module checks the exact environment again once every value is known.
locals {
  api_environment = { for k, a in var.apis : k => merge(a.environment, {
    USER_POOL_ID       = module.cognito.user_pool_id
    ALLOWED_CLIENT_IDS = join(",", [for c in sort(coalesce(a.clients, keys(var.clients))) : lookup(module.cognito.client_ids, c, "")])
    ROUTE_SCOPES       = jsonencode(a.routes)
    }, var.endpoint_overrides.jwks_url == null ? {} : {
    JWKS_URL = var.endpoint_overrides.jwks_url
  }, local.issuer_env, local.metrics_env) }
  api_environment_bytes_at_plan = { for k, a in var.apis : k => length(jsonencode(merge(a.environment, {
    USER_POOL_ID       = "${local.region}_123456789"
    ALLOWED_CLIENT_IDS = join(",", [for c in coalesce(a.clients, keys(var.clients)) : "12345678901234567890123456"])
    ROUTE_SCOPES       = jsonencode(a.routes)
    }, var.endpoint_overrides.jwks_url == null ? {} : {
    JWKS_URL = var.endpoint_overrides.jwks_url
  }, local.issuer_env, local.metrics_env))) }
  api_environment_too_large = sort([for k, n in local.api_environment_bytes_at_plan : "${k} (about ${n} bytes: ${length(coalesce(var.apis[k].clients, keys(var.clients)))} client ids, ${length(var.apis[k].routes)} routes)" if n > 4096])
}

module "api_function" {
  source   = "./modules/lambda-function"
  for_each = var.apis

  function_name        = "${var.name}-${each.key}"
  description          = each.value.zip_path == null ? "Resource server: verifies Cognito access tokens and serves the API." : "Protected API ${each.key}: Cognito access tokens verified by the verifier layer."
  zip_path             = coalesce(each.value.zip_path, local.resource_zip_path)
  handler              = each.value.handler
  layers               = [module.verifier_layer.arn]
  runtime              = var.lambda_runtime
  architecture         = var.lambda_architecture
  memory_size          = each.value.memory_size
  timeout              = each.value.timeout
  reserved_concurrency = each.value.reserved_concurrency
  log_retention_days   = var.log_retention_days
  log_kms_key_arn      = var.kms_key_arn
  log_level            = var.log_level
  policy_statements    = each.value.policy_statements
  tags                 = local.tags

  environment = local.api_environment[each.key]
}

# ---- Fleet-wide token cache ------------------------------------------------------------------
# Items are keyed "<sha256(client_id)[:32]>#<sha256(sorted scopes)[:32]>" (src/client/.../shared_cache.py).
locals {
  token_cache_enabled      = var.shared_token_cache && var.enable_client_endpoint
  token_cache_client_id    = lookup(module.cognito.client_ids, var.client_function_client, "")
  token_cache_leading_keys = "${substr(sha256(local.token_cache_client_id), 0, 32)}#*"
}

resource "aws_dynamodb_table" "tokens" {
  count = local.token_cache_enabled ? 1 : 0

  name                        = "${var.name}-tokens"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn # null: the AWS managed key for DynamoDB
  }

  tags = merge(local.tags, { Name = "${var.name}-tokens" })
}

module "client_function" {
  source = "./modules/lambda-function"
  count  = var.enable_client_endpoint ? 1 : 0

  function_name        = "${var.name}-client"
  description          = "Demo client: gets a client-credentials token from Cognito and calls the API."
  zip_path             = local.client_zip_path
  runtime              = var.lambda_runtime
  architecture         = var.lambda_architecture
  memory_size          = var.client_function.memory_size
  timeout              = var.client_function.timeout
  reserved_concurrency = var.client_function.reserved_concurrency
  log_retention_days   = var.log_retention_days
  log_kms_key_arn      = var.kms_key_arn
  log_level            = var.log_level
  tags                 = local.tags

  environment = merge(var.client_function.environment, {
    TOKEN_URL         = local.token_url
    CLIENT_SECRET_ARN = lookup(module.cognito.client_secret_arns, var.client_function_client, "")
    SCOPES            = join(" ", try(local.demo_client.scopes, []))
    API_URL           = local.api_url
  }, local.token_cache_enabled ? { TOKEN_CACHE_TABLE = aws_dynamodb_table.tokens[0].name } : {}, local.metrics_env)

  policy_statements = merge(
    {
      ReadOwnClientSecret = {
        actions   = ["secretsmanager:GetSecretValue"]
        resources = [lookup(module.cognito.client_secret_arns, var.client_function_client, "")]
      }
    },
    var.kms_key_arn == null ? {} : {
      # GetSecretValue decrypts with the secret's key on the caller's behalf (kms:Decrypt), through
      # Secrets Manager only.
      DecryptOwnClientSecret = {
        actions   = ["kms:Decrypt"]
        resources = [var.kms_key_arn]
        conditions = [{
          test     = "StringEquals"
          variable = "kms:ViaService"
          values   = ["secretsmanager.${local.region}.amazonaws.com"]
        }]
      }
    },
    # A table encrypted with a customer managed key: DynamoDB uses the key on behalf of the principal that
    # reads or writes the table ("How DynamoDB uses AWS KMS": Encrypt, Decrypt, ReEncrypt*,
    # GenerateDataKey*, DescribeKey), through DynamoDB only. Without them every GetItem and PutItem is
    # AccessDenied and every token request falls back to Cognito (alarm shared-cache-fallbacks).
    var.kms_key_arn == null || !local.token_cache_enabled ? {} : {
      UseTokenTableKey = {
        actions = [
          "kms:Decrypt",
          "kms:DescribeKey",
          "kms:Encrypt",
          "kms:GenerateDataKey",
          "kms:GenerateDataKeyWithoutPlaintext",
          "kms:ReEncryptFrom",
          "kms:ReEncryptTo",
        ]
        resources = [var.kms_key_arn]
        conditions = [{
          test     = "StringEquals"
          variable = "kms:ViaService"
          values   = ["dynamodb.${local.region}.amazonaws.com"]
        }]
      }
    },
    !local.token_cache_enabled ? {} : {
      ShareOwnTokens = {
        actions   = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
        resources = [aws_dynamodb_table.tokens[0].arn]
        conditions = [{
          test     = "ForAllValues:StringLike"
          variable = "dynamodb:LeadingKeys"
          values   = [local.token_cache_leading_keys]
        }]
      }
    }
  )
}

# ---- Secret rotation ---------------------------------------------------------------------------
# One function rotates every client's secret: Secrets Manager invokes it with the four rotation steps.
module "rotation_function" {
  source = "./modules/lambda-function"
  count  = var.secret_rotation_days == null ? 0 : 1

  function_name      = "${var.name}-secret-rotation"
  description        = "Rotates the app clients' secrets for Secrets Manager with Cognito's two-secret API."
  zip_path           = local.rotation_zip_path
  runtime            = var.lambda_runtime
  architecture       = var.lambda_architecture
  memory_size        = 256
  timeout            = 60
  log_retention_days = var.log_retention_days
  log_kms_key_arn    = var.kms_key_arn
  log_level          = var.log_level
  tags               = local.tags

  environment = merge({
    USER_POOL_ID = module.cognito.user_pool_id
    TOKEN_URL    = local.token_url
  }, local.metrics_env)

  policy_statements = merge(
    {
      RotateClientSecretsInCognito = {
        actions = [
          "cognito-idp:AddUserPoolClientSecret",
          "cognito-idp:DeleteUserPoolClientSecret",
          "cognito-idp:ListUserPoolClientSecrets",
        ]
        resources = [module.cognito.user_pool_arn]
      }
      # The module's client secrets: named <name>-* and tagged with this pool's id. One statement of
      # constant size whatever the number of clients (a list of ARNs reaches IAM's 10,240 characters of
      # inline policy per role at about 90 clients; Cognito allows 1,000 app clients per pool).
      RotateStoredClientSecrets = {
        actions = [
          "secretsmanager:DescribeSecret",
          "secretsmanager:GetSecretValue",
          "secretsmanager:PutSecretValue",
          "secretsmanager:UpdateSecretVersionStage",
        ]
        resources = [local.client_secrets_arn_pattern]
        conditions = [{
          test     = "StringEquals"
          variable = "secretsmanager:ResourceTag/${module.cognito.secret_pool_tag.key}"
          values   = [module.cognito.secret_pool_tag.value]
        }]
      }
    },
    var.kms_key_arn == null ? {} : {
      # Secrets Manager decrypts (GetSecretValue) and generates data keys (PutSecretValue) on the
      # caller's behalf.
      UseSecretsKey = {
        actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
        resources = [var.kms_key_arn]
        conditions = [{
          test     = "StringEquals"
          variable = "kms:ViaService"
          values   = ["secretsmanager.${local.region}.amazonaws.com"]
        }]
      }
    }
  )
}

# Secrets Manager may invoke the function for this account's secrets named <name>-* only: one statement
# (AWS:SourceAccount, and AWS:SourceArn compared with ArnLike), of constant size; one per secret reaches
# Lambda's 20 KB resource policy at about 50 clients.
resource "aws_lambda_permission" "rotation" {
  count = var.secret_rotation_days == null ? 0 : 1

  statement_id   = "SecretsManagerRotatesClientSecrets"
  action         = "lambda:InvokeFunction"
  function_name  = module.rotation_function[0].function_name
  principal      = "secretsmanager.amazonaws.com"
  source_account = local.account_id
  source_arn     = local.client_secrets_arn_pattern
}

resource "aws_secretsmanager_secret_rotation" "client" {
  for_each = var.secret_rotation_days == null ? {} : module.cognito.client_secret_arns

  secret_id           = each.value
  rotation_lambda_arn = module.rotation_function[0].function_arn
  rotate_immediately  = false # the first rotation after secret_rotation_days; Secrets Manager tests the setup now

  rotation_rules {
    automatically_after_days = var.secret_rotation_days
  }

  # After the secrets' first values (module.cognito): rotating a secret without a current value fails
  # its createSecret in AWS (and crashes moto's RotateSecret).
  depends_on = [aws_lambda_permission.rotation, module.cognito]
}

module "alb" {
  source = "./modules/alb"

  name                = var.name
  vpc_id              = local.create_network ? module.network[0].vpc_id : var.vpc_id
  subnet_ids          = local.create_network ? module.network[0].public_subnet_ids : var.subnet_ids
  internet_facing     = var.internet_facing
  ingress_cidrs       = var.ingress_cidrs
  certificate_arn     = var.certificate_arn
  ssl_policy          = var.alb_ssl_policy
  deletion_protection = var.deletion_protection
  access_logs         = var.alb_access_logs
  domain_name         = var.domain_name
  route53_zone_id     = var.route53_zone_id
  tags                = local.tags

  targets = merge(
    {
      for k in keys(var.apis) : k => {
        function_name               = module.api_function[k].function_name
        function_arn                = module.api_function[k].function_arn
        path_patterns               = local.api_paths[k]
        multi_value_headers_enabled = var.alb_multi_value_headers
      }
    },
    var.enable_client_endpoint ? {
      client = {
        function_name               = module.client_function[0].function_name
        function_arn                = module.client_function[0].function_arn
        path_patterns               = ["/client"]
        source_cidrs                = var.client_endpoint_source_cidrs
        multi_value_headers_enabled = var.alb_multi_value_headers
      }
    } : {}
  )
}

# ---- Metrics, alarms and dashboard -----------------------------------------------------------
# Token requests per minute that page: a share of the account's ClientAuthentication quota (requests
# per second), which every caller of every user pool in the account and Region draws on.
locals {
  token_requests_per_minute = coalesce(
    var.alarms.token_requests_per_minute,
    floor(var.alarms.client_authentication_quota_rps * 60 * var.alarms.token_requests_percent_of_quota / 100),
  )
}

module "monitoring" {
  source = "./modules/monitoring"

  name                     = var.name
  namespace                = var.metrics_namespace
  load_balancer_arn_suffix = module.alb.arn_suffix
  alarms_enabled           = var.alarms.enabled
  alarm_actions            = var.alarms.sns_topic_arn == null ? [] : [var.alarms.sns_topic_arn]
  dashboard_enabled        = var.dashboard
  tags                     = local.tags

  thresholds = {
    alb_5xx_per_5_minutes        = var.alarms.alb_5xx_per_5_minutes
    invalid_tokens_per_5_minutes = var.alarms.invalid_tokens_per_5_minutes
    duration_percent_of_timeout  = var.alarms.duration_percent_of_timeout
    token_requests_per_minute    = local.token_requests_per_minute

    shared_cache_fallbacks_per_5_minutes = var.alarms.shared_cache_fallbacks_per_5_minutes
  }

  # Keyed as the alarms are named; "client" and "rotation" are not apis keys (validated), and the
  # alarm_names output checks that no function was lost on the way.
  functions = local.monitored_functions
}

locals {
  monitored_functions = merge(
    { for k, a in var.apis : k => { function_name = module.api_function[k].function_name, timeout = a.timeout, kind = "api" } },
    var.enable_client_endpoint ? { client = { function_name = module.client_function[0].function_name, timeout = var.client_function.timeout, kind = "client", shared_token_cache = local.token_cache_enabled } } : {},
    var.secret_rotation_days == null ? {} : { rotation = { function_name = module.rotation_function[0].function_name, timeout = 60, kind = "rotation" } },
    length(module.token_trigger) == 0 ? {} : { trigger = { function_name = module.token_trigger[0].function_name, timeout = var.token_customization.timeout, kind = "trigger" } },
  )
  monitored_function_count = length(var.apis) + (var.enable_client_endpoint ? 1 : 0) + (var.secret_rotation_days == null ? 0 : 1) + (try(var.token_customization.zip_path, null) == null ? 0 : 1)
}

# ---- Callers in other accounts ------------------------------------------------------------------
# Clients with consumers share their secrets through Secrets Manager and the secrets' KMS key, which must
# be customer managed (its KeyManager is checked in the consumer_access output's preconditions, at plan,
# or at apply when the key is created in the same apply).
data "aws_kms_key" "secrets" {
  count = length(local.shared_clients) > 0 ? 1 : 0

  key_id = var.kms_key_arn

  lifecycle {
    precondition {
      condition     = var.kms_key_arn != null
      error_message = "clients ${join(", ", local.shared_clients)} have consumers, so the secrets need a customer managed KMS key: set kms_key_arn. The AWS managed key aws/secretsmanager cannot be used from another account."
    }
  }
}
