output "client_url" {
  description = "GET this URL to run the whole flow as the storefront client."
  value       = module.m2m.client_url
}

output "api_url" {
  description = "The protected API, https://<domain_name>/api."
  value       = module.m2m.api_url
}

output "token_url" {
  description = "Cognito's token endpoint."
  value       = module.m2m.token_url
}

output "issuer" {
  description = "Issuer of the access tokens."
  value       = module.m2m.issuer
}

output "client_ids" {
  description = "App client ids by client key."
  value       = module.m2m.client_ids
}

output "consumer_access" {
  description = "What the reporting client's callers in other accounts need (secret ARN, token URL, scopes, Region, their IAM policy), and the key-policy statement for the key's owner."
  value       = module.m2m.consumer_access
}

output "client_secret_arns" {
  description = "Secrets Manager ARNs of the client credentials by client key (give each caller its own)."
  value       = module.m2m.client_secret_arns
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (target of domain_name)."
  value       = module.m2m.alb_dns_name
}

output "alarm_topic_arn" {
  description = "The SNS topic every alarm notifies: subscribe your on-call to it."
  value       = aws_sns_topic.alarms.arn
}

output "dashboard_url" {
  description = "The CloudWatch dashboard."
  value       = module.m2m.dashboard_url
}
