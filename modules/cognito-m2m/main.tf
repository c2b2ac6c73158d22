# The authorization server: a user pool whose only job is to issue client-credentials access tokens.

resource "aws_cognito_user_pool" "this" {
  name                = var.name
  deletion_protection = var.deletion_protection ? "ACTIVE" : "INACTIVE"

  # Machines authenticate as app clients; no one signs up or signs in as a user.
  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  # Access-token customization (V3_0) needs Essentials or Plus; neither attribute replaces the pool.
  user_pool_tier = var.user_pool_tier

  dynamic "lambda_config" {
    for_each = var.pre_token_generation_lambda_arn == null ? [] : [var.pre_token_generation_lambda_arn]
    content {
      pre_token_generation_config {
        lambda_arn     = lambda_config.value
        lambda_version = "V3_0"
      }
    }
  }

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_cognito_user_pool_domain" "this" {
  domain       = var.domain_prefix
  user_pool_id = aws_cognito_user_pool.this.id
}

resource "aws_cognito_resource_server" "this" {
  for_each = var.resource_servers

  user_pool_id = aws_cognito_user_pool.this.id
  identifier   = each.key
  name         = each.value.name

  dynamic "scope" {
    for_each = each.value.scopes
    content {
      scope_name        = scope.key
      scope_description = scope.value
    }
  }
}

resource "aws_cognito_user_pool_client" "this" {
  for_each = var.clients

  name         = "${var.name}-${each.key}"
  user_pool_id = aws_cognito_user_pool.this.id

  generate_secret                      = true
  allowed_oauth_flows                  = ["client_credentials"]
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_scopes                 = each.value.scopes
  supported_identity_providers         = ["COGNITO"]
  explicit_auth_flows                  = ["ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors        = "ENABLED"
  enable_token_revocation              = true

  access_token_validity = each.value.access_token_validity_minutes
  token_validity_units {
    access_token = "minutes"
  }

  # The scopes must exist before a client may be allowed them.
  depends_on = [aws_cognito_resource_server.this]

  lifecycle {
    # GetClientToken needs ALLOW_CLIENT_TOKEN_AUTH as the client's only auth flow, which provider 5.100
    # refuses in explicit_auth_flows: it is set outside Terraform (README), and an apply must not undo it.
    ignore_changes = [explicit_auth_flows]
  }
}

# One secret per client, holding exactly what the calling service needs to authenticate. It is bound
# to its app client for life: a replaced app client (a new client id) gets a new secret.
resource "aws_secretsmanager_secret" "client" {
  for_each = var.clients

  name_prefix             = "${var.name}-${each.key}-"
  description             = "Cognito app client ${var.name}-${each.key}: {\"client_id\", \"client_secret\"} for the client_credentials flow."
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.secret_recovery_window_days

  # The rotation function's role may touch only secrets tagged with this pool (and named <name>-*).
  tags = merge(var.tags, { Name = "${var.name}-${each.key}", (local.pool_tag) = aws_cognito_user_pool.this.id })

  lifecycle {
    replace_triggered_by = [aws_cognito_user_pool_client.this[each.key].id]
  }
}

locals {
  pool_tag = "CognitoUserPoolId"
}

# Which secrets already hold a current value. Read at every plan (a secret created in this apply is read
# during the apply, before its first value is written).
data "aws_secretsmanager_secret_versions" "client" {
  for_each = var.clients

  secret_id = aws_secretsmanager_secret.client[each.key].arn
}

locals {
  has_current_value = {
    for k, d in data.aws_secretsmanager_secret_versions.client :
    k => try(anytrue([for v in d.versions : contains(v.version_stages, "AWSCURRENT")]), false)
  }
}

# The first value only; from then on the secret's value belongs to its rotation (new versions, AWSCURRENT
# moved), and this version becomes AWSPREVIOUS, later unlabelled, and Secrets Manager may delete it. When
# that happens the provider forgets this resource and plans it again: Terraform must never write the
# credentials a second time (Cognito may have deleted that secret, and AWSCURRENT would point every caller
# at it). So the value written depends on the secret itself: with no current value yet, the app client's
# credentials as AWSCURRENT; with one, a placeholder without any secret, labelled TERRAFORM_PLACEHOLDER,
# which no caller reads. Terraform ignores later changes of either.
resource "aws_secretsmanager_secret_version" "client" {
  for_each = var.clients

  secret_id = aws_secretsmanager_secret.client[each.key].id
  secret_string = local.has_current_value[each.key] ? jsonencode({
    client_id = aws_cognito_user_pool_client.this[each.key].id
    note      = "Placeholder written by Terraform: the credentials are in the AWSCURRENT version."
    }) : jsonencode({
    client_id     = aws_cognito_user_pool_client.this[each.key].id
    client_secret = aws_cognito_user_pool_client.this[each.key].client_secret
  })
  version_stages = local.has_current_value[each.key] ? [local.placeholder_stage] : ["AWSCURRENT"]

  lifecycle {
    ignore_changes = [secret_string, version_stages]
  }
}

locals {
  placeholder_stage = "TERRAFORM_PLACEHOLDER"
}

# ---- Callers in other accounts ------------------------------------------------------------------
# A client with consumers (IAM roles, usually in other accounts) shares its secret where it is: a resource
# policy lets exactly those roles read that one secret, and the secret's customer managed key lets them
# decrypt through Secrets Manager only, for that secret only (a key-policy statement its owner adds: the
# consumer_access output). The credentials are never copied, so rotation reaches every caller at once.
locals {
  shared_clients = { for k, c in var.clients : k => c if length(c.consumers) > 0 }
  region         = data.aws_region.current.name
  # The Secrets Manager endpoint a GetSecretValue reaches KMS through (kms:ViaService).
  secretsmanager_service = "secretsmanager.${local.region}.amazonaws.com"

  consumer_policies = {
    for k, c in local.shared_clients : k => jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Sid       = "ConsumersReadThisSecret"
        Effect    = "Allow"
        Principal = { AWS = sort(c.consumers) }
        Action    = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
        Resource  = "*" # in a secret's resource policy: this secret
      }]
    })
  }

  consumer_key_statements = {
    for k, c in local.shared_clients : k => {
      # letters and digits only (IAM's Sid rule), unique per client key: the key's own letters and
      # digits, and 8 hex digits of its hash (foo-bar and foo_bar differ)
      Sid       = "ConsumersDecrypt${replace(k, "/[^A-Za-z0-9]/", "")}${substr(sha256(k), 0, 8)}"
      Effect    = "Allow"
      Principal = { AWS = sort(c.consumers) }
      Action    = "kms:Decrypt"
      Resource  = "*" # in a key policy: this key
      Condition = {
        StringEquals = {
          "kms:ViaService"                  = local.secretsmanager_service
          "kms:EncryptionContext:SecretARN" = aws_secretsmanager_secret.client[k].arn
        }
      }
    }
  }
}

data "aws_region" "current" {}

# Whether consumers may have their own secret policy is checked by the root (kms_key_arn customer managed,
# the policy's size) in the preconditions of its consumer_access output, at plan.
resource "aws_secretsmanager_secret_policy" "consumers" {
  for_each = local.shared_clients

  secret_arn = aws_secretsmanager_secret.client[each.key].arn
  policy     = local.consumer_policies[each.key]
  # Secrets Manager refuses (PublicPolicyException) a policy that grants broad access.
  block_public_policy = true
}
