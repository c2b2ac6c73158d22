variable "function_name" {
  description = "Name of the Lambda function; also names its role and its log group (/aws/lambda/<function_name>)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 letters, digits, hyphens or underscores."
  }
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = ""
}

variable "zip_path" {
  description = "Path of the deployment package (a zip whose root holds the handler module). Run `make build` to create it."
  type        = string

  validation {
    condition     = fileexists(var.zip_path)
    error_message = "The Lambda zip does not exist at zip_path: run `make build` first (it writes dist/resource.zip and dist/client.zip), or point zip_path at an existing zip."
  }
}

variable "handler" {
  description = "Handler of the function (<module>.<function>)."
  type        = string
  default     = "app.handler"

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$", var.handler))
    error_message = "handler must be <module>.<function> in Python identifiers, e.g. app.handler or orders.api.handler."
  }
}

variable "layers" {
  description = "ARNs of Lambda layer versions to attach, in order (at most 5, Lambda's limit)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.layers) <= 5 && alltrue([for l in var.layers : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]{1,140}:[0-9]+$", l))])
    error_message = "layers must be at most 5 layer version ARNs (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)."
  }
}

variable "runtime" {
  description = "Lambda runtime; must match the Python version the zip was built for."
  type        = string
  default     = "python3.13"

  validation {
    condition     = can(regex("^python3\\.(1[2-9]|[2-9][0-9])$", var.runtime))
    error_message = "runtime must be python3.12 or newer (e.g. python3.13), matching the zip's PYTHON_VERSION."
  }
}

variable "architecture" {
  description = "Instruction set of the function; must match the zip's ARCH."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB (CPU scales with it)."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB between 128 and 10240."
  }
}

variable "timeout" {
  description = "Timeout of one invocation in seconds."
  type        = number
  default     = 10

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds between 1 and 900."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions; null leaves the function on the account's unreserved pool."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrency == null || try(var.reserved_concurrency >= 0 && floor(var.reserved_concurrency) == var.reserved_concurrency, false)
    error_message = "reserved_concurrency must be null or a whole number >= 0."
  }
}

variable "environment" {
  description = "Environment variables of the function (AWS_REGION and other reserved names are set by Lambda)."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "Retention of the function's log group in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key that encrypts the log group (its key policy must allow CloudWatch Logs); null uses CloudWatch's own encryption."
  type        = string
  default     = null
}

variable "log_level" {
  description = "Application log level (Lambda's advanced logging controls, JSON format)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }
}

variable "vpc_config" {
  description = "Optional VPC attachment (subnets and security groups). When set, the AWS managed policy AWSLambdaVPCAccessExecutionRole is attached to the role for the network interfaces."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null
}

variable "policy_statements" {
  description = "Extra IAM statements for the function's role, keyed by statement id (letters and digits). Each names its actions and exact resource ARNs, and optionally conditions (test, variable, values); \"*\" actions are rejected."
  type = map(object({
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = {}

  validation {
    condition     = alltrue([for sid, s in var.policy_statements : can(regex("^[A-Za-z0-9]+$", sid)) && length(s.actions) > 0 && length(s.resources) > 0 && alltrue([for a in s.actions : a != "*" && !endswith(a, ":*")])])
    error_message = "Each policy statement needs an alphanumeric key, at least one resource and one action, and no wildcard action (\"*\" or \"service:*\")."
  }
}

variable "tags" {
  description = "Tags for every taggable resource of this module."
  type        = map(string)
  default     = {}
}
