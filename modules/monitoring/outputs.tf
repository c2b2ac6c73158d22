output "alarm_arns" {
  description = "ARNs of the alarms by key (alb-5xx, target-5xx, <function>-errors, -throttles, -duration, <api>-keys-unavailable, <api>-invalid-tokens, client-token-requests, client-shared-cache-fallbacks, rotation-failures)."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }
}

output "alarm_names" {
  description = "Names of the alarms by key."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_name }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard, null when it is off."
  value       = var.dashboard_enabled ? aws_cloudwatch_dashboard.this[0].dashboard_name : null
}

output "dashboard_url" {
  description = "Console URL of the dashboard, null when it is off."
  value       = var.dashboard_enabled ? "https://${local.region}.console.aws.amazon.com/cloudwatch/home?region=${local.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this[0].dashboard_name}" : null
}

output "alarm_actions" {
  description = "Actions of each alarm by key (the topic, or empty)."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_actions }
}

output "thresholds_used" {
  description = "The thresholds as the alarms apply them: token requests per minute, and each function's duration alarm in milliseconds."
  value = {
    token_requests_per_minute = var.thresholds.token_requests_per_minute
    duration_ms               = { for k, f in var.functions : k => f.timeout * 10 * var.thresholds.duration_percent_of_timeout }
  }
}

output "dashboard_body" {
  description = "The dashboard's JSON body (also when the dashboard is off)."
  value       = jsonencode({ widgets = local.widgets })
}
