output "user_pool_id" {
  description = "ID of the user pool (<region>_<id>)."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "ARN of the user pool."
  value       = aws_cognito_user_pool.this.arn
}

output "domain" {
  description = "Prefix of the hosted domain that serves /oauth2/token."
  value       = aws_cognito_user_pool_domain.this.domain
}

output "client_ids" {
  description = "App client IDs by client key."
  value       = tomap({ for k, c in aws_cognito_user_pool_client.this : k => c.id })
}

output "client_secret_arns" {
  description = "ARNs of the Secrets Manager secrets holding {\"client_id\", \"client_secret\"}, by client key."
  value       = tomap({ for k, s in aws_secretsmanager_secret.client : k => s.arn })
}

output "resource_server_scopes" {
  description = "Full scope names (\"<identifier>/<scope>\") by resource server identifier."
  value       = tomap({ for id, rs in aws_cognito_resource_server.this : id => sort([for s in rs.scope : "${rs.identifier}/${s.scope_name}"]) })
}

output "secret_pool_tag" {
  description = "Tag (key and value) that every client secret carries: the user pool it belongs to (the rotation role's permissions require it)."
  value       = { key = local.pool_tag, value = aws_cognito_user_pool.this.id }
}

output "token_settings" {
  description = "The pool's feature plan (user_pool_tier) and its pre-token-generation trigger (lambda_arn and lambda_version, or null)."
  value = {
    user_pool_tier       = aws_cognito_user_pool.this.user_pool_tier
    pre_token_generation = try(aws_cognito_user_pool.this.lambda_config[0].pre_token_generation_config[0], null)
  }
}

output "consumer_policies" {
  description = "For each client with consumers: its secret's resource policy (JSON) and the key-policy statement (an object) that lets those consumers decrypt it through Secrets Manager only."
  value = {
    for k in keys(local.shared_clients) : k => {
      secret_arn           = aws_secretsmanager_secret_policy.consumers[k].secret_arn
      secret_policy        = aws_secretsmanager_secret_policy.consumers[k].policy
      block_public_policy  = aws_secretsmanager_secret_policy.consumers[k].block_public_policy
      key_policy_statement = local.consumer_key_statements[k]
    }
  }
}
