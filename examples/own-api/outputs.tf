output "orders_url" {
  description = "Your API behind the load balancer."
  value       = "${module.m2m.base_url}/orders"
}

output "token_url" {
  description = "Where callers get their tokens (client credentials)."
  value       = module.m2m.token_url
}

output "client_ids" {
  description = "App client ids by caller."
  value       = module.m2m.client_ids
}

output "client_secret_arns" {
  description = "Secrets Manager ARNs of each caller's {client_id, client_secret}; grant each caller's role secretsmanager:GetSecretValue on its own."
  value       = module.m2m.client_secret_arns
}

output "verifier_layer_arn" {
  description = "The verifier layer, for functions you deploy from other roots."
  value       = module.m2m.verifier_layer_arn
}

output "orders_function_name" {
  description = "Name of your function."
  value       = module.m2m.api_functions["orders"].function_name
}
