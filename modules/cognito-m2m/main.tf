# The authorization server: a user pool whose only job is to issue client-credentials access tokens.

resource "aws_cognito_user_pool" "this" {
  name                = var.name
  deletion_protection = var.deletion_protection ? "ACTIVE" : "INACTIVE"

  # Machines authenticate as app clients; no one signs up or signs in as a user.
  admin_create_user_config {
    allow_admin_create_user_only = true
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
}

# One secret per client, holding exactly what the calling service needs to authenticate.
resource "aws_secretsmanager_secret" "client" {
  for_each = var.clients

  name_prefix             = "${var.name}-${each.key}-"
  description             = "Cognito app client ${var.name}-${each.key}: {\"client_id\", \"client_secret\"} for the client_credentials flow."
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.secret_recovery_window_days

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

# The first value only: a rotation then owns the secret (new versions, AWSCURRENT moved), and this
# version becomes AWSPREVIOUS, later unlabelled. Terraform must not write it back: it ignores the value
# and the labels, and writes a fresh value only when the app client itself is replaced.
resource "aws_secretsmanager_secret_version" "client" {
  for_each = var.clients

  secret_id = aws_secretsmanager_secret.client[each.key].id
  secret_string = jsonencode({
    client_id     = aws_cognito_user_pool_client.this[each.key].id
    client_secret = aws_cognito_user_pool_client.this[each.key].client_secret
  })

  lifecycle {
    ignore_changes       = [secret_string, version_stages]
    replace_triggered_by = [aws_cognito_user_pool_client.this[each.key].id]
  }
}
