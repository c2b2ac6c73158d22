# One Lambda function from a zip, with its own least-privilege role and an explicit log group.

data "aws_partition" "current" {}

locals {
  tags = merge(var.tags, { Name = var.function_name })

  # `make build` writes <zip>.manifest.json next to each zip: what it was built for and its SHA-256.
  # A zip without a manifest (built elsewhere) is deployed as given.
  manifest_path = "${var.zip_path}.manifest.json"
  manifest      = fileexists(local.manifest_path) ? try(jsondecode(file(local.manifest_path)), {}) : null
  built_for     = local.manifest == null ? null : "${try(local.manifest.architecture, "?")}/${try(local.manifest.runtime, "?")}"

  base_statements = [
    {
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["${aws_cloudwatch_log_group.this.arn}:*"]
    },
    {
      # X-Ray's write actions support no resource-level scoping: "*" is the only valid resource.
      Sid      = "WriteTraces"
      Effect   = "Allow"
      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      Resource = ["*"]
    },
  ]

  extra_statements = [
    for sid, s in var.policy_statements : merge(
      {
        Sid      = sid
        Effect   = "Allow"
        Action   = s.actions
        Resource = s.resources
      },
      length(s.conditions) == 0 ? {} : {
        Condition = { for test in distinct([for c in s.conditions : c.test]) : test => {
          for c in s.conditions : c.variable => c.values if c.test == test
        } }
      }
    )
  ]
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = local.tags
}

resource "aws_iam_role" "this" {
  # IAM names are global to the account: a prefix (plus a suffix Terraform picks) lets the same function
  # name exist in several regions of one account. name_prefix takes at most 38 characters.
  name_prefix = "${substr(var.function_name, 0, 37)}-"
  description = "Execution role of the Lambda function ${var.function_name}."
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaAssumeRole"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = local.tags
}

resource "aws_iam_role_policy" "this" {
  name = "${var.function_name}-least-privilege"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat(local.base_statements, local.extra_statements)
  })
}

resource "aws_iam_role_policy_attachment" "vpc_access" {
  count = var.vpc_config == null ? 0 : 1

  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

resource "aws_lambda_function" "this" {
  function_name = var.function_name
  description   = var.description
  role          = aws_iam_role.this.arn

  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  handler          = var.handler
  runtime          = var.runtime
  architectures    = [var.architecture]
  layers           = var.layers

  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrency == null ? -1 : var.reserved_concurrency

  dynamic "environment" {
    for_each = length(var.environment) > 0 ? [1] : []
    content {
      variables = var.environment
    }
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this.name
    application_log_level = var.log_level
    system_log_level      = "INFO" # START, END and REPORT (duration, init, memory) are INFO
  }

  tracing_config {
    mode = "Active"
  }

  dynamic "vpc_config" {
    for_each = var.vpc_config == null ? [] : [var.vpc_config]
    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  tags = local.tags

  # The role must be able to write logs and traces before the first invocation.
  depends_on = [aws_iam_role_policy.this, aws_iam_role_policy_attachment.vpc_access]

  lifecycle {
    precondition {
      condition     = local.manifest == null || local.built_for == "${var.architecture}/${var.runtime}"
      error_message = "${var.zip_path} was built for ${coalesce(local.built_for, "?")} (its build manifest) but the function runs ${var.architecture}/${var.runtime}: every request would fail at import. Rebuild the zip (make build ARCH=<arm64|x86_64> PYTHON_VERSION=<3.x>) or set the architecture and runtime to what it was built for."
    }
    precondition {
      # Lambda quotas: "Function environment variables: 4 KB" for all of them together; its error
      # message measures the JSON of the variables.
      condition     = length(jsonencode(var.environment)) <= 4096
      error_message = "The environment of ${var.function_name} takes ${length(jsonencode(var.environment))} bytes, and Lambda allows 4 KB (4,096 bytes) for all variables together: shorten it (for a protected function, list fewer clients in its apis entry's `clients`)."
    }
    precondition {
      condition     = try(local.manifest.kind, "function") == "function"
      error_message = "${var.zip_path} is a Lambda layer (its build manifest says kind = layer), not a function: give a function's zip (make build writes dist/resource.zip and dist/client.zip)."
    }
    precondition {
      condition     = local.manifest == null || try(local.manifest.zip_sha256 == filesha256(var.zip_path), false)
      error_message = "${local.manifest_path} does not describe ${var.zip_path} (its zip_sha256 differs): the zip was replaced after the build. Rebuild it with make build, or delete the stale manifest."
    }
  }
}
