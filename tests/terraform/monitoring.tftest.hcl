# Metrics, alarms and the dashboard: every function has its alarms, the custom-metric alarms follow the
# namespace, a topic gets every alarm's actions, and bad inputs fail at plan with a message.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

variables {
  enable_client_endpoint = true
}

run "defaults" {
  command = apply

  assert {
    condition = toset(keys(output.alarm_names)) == toset([
      "alb-5xx", "target-5xx",
      "resource-errors", "resource-throttles", "resource-duration", "resource-keys-unavailable", "resource-invalid-tokens",
      "client-errors", "client-throttles", "client-duration", "client-token-requests",
      "rotation-errors", "rotation-throttles", "rotation-duration", "rotation-failures",
    ])
    error_message = "Every function has errors, throttles and duration alarms; plus the load balancer's, the API's, the client's and the rotation's own."
  }

  assert {
    condition     = alltrue([for a in module.monitoring.alarm_arns : a != ""]) && alltrue([for k, a in module.monitoring.alarm_names : startswith(a, "m2m-demo-")])
    error_message = "Alarms are named <name>-<key>."
  }

  assert {
    condition     = module.api_function["resource"].environment_variables["METRICS_NAMESPACE"] == "CognitoM2M" && module.client_function[0].environment_variables["METRICS_NAMESPACE"] == "CognitoM2M" && module.rotation_function[0].environment_variables["METRICS_NAMESPACE"] == "CognitoM2M"
    error_message = "Every function writes its metrics to the namespace."
  }

  assert {
    condition     = module.monitoring.alarm_names["client-token-requests"] == "m2m-demo-client-token-requests"
    error_message = "The token-request alarm exists."
  }

  assert {
    condition     = output.dashboard_url == "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/m2m-demo"
    error_message = "The dashboard is named after the module and its URL is an output."
  }

  assert {
    condition     = length([for w in jsondecode(module.monitoring.dashboard_body).widgets : w if w.type == "log"]) == 1
    error_message = "The dashboard counts cold starts from the invocation reports."
  }
}

run "thresholds_reach_the_alarms" {
  command = plan

  variables {
    alarms = {
      client_authentication_quota_rps = 300
      token_requests_percent_of_quota = 10
      invalid_tokens_per_5_minutes    = 20
      duration_percent_of_timeout     = 80
    }
  }

  assert {
    condition     = module.monitoring.thresholds_used.token_requests_per_minute == 1800
    error_message = "Token requests per minute: 10 % of 300 requests per second."
  }

  assert {
    condition     = module.monitoring.thresholds_used.duration_ms["resource"] == 8000 && module.monitoring.thresholds_used.duration_ms["client"] == 12000
    error_message = "Duration alarms at 80 % of each function's timeout (10 s and 15 s)."
  }
}

run "a_topic_gets_every_alarm_s_actions" {
  command = plan

  variables {
    alarms = { sns_topic_arn = "arn:aws:sns:eu-west-1:123456789012:on-call" }
  }

  assert {
    condition     = alltrue([for a in module.monitoring.alarm_actions : a == toset(["arn:aws:sns:eu-west-1:123456789012:on-call"])])
    error_message = "Every alarm notifies the topic when it fires and when it recovers."
  }
}

