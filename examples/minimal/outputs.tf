output "client_url" {
  description = "GET this URL to run the whole flow (token from Cognito, then the API call)."
  value       = module.m2m.client_url
}

output "api_url" {
  description = "The protected API (401 without a token)."
  value       = module.m2m.api_url
}

output "token_url" {
  description = "Cognito's token endpoint."
  value       = module.m2m.token_url
}

output "client_ids" {
  description = "App client ids by client key."
  value       = module.m2m.client_ids
}

output "client_secret_arns" {
  description = "Secrets Manager ARNs of the client credentials by client key."
  value       = module.m2m.client_secret_arns
}
