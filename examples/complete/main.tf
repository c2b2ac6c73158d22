# A production-shaped deployment: HTTPS with an ACM certificate on your own domain (plus a Route 53 alias),
# an existing VPC, two resource servers and two clients with different scopes, KMS-encrypted secrets and
# logs, and deletion protection. Run `make build` first; see example.tfvars for the inputs.

provider "aws" {
  region = var.region
}

# The on-call topic every alarm notifies when it fires and when it recovers; subscribe your pager to it.
# Encrypted with the same key, whose policy must also let CloudWatch (cloudwatch.amazonaws.com) use it.
resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
  tags              = merge(var.tags, { Name = "${var.name}-alarms" })
}

module "m2m" {
  source = "../.."

  name = var.name
  tags = var.tags

  resource_servers = {
    "orders" = {
      name = "Orders API"
      scopes = {
        read  = "Read orders"
        write = "Create and change orders"
      }
    }
    "reports" = {
      name   = "Reports API"
      scopes = { export = "Export reports" }
    }
  }

  clients = {
    # The demo client function uses this one.
    storefront = {
      scopes                        = ["orders/read", "orders/write"]
      access_token_validity_minutes = 30
    }
    # A batch job in another account reads this client's secret where it is (consumer_access["reporting"]
    # says what its role and the key's owner need; README, Callers in other accounts).
    reporting = {
      scopes                        = ["orders/read", "reports/export"]
      access_token_validity_minutes = 15
      consumers                     = var.reporting_consumers
    }
  }
  client_function_client = "storefront"

  # The demo endpoint GET /client, for the callers in client_source_cidrs only.
  enable_client_endpoint       = true
  client_endpoint_source_cidrs = var.client_source_cidrs

  # Every container of the client function shares one token per scope set (a DynamoDB table).
  shared_token_cache = true

  # The built-in demo API, with this root's scopes. Functions of your own are further entries (see
  # examples/own-api).
  apis = {
    resource = {
      routes = {
        "GET /api"  = ["orders/read"]
        "POST /api" = ["orders/write"]
      }
      memory_size = 512
      # Reserved concurrency is opt-in: Lambda keeps at least 100 of the account's concurrency
      # unreserved, so a new account (quota 10) cannot reserve any. Check the "Concurrent executions"
      # quota first.
      reserved_concurrency = var.resource_reserved_concurrency
    }
  }

  certificate_arn = var.certificate_arn
  domain_name     = var.domain_name
  route53_zone_id = var.route53_zone_id
  alb_ssl_policy  = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  vpc_id          = var.vpc_id
  subnet_ids      = var.subnet_ids
  ingress_cidrs   = var.ingress_cidrs
  internet_facing = true

  kms_key_arn                 = var.kms_key_arn
  secret_recovery_window_days = 30
  deletion_protection         = var.deletion_protection
  log_retention_days          = 365

  client_function = {
    reserved_concurrency = var.client_reserved_concurrency
  }

  # Alarms on the load balancer, every function, invalid tokens, keys, token requests and rotations.
  alarms = {
    sns_topic_arn = aws_sns_topic.alarms.arn
  }

  # Customized tokens (V3_0 trigger, Essentials plan): each caller's tokens carry its tenant.
  token_customization = var.token_trigger_zip_path == null ? null : {
    zip_path    = var.token_trigger_zip_path
    handler     = "tenant_claims.handler"
    environment = { TENANTS = jsonencode({ "${var.name}-storefront" = "retail", "${var.name}-reporting" = "finance" }) }
  }
}