run "a_topic_of_another_region_fails_at_plan" {
  command = plan

  variables {
    alarms = { sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:on-call" }
  }

  expect_failures = [output.alarm_names]
}

run "a_fifo_topic_is_refused" {
  command = plan

  variables {
    alarms = { sns_topic_arn = "arn:aws:sns:eu-west-1:123456789012:on-call.fifo" }
  }

  expect_failures = [var.alarms]
}

run "bad_thresholds_are_refused" {
  command = plan

  variables {
    alarms = { duration_percent_of_timeout = 150, token_requests_per_minute = 0 }
  }

  expect_failures = [var.alarms]
}

run "a_reserved_namespace_is_refused" {
  command = plan

  variables {
    metrics_namespace = "AWS/Lambda"
  }

  expect_failures = [var.metrics_namespace]
}

run "no_namespace_no_custom_metric_alarms" {
  command = plan

  variables {
    metrics_namespace = null
  }

  assert {
    condition     = !contains(keys(module.monitoring.alarm_names), "resource-keys-unavailable") && !contains(keys(module.monitoring.alarm_names), "client-token-requests") && contains(keys(module.monitoring.alarm_names), "resource-errors")
    error_message = "Without metrics only the alarms on AWS's own metrics remain."
  }

  assert {
    condition     = !contains(keys(module.api_function["resource"].environment_variables), "METRICS_NAMESPACE")
    error_message = "Without a namespace the functions emit no metrics."
  }
}

run "alarms_and_dashboard_off" {
  command = plan

  variables {
    alarms    = { enabled = false }
    dashboard = false
  }

  assert {
    condition     = length(module.monitoring.alarm_names) == 0 && output.dashboard_url == null
    error_message = "alarms.enabled = false and dashboard = false create neither."
  }
}

run "every_protected_api_has_its_own_alarms" {
  command = plan

  variables {
    apis = {
      resource = { routes = { "GET /api" = ["rest-api/read"] } }
      orders   = { routes = { "GET /orders" = ["rest-api/read"] }, zip_path = "build/tftest/unlabelled.zip", timeout = 5 }
    }
  }

  assert {
    condition     = alltrue([for k in ["errors", "throttles", "duration", "keys-unavailable", "invalid-tokens"] : contains(keys(module.monitoring.alarm_names), "orders-${k}")])
    error_message = "Each entry of apis gets the protected function's five alarms."
  }
}

run "the_module_s_defaults_have_no_client_alarms" {
  command = plan

  variables {
    enable_client_endpoint = false
  }

  assert {
    condition     = length(module.monitoring.alarm_names) == 11 && !contains(keys(module.monitoring.alarm_names), "client-token-requests")
    error_message = "Without the demo client endpoint: 11 alarms (load balancer 2, API 5, rotation 4), none for a client function that does not exist."
  }
}

# CloudWatch's "Dashboard body structure and syntax": a metric widget's `metrics` is an array of arrays,
# one per metric or expression ("Should be array" otherwise: PutDashboard refuses the body). tests/contract
# checks whole bodies against a schema of that page; this is the quick check of the same rule.
run "every_dashboard_row_is_an_array" {
  command = plan

  variables {
    apis = {
      resource = { routes = { "GET /api" = ["rest-api/read"] } }
      orders   = { routes = { "GET /orders" = ["rest-api/read"] }, zip_path = "build/tftest/unlabelled.zip" }
    }
  }

  assert {
    condition = alltrue(flatten([
      for w in jsondecode(module.monitoring.dashboard_body).widgets : [
        for row in w.properties.metrics : can(row[0]) && length(row) >= 1
      ] if w.type == "metric"
    ]))
    error_message = "Each row of a metric widget's metrics is an array (a metric or an expression), never a flattened string."
  }

  assert {
    condition     = length([for w in jsondecode(module.monitoring.dashboard_body).widgets : w if w.type == "metric" && strcontains(w.properties.title, "Latency")][0].properties.metrics) == 8
    error_message = "Latency: p50 and p99 of three functions (two APIs and the client; not the rotation) and each API's verifier p99: eight rows."
  }
}

run "a_namespace_with_spaces_and_symbols_is_quoted_in_search" {
  command = plan

  variables {
    metrics_namespace = "Team A #1: m2m/prod"
  }

  assert {
    condition = alltrue([
      for w in jsondecode(module.monitoring.dashboard_body).widgets :
      startswith(w.properties.metrics[0][0].expression, "SEARCH('{\"Team A #1: m2m/prod\",Function,Outcome} ")
      if w.type == "metric" && strcontains(w.properties.title, "requests by outcome")
    ])
    error_message = "A namespace with spaces, # or : is quoted inside SEARCH('{...}'), as the search expression syntax requires."
  }
}

run "no_shared_cache_no_fallback_alarm" {
  command = plan

  assert {
    condition     = !contains(keys(module.monitoring.alarm_names), "client-shared-cache-fallbacks")
    error_message = "Without the fleet's token table there is no fallback to watch."
  }
}

run "shared_cache_fallbacks_have_an_alarm" {
  command = plan

  variables {
    shared_token_cache = true
    alarms             = { shared_cache_fallbacks_per_5_minutes = 3 }
  }

  assert {
    condition     = contains(keys(module.monitoring.alarm_names), "client-shared-cache-fallbacks")
    error_message = "With the fleet's token table, fallbacks to a direct (billed) token request have an alarm."
  }
}
