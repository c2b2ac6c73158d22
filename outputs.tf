output "token_url" {
  description = "Cognito's token endpoint (POST, client_credentials), or the endpoint_overrides.token_url."
  value       = local.token_url
}

output "issuer" {
  description = "The pool's original-format issuer: https://cognito-idp.<region>.amazonaws.com/<user pool id> (see issuers for every iss the functions accept)."
  value       = local.issuer
}

output "issuers" {
  description = "Every iss the protected functions accept, as issuer_format and user_pool_replica_regions choose: the original format, the updated one (https://issuer-cognito-idp.<region>.amazonaws.com/<user pool id>), and each replica Region's original format."
  value       = local.issuers

  precondition {
    condition     = !contains(var.user_pool_replica_regions, local.region)
    error_message = "user_pool_replica_regions lists ${local.region}, the pool's own (primary) Region: list only the Regions of its replicas."
  }
}

output "jwks_url" {
  description = "JWKS of the pool's original-format issuer, or endpoint_overrides.jwks_url when set (then every function verifies with it). Without the override, each function fetches each accepted issuer's own <iss>/.well-known/jwks.json (see issuers)."
  value       = local.jwks_url
}

output "base_url" {
  description = "Base URL of the load balancer: https://<domain_name> with a certificate, otherwise http://<load balancer DNS name>; the apis paths are below it."
  value       = module.alb.base_url
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

output "consumer_access" {
  description = "For each client with consumers, what its callers in other accounts need, and nothing secret: secret_arn (read it with the full ARN), token_url, scopes, region, kms_key_arn, consumers; caller_policy, the IAM policy (JSON) each consumer role needs in its own account; key_policy_statement, the statement (JSON) the KMS key's owner adds to its key policy so that those roles may decrypt this secret through Secrets Manager only."
  value = {
    for k, p in module.cognito.consumer_policies : k => {
      secret_arn           = module.cognito.client_secret_arns[k]
      token_url            = local.token_url
      scopes               = sort(var.clients[k].scopes)
      region               = local.region
      kms_key_arn          = var.kms_key_arn
      consumers            = sort(var.clients[k].consumers)
      key_policy_statement = jsonencode(p.key_policy_statement)
      caller_policy = jsonencode({
        Version = "2012-10-17"
        Statement = [
          {
            Sid      = "ReadTheClientSecret"
            Effect   = "Allow"
            Action   = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
            Resource = module.cognito.client_secret_arns[k]
          },
          {
            Sid       = "DecryptItThroughSecretsManager"
            Effect    = "Allow"
            Action    = "kms:Decrypt"
            Resource  = var.kms_key_arn
            Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${local.region}.amazonaws.com" } }
          },
        ]
      })
    }
  }

  precondition {
    condition     = try(data.aws_kms_key.secrets[0].key_manager, "CUSTOMER") == "CUSTOMER"
    error_message = "kms_key_arn is an AWS managed key, which only its own account can use: clients ${join(", ", local.shared_clients)} have consumers, who need a customer managed key whose key policy you control."
  }

  precondition {
    condition     = local.key_statements_size <= 28672
    error_message = "The key-policy statements of clients ${join(", ", local.shared_clients)} would come to about ${local.key_statements_size} characters, over 28,672: a KMS key policy holds at most 32 KB, and the key's own administration statements need the rest. Share fewer clients through this key, or list fewer consumers."
  }

  precondition {
    condition     = alltrue([for p in values(module.cognito.consumer_policies) : length(p.secret_policy) <= 20480])
    error_message = "A secret's resource policy would be over Secrets Manager's 20,480 characters (${join(", ", [for k, p in module.cognito.consumer_policies : "${k}: ${length(p.secret_policy)}"])}): list fewer consumers."
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

output "api_functions" {
  description = "The protected functions by apis key: function name and ARN, role, log group, zip, the ALB paths routed to it and its routes with their scopes."
  value = {
    for k, f in module.api_function : k => {
      function_name  = f.function_name
      function_arn   = f.function_arn
      role_name      = f.role_name
      log_group_name = f.log_group_name
      zip_path       = f.zip_path
      paths          = local.api_paths[k]
      routes         = var.apis[k].routes
    }
  }

  precondition {
    condition     = length(local.undefined_route_scopes) == 0
    error_message = "apis routes require scopes that no resource server defines: ${join(", ", local.undefined_route_scopes)}. Add them to resource_servers or fix the routes."
  }
  precondition {
    condition     = length(local.unknown_api_clients) == 0
    error_message = "apis clients names clients that are not in clients: ${join(", ", local.unknown_api_clients)}."
  }
  precondition {
    condition     = length(local.client_path_claimed) == 0
    error_message = "apis ${join(", ", local.client_path_claimed)} claim /client, the demo client's path while enable_client_endpoint is true: choose other paths, or turn the demo endpoint off."
  }
  precondition {
    condition     = length(local.api_environment_too_large) == 0
    error_message = "Lambda allows 4 KB (4,096 bytes) of environment variables per function, all together, and these apis entries need more: ${join("; ", local.api_environment_too_large)}. ALLOWED_CLIENT_IDS lists every client the function accepts (27 bytes each): give the entry a shorter `clients` list (only the clients that call it), fewer routes, or a smaller `environment`."
  }
}

output "verifier_layer_arn" {
  description = "ARN of the verifier layer version (cognito-m2m-verifier and its dependencies, for this module's architecture and runtime): attach it to functions that other roots deploy."
  value       = module.verifier_layer.arn
}

output "verifier_layer_zip_path" {
  description = "Path of the zip published as the verifier layer."
  value       = local.layer_zip_path
}

output "resource_function_name" {
  description = "Name of the built-in demo API's function (apis key \"resource\"); null without that entry."
  value       = try(module.api_function["resource"].function_name, null)
}

output "resource_function_arn" {
  description = "ARN of the built-in demo API's function (apis key \"resource\"); null without that entry."
  value       = try(module.api_function["resource"].function_arn, null)
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
  description = "Path of the built-in demo API's zip (deployed for apis entries without zip_path)."
  value       = local.resource_zip_path
}

output "client_zip_path" {
  description = "Path of the zip deployed as the client function."
  value       = local.client_zip_path
}

output "secret_rotation" {
  description = "The secret-rotation function and the secrets it rotates every `days` days; null when secret_rotation_days is null."
  value = var.secret_rotation_days == null ? null : {
    function_name = module.rotation_function[0].function_name
    function_arn  = module.rotation_function[0].function_arn
    role_arn      = module.rotation_function[0].role_arn
    days          = var.secret_rotation_days
    secret_arns   = module.cognito.client_secret_arns
  }
}

output "token_cache_table" {
  description = "The fleet-wide token cache (name and ARN; give the name to CognitoTokens(shared_cache_table=...) elsewhere); null when shared_token_cache is off."
  value = local.token_cache_enabled ? {
    name = aws_dynamodb_table.tokens[0].name
    arn  = aws_dynamodb_table.tokens[0].arn
  } : null
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms by key (README, Operate, has one entry per kind)."
  value       = module.monitoring.alarm_names

  precondition {
    condition     = var.alarms.sns_topic_arn == null || try(split(":", var.alarms.sns_topic_arn)[3] == local.region, false)
    error_message = "alarms.sns_topic_arn must be a topic in this Region (${local.region}): CloudWatch alarms notify topics of their own Region only."
  }

  precondition {
    condition     = length(local.monitored_functions) == local.monitored_function_count
    error_message = "Two functions share a monitoring key (an apis entry keyed like the client or rotation function): one would have no alarms. Rename the apis entry."
  }
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard, null when `dashboard` is false."
  value       = module.monitoring.dashboard_url
}

output "metrics_namespace" {
  description = "CloudWatch namespace of the functions' embedded metrics, null when they are off."
  value       = var.metrics_namespace
}

output "token_trigger" {
  description = "The pre-token-generation trigger Cognito runs (V3_0 event), null without token_customization: its function ARN, and for a function this module deployed its name, role and log group."
  value = var.token_customization == null ? null : {
    function_arn   = local.token_trigger_arn
    function_name  = try(module.token_trigger[0].function_name, null)
    role_arn       = try(module.token_trigger[0].role_arn, null)
    log_group_name = try(module.token_trigger[0].log_group_name, null)
  }
}
