output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the function's execution role."
  value       = aws_iam_role.this.name
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the function's log group."
  value       = aws_cloudwatch_log_group.this.arn
}

output "zip_path" {
  description = "Path of the deployed zip."
  value       = var.zip_path
}

output "source_code_hash" {
  description = "Base64 SHA-256 of the deployed zip."
  value       = aws_lambda_function.this.source_code_hash
}

output "environment_variables" {
  description = "Environment variables of the function (configuration contract; holds no secrets)."
  value       = try(aws_lambda_function.this.environment[0].variables, {})
}

output "role_policy_json" {
  description = "The inline least-privilege policy of the function's role (JSON)."
  value       = aws_iam_role_policy.this.policy
}

output "configuration" {
  description = "Runtime settings of the function (null where the API did not report a setting back): handler, layers, runtime, architectures, memory, timeout, reserved concurrency, tracing mode and log settings (format, group, levels, retention)."
  value = {
    handler                        = aws_lambda_function.this.handler
    layers                         = aws_lambda_function.this.layers
    runtime                        = aws_lambda_function.this.runtime
    architectures                  = aws_lambda_function.this.architectures
    memory_size                    = aws_lambda_function.this.memory_size
    timeout                        = aws_lambda_function.this.timeout
    reserved_concurrent_executions = aws_lambda_function.this.reserved_concurrent_executions
    tracing_mode                   = try(aws_lambda_function.this.tracing_config[0].mode, null)
    log_format                     = try(aws_lambda_function.this.logging_config[0].log_format, null)
    application_log_level          = try(aws_lambda_function.this.logging_config[0].application_log_level, null)
    system_log_level               = try(aws_lambda_function.this.logging_config[0].system_log_level, null)
    log_group                      = try(aws_lambda_function.this.logging_config[0].log_group, null)
    log_retention_days             = aws_cloudwatch_log_group.this.retention_in_days
  }
}
