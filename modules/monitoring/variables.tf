variable "name" {
  description = "Name prefix of the alarms and the dashboard (the root module's name)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1-64 letters, digits, hyphens or underscores (it prefixes alarm and dashboard names)."
  }
}

variable "namespace" {
  description = "CloudWatch namespace of the functions' embedded metrics (METRICS_NAMESPACE); null: the functions emit none, and only the alarms on AWS metrics are created."
  type        = string
  default     = null

  validation {
    condition     = var.namespace == null || try(can(regex("^[A-Za-z0-9._#:/ -]{1,255}$", var.namespace)) && !startswith(var.namespace, "AWS/"), false)
    error_message = "namespace must be 1-255 letters, digits, spaces or . _ - # : / and must not start with \"AWS/\" (reserved for AWS services)."
  }
}

variable "functions" {
  description = "The functions to watch, by key: `function_name`, `timeout` (seconds, for the duration alarm), `kind`: \"api\" (a protected function: request outcomes), \"client\" (token requests), \"rotation\" (secret rotation steps) or \"trigger\" (the pre-token-generation trigger: Lambda's own metrics), and for a client `shared_token_cache` (it shares tokens through the fleet's table: its fallbacks are watched)."
  type = map(object({
    function_name      = string
    timeout            = number
    kind               = string
    shared_token_cache = optional(bool, false)
  }))

  validation {
    condition     = alltrue([for f in values(var.functions) : contains(["api", "client", "rotation", "trigger"], f.kind) && f.timeout >= 1 && f.timeout <= 900])
    error_message = "functions: kind must be \"api\", \"client\", \"rotation\" or \"trigger\", and timeout 1-900 seconds."
  }
}

variable "load_balancer_arn_suffix" {
  description = "ARN suffix of the load balancer (app/<name>/<id>), the LoadBalancer dimension of its metrics."
  type        = string
}

variable "alarms_enabled" {
  description = "Create the alarms (the dashboard does not depend on it)."
  type        = bool
  default     = true
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm fires and when it recovers (an SNS topic); empty: the alarms only change state."
  type        = list(string)
  default     = []
}

variable "thresholds" {
  description = "Alarm thresholds: `alb_5xx_per_5_minutes` (ALB and target 5xx answers), `invalid_tokens_per_5_minutes` (tokens refused as invalid, per protected function: someone probing), `duration_percent_of_timeout` (a function's slowest invocation in 5 minutes, against its timeout), `token_requests_per_minute` (token requests of the client function) and `shared_cache_fallbacks_per_5_minutes` (the client's direct token requests because the fleet's table failed)."
  type = object({
    alb_5xx_per_5_minutes                = number
    invalid_tokens_per_5_minutes         = number
    duration_percent_of_timeout          = number
    token_requests_per_minute            = number
    shared_cache_fallbacks_per_5_minutes = optional(number, 5)
  })

  validation {
    condition     = var.thresholds.alb_5xx_per_5_minutes >= 1 && var.thresholds.invalid_tokens_per_5_minutes >= 1 && var.thresholds.duration_percent_of_timeout >= 10 && var.thresholds.duration_percent_of_timeout <= 100 && var.thresholds.token_requests_per_minute >= 1 && var.thresholds.shared_cache_fallbacks_per_5_minutes >= 1
    error_message = "thresholds: the counts must be at least 1, and duration_percent_of_timeout 10-100."
  }
}

variable "dashboard_enabled" {
  description = "Create the CloudWatch dashboard."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags of the alarms (dashboards take none)."
  type        = map(string)
  default     = {}
}
