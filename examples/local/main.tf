# The root that `make local` applies to the local AWS emulator: the module itself, unchanged, with a
# provider whose endpoints all point at the emulator, and endpoint overrides that send the functions
# to the local token endpoint, the emulator's JWKS and the local load balancer.

provider "aws" {
  region     = var.region
  access_key = "testing" # the emulator's fake credentials
  secret_key = "testing"

  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    acm            = var.aws_endpoint
    cloudwatch     = var.aws_endpoint
    cloudwatchlogs = var.aws_endpoint
    cognitoidp     = var.aws_endpoint
    dynamodb       = var.aws_endpoint
    ec2            = var.aws_endpoint
    elbv2          = var.aws_endpoint
    iam            = var.aws_endpoint
    kms            = var.aws_endpoint
    lambda         = var.aws_endpoint
    route53        = var.aws_endpoint
    s3             = var.aws_endpoint
    secretsmanager = var.aws_endpoint
    sns            = var.aws_endpoint
    sts            = var.aws_endpoint
  }
}

data "aws_vpc" "default" {
  count   = var.use_default_vpc ? 1 : 0
  default = true
}

data "aws_subnets" "default" {
  count = var.use_default_vpc ? 1 : 0

  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default[0].id]
  }
}

# A client with consumers (roles in other accounts) needs its secrets under a customer managed key: the
# emulator's own, made here. The emulator stores the secret's resource policy; it enforces neither that
# policy nor any key policy.
resource "aws_kms_key" "secrets" {
  count = anytrue([for c in values(var.clients) : length(c.consumers) > 0]) ? 1 : 0

  description             = "m2m-local client secrets, shared with consumers in other accounts"
  deletion_window_in_days = 7
}

module "m2m" {
  source = "../.."

  kms_key_arn = try(aws_kms_key.secrets[0].arn, null)

  name                = "m2m-local"
  lambda_runtime      = var.lambda_runtime
  lambda_architecture = var.lambda_architecture
  resource_zip_path   = coalesce(var.resource_zip_path, abspath("${path.module}/../../dist/host/resource.zip"))
  client_zip_path     = coalesce(var.client_zip_path, abspath("${path.module}/../../dist/host/client.zip"))

  verifier_layer_zip_path = coalesce(var.verifier_layer_zip_path, abspath("${path.module}/../../dist/host/verifier-layer.zip"))
  rotation_zip_path       = coalesce(var.rotation_zip_path, abspath("${path.module}/../../dist/host/rotation.zip"))

  # Secrets can go at once: the emulator's state is thrown away with it.
  secret_recovery_window_days = 0

  # What stack.auto.tfvars says: resource servers, clients, protected APIs, the demo endpoint's client.
  resource_servers       = var.resource_servers
  clients                = var.clients
  client_function_client = var.client_function_client
  apis = {
    for k, a in var.apis : k => merge(a, {
      zip_path = a.zip_path == null ? null : "${coalesce(var.zip_dir, abspath("${path.module}/../../dist/host"))}/${a.zip_path}"
    })
  }

  # The demo endpoint GET /client that `make local` calls; its containers share tokens (DynamoDB).
  enable_client_endpoint = true
  shared_token_cache     = true
  client_function = {
    environment = var.client_token_source == "token_endpoint" ? {} : { TOKEN_SOURCE = var.client_token_source }
  }

  # Customized tokens: the example trigger adds each client's tenant (token_tenants in stack.auto.tfvars).
  token_customization = length(var.token_tenants) == 0 ? null : {
    zip_path    = "${coalesce(var.zip_dir, abspath("${path.module}/../../dist/host"))}/token-trigger.zip"
    handler     = "tenant_claims.handler"
    environment = { TENANTS = jsonencode({ for key, tenant in var.token_tenants : "m2m-local-${key}" => tenant }) }
  }

  vpc_id     = var.use_default_vpc ? data.aws_vpc.default[0].id : null
  subnet_ids = var.use_default_vpc ? slice(sort(data.aws_subnets.default[0].ids), 0, 2) : []

  endpoint_overrides = {
    token_url = "http://127.0.0.1:${var.auth_port}/oauth2/token"
    # moto serves a pool's JWKS at <endpoint>/<pool id>/.well-known/jwks.json (the local token
    # endpoint signs with the same key), where AWS serves it on the cognito-idp host.
    jwks_url = "${var.aws_endpoint}/${module.m2m.user_pool_id}/.well-known/jwks.json"
    api_url  = "http://127.0.0.1:${var.alb_port}/api"
  }
}
