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
        description = "Function ${f.function_name} raised (a failed cold start, a crash, a timeout; the rotation function also raises when a step fails; a token trigger's error refuses the token request). See README, Operate: errors."
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
    # A fallback is a container that asked Cognito itself because the fleet's token table failed it
    # (throttled, unreachable, denied by IAM or KMS): every one is a billed token request.
    !local.custom ? {} : { for k, f in local.client_functions : "${k}-shared-cache-fallbacks" => {
      description = "${f.function_name} fell back to its own token request ${var.thresholds.shared_cache_fallbacks_per_5_minutes} times or more in 5 minutes: the fleet's token table failed (throttled, unreachable, or denied by IAM or KMS), and each fallback is a billed token request. See README, Operate: shared-cache-fallbacks."
      namespace   = var.namespace, metric = "SharedCacheFallbacks", dimensions = { Function = f.function_name }
      statistic   = "Sum", period = 300, threshold = var.thresholds.shared_cache_fallbacks_per_5_minutes, comparison = "GreaterThanOrEqualToThreshold"
    } if f.shared_token_cache },
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
# The body follows CloudWatch's "Dashboard body structure and syntax": a metric widget's `metrics` is an
# array of rows, each row an array (a metric: namespace, name, dimension pairs, options; an expression:
# one object), and tests/contract checks every body against a schema written from that page.
locals {
  region = data.aws_region.current.name
  # Inside SEARCH('{...}') a namespace with spaces or other non-alphanumeric characters must be quoted;
  # quoting is always allowed. The namespace's own characters (validated) need no escaping.
  search_namespace = "\"${coalesce(var.namespace, "none")}\""

  requests_widgets = [for k, f in local.api_functions : {
    type = "metric", width = 12, height = 6
    properties = {
      title  = "${f.function_name}: requests by outcome"
      region = local.region, view = "timeSeries", stacked = true, period = 60, stat = "Sum"
      # One series per outcome, each labelled with its Outcome (a dynamic label).
      metrics = [[{
        expression = "SEARCH('{${local.search_namespace},Function,Outcome} Function=\"${f.function_name}\" MetricName=\"Requests\"', 'Sum', 60)"
        id         = "outcomes"
        label      = "$${PROP('Dim.Outcome')}"
      }]]
    }
  }]

  graphed_functions = [for k in sort(keys(var.functions)) : k if var.functions[k].kind != "rotation"]

  latency_widget = {
    type = "metric", width = 12, height = 6
    properties = {
      title  = "Latency p50 / p99 (ms; the verifier in µs, right axis)"
      region = local.region, view = "timeSeries", period = 60
      metrics = concat(
        [for pair in setproduct(local.graphed_functions, ["p50", "p99"]) :
          ["AWS/Lambda", "Duration", "FunctionName", var.functions[pair[0]].function_name, { stat = pair[1], label = "${pair[0]} ${pair[1]}" }]
        ],
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
        [var.namespace, "SharedCacheFallbacks", "Function", f.function_name, { id = "fallbacks", label = "shared-cache fallbacks" }],
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
        [for pair in setproduct(sort(keys(var.functions)), ["Errors", "Throttles"]) :
          ["AWS/Lambda", pair[1], "FunctionName", var.functions[pair[0]].function_name, { label = "${pair[0]} ${lower(pair[1])}" }]
        ],
        [
          ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", var.load_balancer_arn_suffix, { label = "ALB 5xx" }],
          ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", var.load_balancer_arn_suffix, { label = "target 5xx" }],
        ],
      )
    }
  }

  # Lambda reports an init duration only for an invocation that followed a cold start: in the REPORT line
  # of text logs (@initDuration), in record.metrics.initDurationMs of a JSON platform.report event. A Logs
  # Insights query reads at most 50 log groups (StartQuery), so larger deployments get one widget per 50.
  cold_start_groups = chunklist([for k in sort(keys(var.functions)) : "/aws/lambda/${var.functions[k].function_name}"], 50)
  cold_start_widgets = [for i, groups in local.cold_start_groups : {
    type = "log", width = 12, height = 6
    properties = {
      title  = length(local.cold_start_groups) == 1 ? "Cold starts (invocation reports with an init duration)" : "Cold starts (invocation reports with an init duration), ${i + 1} of ${length(local.cold_start_groups)}"
      region = local.region, view = "timeSeries"
      query  = "${join(" | ", [for g in groups : "SOURCE '${g}'"])} | filter (@type = \"REPORT\" and ispresent(@initDuration)) or (type = \"platform.report\" and ispresent(record.metrics.initDurationMs)) | stats count(*) as cold_starts by bin(5m)"
    }
  }]

  widgets = concat(local.requests_widgets, [local.latency_widget], local.token_widgets, [local.errors_widget], local.cold_start_widgets)
}

data "aws_region" "current" {}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.dashboard_enabled ? 1 : 0

  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
