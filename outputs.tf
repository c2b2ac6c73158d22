output "token_url" {
  description = "Cognito's token endpoint (POST, client_credentials), or the endpoint_overrides.token_url."
  value       = local.token_url
}

output "issuer" {
  description = "Issuer (iss) of the access tokens: https://cognito-idp.<region>.amazonaws.com/<user pool id>."
  value       = local.issuer
}

output "jwks_url" {
  description = "JWKS of the user pool (or the endpoint_overrides.jwks_url) that the resource function verifies signatures with."
  value       = local.jwks_url
}

output "api_url" {
  description = "URL of the protected API: https://<domain_name>/api with a certificate, otherwise http://<load balancer DNS name>/api (or the endpoint_overrides.api_url)."
  value       = local.api_url

  precondition {
    condition     = !local.https || var.domain_name != null
    error_message = "certificate_arn requires domain_name (a name the certificate covers): the load balancer's own DNS name is not covered by your certificate."
  }
}

output "client_url" {
  description = "URL of the demo client endpoint (GET it to run the whole flow); null when enable_client_endpoint is false."
  value       = local.client_url

  precondition {
    condition     = local.client_reaches_api
    error_message = "enable_client_endpoint needs a load balancer that the demo client function can reach: it runs outside the VPC and calls the API over the internet from AWS addresses, so with internet_facing = false or ingress_cidrs without \"0.0.0.0/0\" every GET /client would time out (504). Keep internet_facing = true and ingress_cidrs = [\"0.0.0.0/0\"] (and limit who may call /client with client_endpoint_source_cidrs), or set enable_client_endpoint = false."
  }
}

output "user_pool_id" {
  description = "ID of the Cognito user pool."
  value       = module.cognito.user_pool_id
}

output "user_pool_arn" {
  description = "ARN of the Cognito user pool."
  value       = module.cognito.user_pool_arn

  precondition {
    condition     = local.kms_key_region == null || local.kms_key_region == local.region
    error_message = "kms_key_arn is a key in ${coalesce(local.kms_key_region, "?")}, but the module deploys to ${local.region}: Secrets Manager and CloudWatch Logs need a key in their own region."
  }
}

output "client_ids" {
  description = "App client IDs by client key (not secret; the secrets stay in Secrets Manager)."
  value       = module.cognito.client_ids

  precondition {
    condition     = length(local.undefined_scopes) == 0
    error_message = "clients use scopes that no resource server defines: ${join(", ", local.undefined_scopes)}. Add them to resource_servers or fix the client's scopes."
  }
}

output "client_secret_arns" {
  description = "ARNs of the Secrets Manager secrets holding {\"client_id\", \"client_secret\"} by client key."
  value       = module.cognito.client_secret_arns

  precondition {
    condition     = !var.enable_client_endpoint || local.demo_client != null
    error_message = "client_function_client must be one of the keys of clients (${join(", ", sort(keys(var.clients)))})."
  }
}

output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = module.alb.dns_name
}

output "alb_arn" {
  description = "ARN of the load balancer."
  value       = module.alb.arn

  precondition {
    condition     = (var.vpc_id == null) == (length(var.subnet_ids) == 0)
    error_message = "vpc_id and subnet_ids go together: set both to use an existing VPC, or neither to create one."
  }
}

output "resource_function_name" {
  description = "Name of the resource (API) function."
  value       = module.resource_function.function_name

  precondition {
    condition     = length(local.undefined_route_scopes) == 0
    error_message = "route_scopes require scopes that no resource server defines: ${join(", ", local.undefined_route_scopes)}. Add them to resource_servers or fix route_scopes."
  }
}

output "resource_function_arn" {
  description = "ARN of the resource (API) function."
  value       = module.resource_function.function_arn
}

output "client_function_name" {
  description = "Name of the demo client function; null when enable_client_endpoint is false."
  value       = var.enable_client_endpoint ? module.client_function[0].function_name : null
}

output "client_function_arn" {
  description = "ARN of the demo client function; null when enable_client_endpoint is false."
  value       = var.enable_client_endpoint ? module.client_function[0].function_arn : null
}

output "resource_zip_path" {
  description = "Path of the zip deployed as the resource function."
  value       = local.resource_zip_path
}

output "client_zip_path" {
  description = "Path of the zip deployed as the client function."
  value       = local.client_zip_path
}
