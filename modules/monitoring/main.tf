# Alarms and a dashboard over the functions' embedded metrics (namespace `var.namespace`), their AWS/Lambda
# metrics and the load balancer's AWS/ApplicationELB metrics. Every alarm treats missing data as not
# breaching: a function nobody calls is healthy, not unknown.

locals {
  api_functions      = { for k, f in var.functions : k => f if f.kind == "api" }
  client_functions   = { for k, f in var.functions : k => f if f.kind == "client" }
  rotation_functions = { for k, f in var.functions : k => f if f.kind == "rotation" }
  custom             = var.namespace != null
  lb                 = { LoadBalancer = var.load_balancer_arn_suffix }

  # One entry per alarm, keyed by the end of its name (<name>-<key>).
  alarm_specs = merge(
    {
      "alb-5xx" = {
        description = "The load balancer answered 5xx itself (no healthy target, a Lambda error or timeout, a malformed Lambda answer). See README, Operate: alb-5xx."
        namespace   = "AWS/ApplicationELB", metric = "HTTPCode_ELB_5XX_Count", dimensions = local.lb
        statistic   = "Sum", period = 300, threshold = var.thresholds.alb_5xx_per_5_minutes, comparison = "GreaterThanOrEqualToThreshold"
      }
      "target-5xx" = {
        description = "The functions behind the load balancer answered 5xx (keys unavailable, an upstream failed, a bug). See README, Operate: target-5xx."
        namespace   = "AWS/ApplicationELB", metric = "HTTPCode_Target_5XX_Count", dimensions = local.lb
        statistic   = "Sum", period = 300, threshold = var.thresholds.alb_5xx_per_5_minutes, comparison = "GreaterThanOrEqualToThreshold"
      }
    },
    merge([for k, f in var.functions : {
      "${k}-errors" = {
        description = "Function ${f.function_name} raised (a failed cold start, a crash, a timeout; the rotation function also raises when a step fails). See README, Operate: errors."
        namespace   = "AWS/Lambda", metric = "Errors", dimensions = { FunctionName = f.function_name }
        statistic   = "Sum", period = 300, threshold = 1, comparison = "GreaterThanOrEqualToThreshold"
      }
      "${k}-throttles" = {
        description = "Invocations of ${f.function_name} were throttled (reserved concurrency or the account's limit reached). See README, Operate: throttles."
        namespace   = "AWS/Lambda", metric = "Throttles", dimensions = { FunctionName = f.function_name }
        statistic   = "Sum", period = 300, threshold = 1, comparison = "GreaterThanOrEqualToThreshold"
      }
      "${k}-duration" = {
        description = "An invocation of ${f.function_name} took more than ${var.thresholds.duration_percent_of_timeout}% of its ${f.timeout} s timeout. See README, Operate: duration."
        namespace   = "AWS/Lambda", metric = "Duration", dimensions = { FunctionName = f.function_name }
        statistic   = "Maximum", period = 300, threshold = f.timeout * 10 * var.thresholds.duration_percent_of_timeout, comparison = "GreaterThanThreshold"
      }
    }]...),
    !local.custom ? {} : merge([for k, f in local.api_functions : {
      "${k}-keys-unavailable" = {
        description = "${f.function_name} answered 503: it could not get the user pool's signing keys (JWKS). See README, Operate: keys-unavailable."
        namespace   = var.namespace, metric = "Requests", dimensions = { Function = f.function_name, Outcome = "keys_unavailable" }
        statistic   = "Sum", period = 300, threshold = 1, comparison = "GreaterThanOrEqualToThreshold"
      }
      "${k}-invalid-tokens" = {
        description = "${f.function_name} refused more than ${var.thresholds.invalid_tokens_per_5_minutes} invalid tokens in 5 minutes (someone probing, a misconfigured caller, a key rotation gone wrong). See README, Operate: invalid-tokens."
        namespace   = var.namespace, metric = "Requests", dimensions = { Function = f.function_name, Outcome = "invalid_token" }
        statistic   = "Sum", period = 300, threshold = var.thresholds.invalid_tokens_per_5_minutes, comparison = "GreaterThanThreshold"
      }
    }]...),
    !local.custom ? {} : { for k, f in local.client_functions : "${k}-token-requests" => {
      description = "${f.function_name} sent more than ${var.thresholds.token_requests_per_minute} token requests in a minute: close to the account's ClientAuthentication quota, and billed. See README, Operate: token-requests."
      namespace   = var.namespace, metric = "TokenRequests", dimensions = { Function = f.function_name }
      statistic   = "Sum", period = 60, threshold = var.thresholds.token_requests_per_minute, comparison = "GreaterThanThreshold"
    } },
    !local.custom ? {} : { for k, f in local.rotation_functions : "${k}-failures" => {
      description = "A secret-rotation step failed; Secrets Manager retries it, and the previous secret stays valid. See README, Operate: rotation-failures."
      namespace   = var.namespace, metric = "RotationFailures", dimensions = { Function = f.function_name }
      statistic   = "Sum", period = 300, threshold = 1, comparison = "GreaterThanOrEqualToThreshold"
    } },
  )
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = var.alarms_enabled ? local.alarm_specs : {}

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = each.value.comparison
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

# ---- Dashboard ---------------------------------------------------------------------------------
locals {
  region = data.aws_region.current.name
  ns     = coalesce(var.namespace, "none")

  requests_widgets = [for k, f in local.api_functions : {
    type = "metric", width = 12, height = 6
    properties = {
      title   = "${f.function_name}: requests by outcome"
      region  = local.region, view = "timeSeries", stacked = true, period = 60, stat = "Sum"
      metrics = [[{ expression = "SEARCH('{${local.ns},Function,Outcome} Function=\"${f.function_name}\" MetricName=\"Requests\"', 'Sum', 60)", id = "outcomes", label = "" }]]
    }
  }]

  latency_widget = {
    type = "metric", width = 12, height = 6
    properties = {
      title  = "Latency p50 / p99 (ms; the verifier in µs, right axis)"
      region = local.region, view = "timeSeries", period = 60
      metrics = concat(
        flatten([for k, f in var.functions : [
          ["AWS/Lambda", "Duration", "FunctionName", f.function_name, { stat = "p50", label = "${k} p50" }],
          ["AWS/Lambda", "Duration", "FunctionName", f.function_name, { stat = "p99", label = "${k} p99" }],
        ] if f.kind != "rotation"]),
        local.custom ? [for k, f in local.api_functions :
          [var.namespace, "VerificationTime", "Function", f.function_name, { stat = "p99", label = "${k} verifier p99 (µs)", yAxis = "right" }]
        ] : [],
      )
    }
  }

  token_widgets = local.custom ? [for k, f in local.client_functions : {
    type = "metric", width = 12, height = 6
    properties = {
      title  = "${f.function_name}: token requests and cache hit rate"
      region = local.region, view = "timeSeries", period = 60, stat = "Sum"
      metrics = [
        [var.namespace, "TokenRequests", "Function", f.function_name, { id = "requests", label = "token requests" }],
        [var.namespace, "TokensIssued", "Function", f.function_name, { id = "issued", label = "tokens issued (billed)" }],
        [var.namespace, "TokenCacheHits", "Function", f.function_name, { id = "hits", visible = false }],
        [var.namespace, "SharedCacheHits", "Function", f.function_name, { id = "shared", visible = false }],
        [{ expression = "100 * (hits + shared) / (hits + shared + issued)", id = "rate", label = "cache hit rate %", yAxis = "right" }],
      ]
    }
  }] : []

  errors_widget = {
    type = "metric", width = 12, height = 6
    properties = {
      title  = "Errors, throttles, 5xx"
      region = local.region, view = "timeSeries", period = 300, stat = "Sum"
      metrics = concat(
        flatten([for k, f in var.functions : [
          ["AWS/Lambda", "Errors", "FunctionName", f.function_name, { label = "${k} errors" }],
          ["AWS/Lambda", "Throttles", "FunctionName", f.function_name, { label = "${k} throttles" }],
        ]]),
        [
          ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", var.load_balancer_arn_suffix, { label = "ALB 5xx" }],
          ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", var.load_balancer_arn_suffix, { label = "target 5xx" }],
        ],
      )
    }
  }

  # Lambda reports an init duration only for an invocation that followed a cold start: in the REPORT line
  # of text logs (@initDuration), in record.metrics.initDurationMs of a JSON platform.report event.
  cold_start_widget = {
    type = "log", width = 12, height = 6
    properties = {
      title  = "Cold starts (invocation reports with an init duration)"
      region = local.region, view = "timeSeries"
      query  = "${join(" | ", [for f in values(var.functions) : "SOURCE '/aws/lambda/${f.function_name}'"])} | filter (@type = \"REPORT\" and ispresent(@initDuration)) or (type = \"platform.report\" and ispresent(record.metrics.initDurationMs)) | stats count(*) as cold_starts by bin(5m)"
    }
  }

  widgets = concat(local.requests_widgets, [local.latency_widget], local.token_widgets, [local.errors_widget, local.cold_start_widget])
}

data "aws_region" "current" {}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.dashboard_enabled ? 1 : 0

  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
