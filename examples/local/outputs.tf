output "alb_arn" {
  description = "ARN of the load balancer the local edge serves on LOCAL_ALB_PORT."
  value       = module.m2m.alb_arn
}

output "user_pool_id" {
  description = "ID of the Cognito user pool in the emulator."
  value       = module.m2m.user_pool_id
}

output "issuer" {
  description = "Issuer (iss) of the access tokens."
  value       = module.m2m.issuer
}

output "jwks_url" {
  description = "Where the resource function fetches the pool's signing keys (the emulator)."
  value       = module.m2m.jwks_url
}

output "token_url" {
  description = "The local Cognito token endpoint."
  value       = module.m2m.token_url
}

output "api_url" {
  description = "The API behind the local ALB."
  value       = module.m2m.api_url
}

output "client_ids" {
  description = "App client ids by client key."
  value       = module.m2m.client_ids
}

output "client_scopes" {
  description = "Scopes of each client, by client key."
  value       = { for k, c in var.clients : k => c.scopes }
}

output "client_function_client" {
  description = "Key of the client whose credentials GET /client uses."
  value       = var.client_function_client
}

output "client_secret_arns" {
  description = "Secrets Manager secret ARNs ({client_id, client_secret}) by client key."
  value       = module.m2m.client_secret_arns
}

output "resource_function_name" {
  description = "Name of the resource function."
  value       = module.m2m.resource_function_name
}

output "client_function_name" {
  description = "Name of the client function."
  value       = module.m2m.client_function_name
}

output "resource_zip_path" {
  description = "The zip deployed as the resource function."
  value       = module.m2m.resource_zip_path
}

output "api_functions" {
  description = "The protected functions by apis key (name, ARN, zip, paths)."
  value       = module.m2m.api_functions
}

output "verifier_layer_arn" {
  description = "ARN of the verifier layer version."
  value       = module.m2m.verifier_layer_arn
}

output "client_zip_path" {
  description = "The zip deployed as the client function."
  value       = module.m2m.client_zip_path
}

output "region" {
  description = "Region of the emulator."
  value       = var.region
}

output "secret_rotation" {
  description = "The secret-rotation function and schedule (`make local-rotate` runs it)."
  value       = module.m2m.secret_rotation
}

output "token_cache_table" {
  description = "The fleet-wide token cache the client function's containers share."
  value       = module.m2m.token_cache_table
}

output "token_trigger" {
  description = "The pool's pre-token-generation trigger (token_tenants), null without one."
  value       = module.m2m.token_trigger
}

output "token_tenants" {
  description = "Each client's tenant (by client key) in the tokens the example trigger customizes."
  value       = var.token_tenants
}

output "consumer_access" {
  description = "For each client with consumers: what its callers in other accounts need, the key-policy statement, and the caller's IAM policy (the module's consumer_access)."
  value       = module.m2m.consumer_access
}
