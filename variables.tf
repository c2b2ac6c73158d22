# ---- Naming and tags ------------------------------------------------------------------------

variable "name" {
  description = "Name prefix of every resource (user pool, functions, load balancer, target groups, secrets)."
  type        = string
  default     = "m2m-demo"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,14}[a-z0-9]$", var.name))
    error_message = "name must be 2-16 characters of lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen (it prefixes names limited to 32 characters)."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource (merged with a Name tag per resource)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:")])
    error_message = "Tag keys must be 1-128 characters and must not start with \"aws:\"; tag values at most 256 characters."
  }
}

# ---- Authorization server (Cognito) ---------------------------------------------------------

variable "resource_servers" {
  description = "Resource servers keyed by identifier (the scope prefix), each with a display name and its scopes (scope name => description). Scopes are requested as \"<identifier>/<scope>\"."
  type = map(object({
    name   = string
    scopes = map(string)
  }))
  default = {
    "rest-api" = {
      name = "REST API"
      scopes = {
        read  = "Read access to the REST API"
        write = "Write access to the REST API"
      }
    }
  }

  validation {
    condition     = length(var.resource_servers) >= 1 && length(var.resource_servers) <= 25
    error_message = "Define 1-25 resource servers (Cognito's default quota per user pool)."
  }

  validation {
    condition     = alltrue([for id, rs in var.resource_servers : can(regex("^[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,256}$", id))])
    error_message = "Each resource server identifier (map key) must be 1-256 printable ASCII characters without spaces, double quotes or backslashes, e.g. \"rest-api\" or \"https://api.example.com\"."
  }

  validation {
    condition     = alltrue([for rs in var.resource_servers : can(regex("^[\\w\\s+=,.@-]{1,256}$", rs.name))])
    error_message = "Each resource server name must be 1-256 letters, digits, spaces or the characters + = , . @ - _."
  }

  validation {
    condition     = alltrue([for rs in var.resource_servers : length(rs.scopes) >= 1 && length(rs.scopes) <= 100])
    error_message = "Each resource server needs 1-100 scopes."
  }

  validation {
    condition     = alltrue(flatten([for rs in var.resource_servers : [for s, d in rs.scopes : can(regex("^[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]{1,256}$", s)) && length(d) >= 1 && length(d) <= 256]]))
    error_message = "Each scope name must be 1-256 printable ASCII characters without spaces, double quotes, slashes or backslashes (e.g. \"read\"), and each scope description 1-256 characters."
  }

  validation {
    condition     = alltrue(flatten([for id, rs in var.resource_servers : [for s in keys(rs.scopes) : length("${id}/${s}") <= 256]]))
    error_message = "Each full scope \"<identifier>/<scope>\" must be at most 256 characters: longer ones can be defined but never granted to an app client (Cognito's AllowedOAuthScopes items are at most 256)."
  }
}

variable "clients" {
  description = "App clients keyed by a stable name. Each gets a generated secret (stored in Secrets Manager), the client_credentials flow only, its scopes (\"<resource server identifier>/<scope>\", all defined in resource_servers) and an access-token validity in minutes (5-1440). `consumers` (optional): IAM role ARNs, usually in other accounts, that may read this client's secret where it is (GetSecretValue and DescribeSecret on that secret alone, through its resource policy); at most 25, no account roots or wildcards. A client with consumers needs a customer managed kms_key_arn, and the consumer_access output says what the callers and the key's owner must do (README, Callers in other accounts)."
  type = map(object({
    scopes                        = list(string)
    access_token_validity_minutes = optional(number, 60)
    consumers                     = optional(list(string), [])
  }))
  default = {
    demo = { scopes = ["rest-api/read"] }
  }

  validation {
    condition     = length(var.clients) >= 1
    error_message = "Define at least one client: the resource function accepts tokens of the listed clients only."
  }

  validation {
    condition     = alltrue([for k, c in var.clients : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$", k))])
    error_message = "Client keys must be 1-63 characters of letters, digits, underscores and hyphens, starting with a letter or digit."
  }

  validation {
    condition     = alltrue([for c in var.clients : c.access_token_validity_minutes >= 5 && c.access_token_validity_minutes <= 1440 && floor(c.access_token_validity_minutes) == c.access_token_validity_minutes])
    error_message = "access_token_validity_minutes must be a whole number between 5 and 1440 (Cognito's range for access tokens: 5 minutes to 1 day)."
  }

  validation {
    condition     = alltrue([for c in var.clients : length(c.scopes) >= 1 && length(c.scopes) <= 50 && alltrue([for s in c.scopes : can(regex("^[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,256}/[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]{1,256}$", s))])])
    error_message = "Each client needs 1-50 scopes of the form \"<resource server identifier>/<scope>\", e.g. \"rest-api/read\" (no spaces, quotes or backslashes)."
  }

  validation {
    condition     = alltrue(flatten([for c in var.clients : [for s in c.scopes : length(s) <= 256]]))
    error_message = "Each client scope \"<resource server identifier>/<scope>\" must be at most 256 characters in all: Cognito's AllowedOAuthScopes items are limited to 256."
  }

  validation {
    condition     = alltrue(flatten([for c in var.clients : [for a in c.consumers : can(regex("^arn:aws(-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?:iam::[0-9]{12}:role/([\\x21-\\x7E]{1,510}/)?[\\w+=,.@-]{1,64}$", a)) && !strcontains(a, "*") && !strcontains(a, "?")]]))
    error_message = "Each consumer must be an IAM role ARN, arn:aws:iam::<12-digit account>:role/<optional path/><role name> (a name of 1-64 letters, digits and +=,.@_-), with no wildcard (* or ?): an account root, a user, an assumed-role session or a pattern is refused (README, Callers in other accounts, says why)."
  }

  validation {
    condition     = alltrue([for c in var.clients : length(c.consumers) <= 25 && length(distinct([for a in c.consumers : lower(a)])) == length(c.consumers)])
    error_message = "A client has at most 25 consumers, each listed once (IAM role names ignore case): the secret's resource policy must stay within Secrets Manager's 20,480 characters (25 role ARNs of the longest path and name fit)."
  }
}

variable "domain_prefix" {
  description = "Prefix of the Cognito hosted domain that serves /oauth2/token (<prefix>.auth.<region>.amazoncognito.com). null derives \"<name>-<account id>\", which is unique."
  type        = string
  default     = null

  validation {
    condition     = var.domain_prefix == null || try(can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.domain_prefix)) && !strcontains(var.domain_prefix, "aws") && !strcontains(var.domain_prefix, "amazon") && !strcontains(var.domain_prefix, "cognito"), false)
    error_message = "domain_prefix must be 1-63 lowercase letters, digits and hyphens (no leading or trailing hyphen) and must not contain the reserved words aws, amazon or cognito."
  }
}

variable "secret_recovery_window_days" {
  description = "Days Secrets Manager keeps a deleted client secret recoverable: 0 (delete at once) or 7-30."
  type        = number
  default     = 7

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 (immediate deletion) or between 7 and 30."
  }
}

variable "shared_token_cache" {
  description = "Share access tokens across every container of the client function through a DynamoDB table (on-demand, TTL on expires_at, encrypted with kms_key_arn when given, deletion protection as deletion_protection): one token request per token lifetime for the whole fleet. The function's role may read and write only its own client's items (dynamodb:LeadingKeys)."
  type        = bool
  default     = false
}

variable "secret_rotation_days" {
  description = "Days between rotations of every client's secret by the module's rotation function (Cognito's two-secret API: the previous secret stays valid until the next rotation); null turns rotation off. The first rotation comes after this many days (rotate now with `aws secretsmanager rotate-secret --secret-id <arn>`)."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_rotation_days == null || try(var.secret_rotation_days == floor(var.secret_rotation_days) && var.secret_rotation_days >= 1 && var.secret_rotation_days <= 1000, false)
    error_message = "secret_rotation_days must be a whole number of days from 1 to 1000 (Secrets Manager's AutomaticallyAfterDays), or null to turn rotation off."
  }
}

variable "rotation_zip_path" {
  description = "Zip of the secret-rotation function; null means dist/rotation.zip in this module (written by `make build`)."
  type        = string
  default     = null

  validation {
    condition     = var.rotation_zip_path == null || try(fileexists(var.rotation_zip_path), false)
    error_message = "rotation_zip_path does not point at an existing file: run `make build` (it writes dist/rotation.zip) or fix the path."
  }
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the functions' embedded metrics (one JSON log line per request or invocation; no API call). null turns them off, and with them the alarms and graphs built on them."
  type        = string
  default     = "CognitoM2M"

  validation {
    condition     = var.metrics_namespace == null || try(can(regex("^[A-Za-z0-9._#:/ -]{1,255}$", var.metrics_namespace)) && !startswith(var.metrics_namespace, "AWS/"), false)
    error_message = "metrics_namespace must be 1-255 letters, digits, spaces or . _ - # : / and must not start with \"AWS/\" (reserved for AWS services), or null."
  }
}

variable "alarms" {
  description = "CloudWatch alarms (README, Operate, says what each means and what to do): `enabled` (default true); `sns_topic_arn` notified when an alarm fires and recovers (null: no actions); thresholds `alb_5xx_per_5_minutes` (5), `invalid_tokens_per_5_minutes` (100, per protected function), `duration_percent_of_timeout` (90), `shared_cache_fallbacks_per_5_minutes` (5: the client function's billed token requests because the fleet's token table failed it; with shared_token_cache); token requests of the client function per minute: `token_requests_per_minute`, or by default `token_requests_percent_of_quota` (50) of `client_authentication_quota_rps` (150, the account's ClientAuthentication quota per Region in requests per second; set yours from Service Quotas)."
  type = object({
    enabled                         = optional(bool, true)
    sns_topic_arn                   = optional(string)
    alb_5xx_per_5_minutes           = optional(number, 5)
    invalid_tokens_per_5_minutes    = optional(number, 100)
    duration_percent_of_timeout     = optional(number, 90)
    client_authentication_quota_rps = optional(number, 150)
    token_requests_percent_of_quota = optional(number, 50)
    token_requests_per_minute       = optional(number)

    shared_cache_fallbacks_per_5_minutes = optional(number, 5)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.alarms.sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.alarms.sns_topic_arn))
    error_message = "alarms.sns_topic_arn must be the ARN of a standard SNS topic (arn:aws:sns:<region>:<account>:<topic>; CloudWatch cannot notify a FIFO topic), or null."
  }

  validation {
    condition = alltrue([
      var.alarms.alb_5xx_per_5_minutes >= 1,
      var.alarms.invalid_tokens_per_5_minutes >= 1,
      var.alarms.duration_percent_of_timeout >= 10 && var.alarms.duration_percent_of_timeout <= 100,
      var.alarms.client_authentication_quota_rps >= 1,
      var.alarms.token_requests_percent_of_quota > 0 && var.alarms.token_requests_percent_of_quota <= 100,
      try(var.alarms.token_requests_per_minute >= 1, var.alarms.token_requests_per_minute == null),
      var.alarms.shared_cache_fallbacks_per_5_minutes >= 1,
    ])
    error_message = "alarms: alb_5xx_per_5_minutes, invalid_tokens_per_5_minutes, client_authentication_quota_rps, shared_cache_fallbacks_per_5_minutes and token_requests_per_minute (when set) must be at least 1; duration_percent_of_timeout 10-100; token_requests_percent_of_quota above 0 and at most 100."
  }
}

variable "dashboard" {
  description = "Create a CloudWatch dashboard named after `name`: requests by outcome, latency p50/p99, token requests and cache hit rate, cold starts, errors."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer managed symmetric KMS key, in the deployment's region, for the client secrets and the log groups; the client function may kms:Decrypt with it. Its key policy must allow the CloudWatch Logs service principal logs.<region>.amazonaws.com (kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe*), else creating the log groups fails, and must delegate to IAM (the account root principal with kms:*), else the client role's kms:Decrypt is ignored. The plan checks the region. null uses AWS managed encryption."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id> (not an alias)."
  }
}

variable "deletion_protection" {
  description = "Protect the user pool and the load balancer from deletion (turn off before `terraform destroy`)."
  type        = bool
  default     = false
}

# ---- Functions ------------------------------------------------------------------------------

variable "client_function_client" {
  description = "Key of the client (in clients) whose credentials and scopes the client function uses."
  type        = string
  default     = "demo"
}

variable "apis" {
  description = "Protected functions keyed by a stable name (1-12 lowercase letters, digits or hyphens, starting with a letter; it names the function <name>-<key> and its target group). Each entry: `routes`, a map of \"METHOD /path\" (exact and case-sensitive, a trailing /* for every path below) to the scopes it requires (all of them, each defined in resource_servers); `zip_path` (null: the built-in demo, which implements GET /api and POST /api), `handler`, `memory_size` (MB), `timeout` (s), `reserved_concurrency` (null: unreserved), `environment` (the module's own variables win), `clients` (keys of clients whose tokens it accepts; null: every client), and `policy_statements` (extra IAM statements for its role by statement id, exact resource ARNs, no wildcard action). The module creates the function with the verifier layer and USER_POOL_ID, ALLOWED_CLIENT_IDS and ROUTE_SCOPES (its routes as JSON), its role, log group, target group and listener rules for its paths."
  type = map(object({
    routes               = map(list(string))
    zip_path             = optional(string)
    handler              = optional(string, "app.handler")
    memory_size          = optional(number, 256)
    timeout              = optional(number, 10)
    reserved_concurrency = optional(number)
    environment          = optional(map(string), {})
    clients              = optional(list(string))
    policy_statements = optional(map(object({
      actions   = list(string)
      resources = list(string)
    })), {})
  }))
  default = {
    resource = {
      routes = {
        "GET /api"  = ["rest-api/read"]
        "POST /api" = ["rest-api/write"]
      }
    }
  }

  validation {
    condition     = length(var.apis) >= 1 && alltrue([for k in keys(var.apis) : can(regex("^[a-z][a-z0-9-]{0,11}$", k)) && !contains(["client", "rotation", "trigger"], k)])
    error_message = "apis needs at least one entry, keyed by 1-12 lowercase letters, digits or hyphens starting with a letter (it names the function and its target group); \"client\", \"rotation\" and \"trigger\" are taken (the demo client's target and alarms, the rotation function's and the token trigger's alarms)."
  }

  validation {
    # ALB path patterns: "A-Z, a-z, 0-9, _ - . $ / ~ \" ' @ : +, & (using &amp;), * and ?" (listener rules,
    # path conditions). "&" is left out (ALB wants it written as &amp;), and so are the wildcards but a
    # trailing "/*": the route table has no other wildcard.
    condition     = alltrue([for a in values(var.apis) : length(a.routes) >= 1 && alltrue([for r in keys(a.routes) : can(regex("^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (/[A-Za-z0-9_.$/~\"'@:+-]*|(/[A-Za-z0-9_.$/~\"'@:+-]+)?/\\*)$", r)) && try(length(split(" ", r)[1]) <= 128, false)])])
    error_message = "apis routes must be \"METHOD /path\": an upper-case HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS), one space and a path of the characters a load balancer's path pattern allows (A-Z a-z 0-9 _ - . $ / ~ \" ' @ : +), with a trailing \"/*\" for every path below (\"GET /orders/*\", not \"GET /orders/{id}\"); paths are at most 128 characters (ALB's path pattern limit)."
  }

  validation {
    condition     = alltrue([for a in values(var.apis) : alltrue([for scopes in values(a.routes) : length(scopes) >= 1 && length(distinct(scopes)) == length(scopes)])])
    error_message = "Every route in apis needs at least one scope, each listed once: an unprotected route is not allowed."
  }

  validation {
    condition     = alltrue([for a in values(var.apis) : a.zip_path != null || alltrue([for r in keys(a.routes) : contains(["GET /api", "POST /api"], r)])])
    error_message = "An apis entry without zip_path runs the built-in demo, which implements only \"GET /api\" and \"POST /api\" (its cold start rejects any other route): give your own zip_path for other routes."
  }

  validation {
    condition     = alltrue([for a in values(var.apis) : a.zip_path == null || try(fileexists(a.zip_path), false)])
    error_message = "apis zip_path does not point at an existing file: ${join("; ", [for k, a in var.apis : "${k}: ${abspath(a.zip_path)}" if a.zip_path != null && !try(fileexists(a.zip_path), false)])}. Build the function's zip first (make local zips each examples/local/<name>/ folder into <name>.zip), or fix the path."
  }

  validation {
    condition     = alltrue([for a in values(var.apis) : can(regex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$", a.handler))])
    error_message = "An apis handler must be <module>.<function> in Python identifiers, e.g. app.handler or orders.api.handler."
  }

  validation {
    condition     = alltrue([for a in values(var.apis) : a.memory_size >= 128 && a.memory_size <= 10240 && a.timeout >= 1 && a.timeout <= 900 && try(a.reserved_concurrency >= 0, a.reserved_concurrency == null)])
    error_message = "apis: memory_size must be 128-10240 MB, timeout 1-900 seconds, reserved_concurrency null or >= 0."
  }

  validation {
    condition     = alltrue([for a in values(var.apis) : alltrue([for k in keys(a.environment) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k)) && !contains(["_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"], k)])])
    error_message = "apis environment keys must be letters, digits and underscores starting with a letter, and none of the names Lambda reserves (AWS_REGION, AWS_ACCESS_KEY_ID, LAMBDA_TASK_ROOT, _HANDLER, ...): Lambda rejects them."
  }

  validation {
    condition     = alltrue([for a in values(var.apis) : alltrue([for sid, s in a.policy_statements : can(regex("^[A-Za-z0-9]+$", sid)) && length(s.actions) > 0 && length(s.resources) > 0 && alltrue([for x in s.actions : x != "*" && !endswith(x, ":*")])])])
    error_message = "apis policy_statements need alphanumeric keys, at least one action and one resource each, and no wildcard action (\"*\" or \"service:*\")."
  }

  validation {
    condition     = alltrue([for a in values(var.apis) : a.clients == null || try(length(a.clients) >= 1, false)])
    error_message = "An apis entry's clients is null (every client) or a non-empty list of keys of clients."
  }

  validation {
    # One rule per 5 distinct paths (ALB: 5 condition values per rule); 100 rules per load balancer by default, one of them the demo client's.
    condition     = sum(concat([0], [for a in values(var.apis) : ceil(length(distinct([for r in keys(a.routes) : try(split(" ", r)[1], r)])) / 5)])) <= 99
    error_message = "apis need more than 99 listener rules (one per 5 distinct paths of an entry): ALB allows 100 rules per load balancer by default. Use fewer, broader paths (\"GET /orders/*\")."
  }

  validation {
    # No path in two entries, and no entry's "/prefix/*" over a path of another: each path's ancestor
    # prefixes ("/a/b/c" -> "/", "/a/", "/a/b/") are looked up among the wildcard prefixes of all entries
    # (linear in the number of paths: a pairwise comparison takes minutes of plan time at a few hundred).
    condition = alltrue([
      for by_path in [{
        for item in flatten([for k, a in var.apis : [for r in keys(a.routes) : { k = k, p = try(split(" ", r)[1], r) }]]) : item.p => item.k...
        }] : alltrue(concat(
        [for path, owners in by_path : length(distinct(owners)) == 1],
        flatten([
          for wild in [{ for path, owners in by_path : trimsuffix(path, "*") => distinct(owners)... if endswith(path, "/*") }] : [
            for path, owners in by_path : [
              for i in range(1, length(split("/", path))) : [
                for owner in flatten(lookup(wild, "${join("/", slice(split("/", path), 0, i))}/", [])) : owner == owners[0]
              ]
            ]
          ]
        ]),
      ))
    ])
    error_message = "Two apis entries claim the same path (or one's \"/prefix/*\" covers a path of another): the load balancer sends each path to one function. Give each path to one entry."
  }
}

variable "resource_zip_path" {
  description = "Zip of the built-in demo API, deployed for apis entries without zip_path; null means dist/resource.zip in this module (written by `make build`)."
  type        = string
  default     = null

  validation {
    condition     = var.resource_zip_path == null || try(fileexists(var.resource_zip_path), false)
    error_message = "resource_zip_path does not point at an existing file: run `make build` (it writes dist/resource.zip) or fix the path."
  }
}

variable "verifier_layer_zip_path" {
  description = "Zip of the verifier layer (the cognito-m2m-verifier library and its dependencies) attached to every apis function and published for other roots; null means dist/verifier-layer.zip in this module (written by `make build`)."
  type        = string
  default     = null

  validation {
    condition     = var.verifier_layer_zip_path == null || try(fileexists(var.verifier_layer_zip_path), false)
    error_message = "verifier_layer_zip_path does not point at an existing file: run `make build` (it writes dist/verifier-layer.zip) or fix the path."
  }
}

variable "client_zip_path" {
  description = "Zip of the client function; null means dist/client.zip in this module (written by `make build`)."
  type        = string
  default     = null

  validation {
    condition     = var.client_zip_path == null || try(fileexists(var.client_zip_path), false)
    error_message = "client_zip_path does not point at an existing file: run `make build` (it writes dist/client.zip) or fix the path."
  }
}

variable "lambda_runtime" {
  description = "Runtime of both functions; must match the Python version the zips were built for (Makefile PYTHON_VERSION)."
  type        = string
  default     = "python3.13"

  validation {
    condition     = can(regex("^python3\\.(1[2-9]|[2-9][0-9])$", var.lambda_runtime))
    error_message = "lambda_runtime must be python3.12 or newer (e.g. python3.13) and match the zips' PYTHON_VERSION."
  }
}

variable "lambda_architecture" {
  description = "Instruction set of both functions; must match the zips' ARCH (Makefile)."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be arm64 or x86_64 (the Makefile's ARCH)."
  }
}

variable "client_function" {
  description = "Settings of the demo client function: memory (MB), timeout (s; covers the token request and the API call), reserved concurrency (default 2, which caps how many containers, and so billed token requests, the public endpoint can cause; null = unreserved, needed on accounts whose concurrency quota is below 102) and extra environment variables (e.g. TOKEN_EXPIRY_SKEW_SECONDS; the module's own variables win)."
  type = object({
    memory_size          = optional(number, 256)
    timeout              = optional(number, 15)
    reserved_concurrency = optional(number, 2)
    environment          = optional(map(string), {})
  })
  default = {}

  validation {
    condition     = var.client_function.memory_size >= 128 && var.client_function.memory_size <= 10240 && var.client_function.timeout >= 1 && var.client_function.timeout <= 900 && try(var.client_function.reserved_concurrency >= 0, var.client_function.reserved_concurrency == null)
    error_message = "client_function: memory_size must be 128-10240 MB, timeout 1-900 seconds, reserved_concurrency null or >= 0."
  }
}

variable "log_retention_days" {
  description = "Retention of the functions' log groups in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_level" {
  description = "Application log level of both functions (JSON logs)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }
}

variable "issuer_format" {
  description = "Which of the user pool's issuer formats the protected functions accept: \"any\" (both, the default: tokens keep passing while the pool switches, and old tokens stay valid up to a day), \"original\" (https://cognito-idp.<region>.amazonaws.com/<pool id>) or \"updated\" (https://issuer-cognito-idp.<region>.amazonaws.com/<pool id>, which AWS recommends). Each format's keys come from its own JWKS. Provider 5.100 cannot set the pool's issuer: README says how to switch it."
  type        = string
  default     = "any"
  nullable    = false

  validation {
    condition     = contains(["any", "original", "updated"], var.issuer_format)
    error_message = "issuer_format must be \"any\", \"original\" or \"updated\"."
  }
}

variable "user_pool_replica_regions" {
  description = "Regions of the user pool's multi-Region replicas (created outside Terraform: provider 5.100 has no replica resource). The protected functions also accept a replica's original-format issuer (https://cognito-idp.<replica region>.amazonaws.com/<pool id>) with that Region's keys; under the updated format every Region issues the primary Region's issuer."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for r in var.user_pool_replica_regions : can(regex("^[a-z]{2}-(gov-)?[a-z]+-[0-9]$", r))]) && length(distinct(var.user_pool_replica_regions)) == length(var.user_pool_replica_regions) && length(var.user_pool_replica_regions) <= 16
    error_message = "user_pool_replica_regions must be at most 16 distinct Region names like eu-west-1."
  }
}

variable "endpoint_overrides" {
  description = "Optional URLs that replace the derived ones in the functions' configuration: token_url (client TOKEN_URL), jwks_url (resource JWKS_URL), api_url (client API_URL). token_url and jwks_url must be https (plain http only to localhost, 127.x.x.x or [::1]). Used by the local stack; leave empty on AWS."
  type = object({
    token_url = optional(string)
    jwks_url  = optional(string)
    api_url   = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for u in [var.endpoint_overrides.token_url, var.endpoint_overrides.jwks_url, var.endpoint_overrides.api_url] : u == null || can(regex("^(?i:https?)://[^\\s/]+(/[^\\s]*)?$", u))])
    error_message = "endpoint_overrides URLs must be absolute http:// or https:// URLs without spaces."
  }

  validation {
    # The functions refuse these at cold start otherwise: the client secret travels to token_url and the
    # signing keys come from jwks_url, so plain http only to this machine (the local stack), and no
    # credentials, fragment or control character. The pattern is src/common/hosts.py's ENDPOINT_URL_PATTERN
    # (the functions' checked_url), character for character: tests/terraform/test_endpoint_rule.py.
    condition = alltrue([for u in [var.endpoint_overrides.token_url, var.endpoint_overrides.jwks_url] : u == null || can(regex(
      "^(?:(?i:https)://(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?|(?:(?i:localhost)|127\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])|\\[::1\\]))|(?i:http)://(?:(?i:localhost)|127\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])|\\[::1\\]))(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?(?:[/?][\\x21\\x22\\x24-\\x5b\\x5d-\\x7e]*)?$",
      u
    ))])
    error_message = "endpoint_overrides.token_url and jwks_url must be https://<host>[:<port>][/<path>] URLs: an ASCII host name or IPv4 address, a port 1-65535, a path of printable ASCII, no credentials, fragment, blank or backslash (plain http:// only to localhost, 127.x.x.x or [::1]): the client secret travels to the first, the signing keys come from the second."
  }
}

variable "enable_client_endpoint" {
  description = "Create the demo client function and its GET /client route, which fetches a token as client_function_client and calls the API: anyone who may reach /client gets that client's scopes, and each cold start buys a billed token. Off by default; limit it with client_endpoint_source_cidrs. The app clients and their secrets exist either way."
  type        = bool
  default     = false
}

variable "client_endpoint_source_cidrs" {
  description = "With enable_client_endpoint: the only source CIDR blocks whose requests reach GET /client (a source_ip condition on its listener rule; others get the listener's 404). Empty: whoever may reach the load balancer (ingress_cidrs). At most 3 (ALB's limit per condition)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.client_endpoint_source_cidrs) <= 3 && alltrue([for c in var.client_endpoint_source_cidrs : can(cidrnetmask(c)) && try(cidrsubnet(c, 0, 0) == c, false)])
    error_message = "client_endpoint_source_cidrs must list at most 3 canonical IPv4 CIDR blocks, e.g. [\"203.0.113.0/24\"] (host bits zero)."
  }
}

# ---- Load balancer and network --------------------------------------------------------------

variable "certificate_arn" {
  description = "ACM certificate (covering domain_name) for an HTTPS listener; HTTP then only redirects to HTTPS and API_URL is https://<domain_name>/api. null serves plain HTTP."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id>."
  }
}

variable "domain_name" {
  description = "DNS name of the API that the certificate covers (required with certificate_arn); with route53_zone_id an alias record to the load balancer is created."
  type        = string
  default     = null

  validation {
    condition     = var.domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lowercase DNS name such as api.example.com (no scheme, no trailing dot)."
  }
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone in which to create an alias record domain_name -> load balancer; null creates no record."
  type        = string
  default     = null

  validation {
    condition     = var.route53_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", var.route53_zone_id))
    error_message = "route53_zone_id must be a hosted zone id such as Z0123456789ABCDEFGHIJ."
  }
}

variable "vpc_id" {
  description = "Existing VPC of the load balancer (with subnet_ids). null creates a minimal VPC with two public subnets."
  type        = string
  default     = null

  validation {
    condition     = var.vpc_id == null || can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC id such as vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Existing subnets (two or more Availability Zones) of the load balancer; required with vpc_id, empty otherwise."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = (length(var.subnet_ids) == 0 || length(var.subnet_ids) >= 2) && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "subnet_ids must be empty or list at least two subnet ids (subnet-...) in different Availability Zones."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC created when vpc_id is null (/16 to /25)."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && try(cidrsubnet(var.vpc_cidr, 0, 0) == var.vpc_cidr, false) && try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 25, false)
    error_message = "vpc_cidr must be a canonical IPv4 CIDR block between /16 and /25, e.g. \"10.0.0.0/16\"."
  }
}

variable "ingress_cidrs" {
  description = "IPv4 CIDR blocks allowed to reach the load balancer's listener ports (80, and 443 with a certificate)."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.ingress_cidrs) > 0 && alltrue([for c in var.ingress_cidrs : can(cidrnetmask(c)) && try(cidrsubnet(c, 0, 0) == c, false)])
    error_message = "ingress_cidrs must be a non-empty list of canonical IPv4 CIDR blocks, e.g. [\"203.0.113.0/24\"] (host bits zero)."
  }
}

variable "internet_facing" {
  description = "true for an internet-facing load balancer, false for an internal one."
  type        = bool
  default     = true
}

variable "alb_ssl_policy" {
  description = "TLS policy of the HTTPS listener: ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.3 and 1.2) or a stricter TLS 1.3 policy such as ELBSecurityPolicy-TLS13-1-3-2021-06 (TLS 1.3 only)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = startswith(var.alb_ssl_policy, "ELBSecurityPolicy-TLS13-")
    error_message = "alb_ssl_policy must be a TLS 1.3 policy (ELBSecurityPolicy-TLS13-...)."
  }
}

variable "alb_access_logs" {
  description = "Optional access logs of the load balancer to an S3 bucket (its policy must allow ELB log delivery); null disables them."
  type = object({
    bucket = string
    prefix = optional(string)
  })
  default = null
}

variable "alb_multi_value_headers" {
  description = "Send multi-value headers and query strings to the functions (lambda_multi_value_headers_enabled on the target groups)."
  type        = bool
  default     = false
}

# ---- Customized tokens ---------------------------------------------------------------------------

variable "token_customization" {
  description = "A pre-token-generation trigger for client-credentials tokens (Cognito's V3_0 event): either a function this module deploys (zip_path, handler, environment, memory_size, timeout 1-5 s, as Cognito waits 5 s per attempt), with its own role, log group, X-Ray tracing and alarms, or the ARN of an existing function in this account and Region (function_arn; an alias ARN is allowed). The module wires the pool's trigger, lets Cognito invoke it from this pool only, and sets user_pool_tier to ESSENTIALS unless it says PLUS. A deployed function may list this pool's app clients (their ids and names, never their secrets), to map the event's client id to a client's name. null (default): no customization."
  type = object({
    zip_path     = optional(string)
    handler      = optional(string, "app.handler")
    environment  = optional(map(string), {})
    memory_size  = optional(number, 256)
    timeout      = optional(number, 5)
    function_arn = optional(string)
  })
  default = null

  validation {
    condition     = var.token_customization == null || try((var.token_customization.zip_path == null) != (var.token_customization.function_arn == null), false)
    error_message = "token_customization needs exactly one of zip_path (a function the module deploys) and function_arn (an existing function)."
  }

  validation {
    condition     = try(var.token_customization.zip_path == null, true) || try(endswith(var.token_customization.zip_path, ".zip") && fileexists(var.token_customization.zip_path), false)
    error_message = "token_customization.zip_path must be an existing .zip file: build the trigger's zip first (make build writes dist/token-trigger.zip for the example trigger), or fix the path."
  }

  validation {
    condition     = try(var.token_customization.function_arn == null, true) || can(regex("^arn:aws[a-z-]*:lambda:[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:(\\$LATEST|[0-9]+|[A-Za-z0-9_-]{1,128}))?$", var.token_customization.function_arn))
    error_message = "token_customization.function_arn must be a Lambda function ARN, arn:aws:lambda:<region>:<account>:function:<name>, optionally with a version or alias (:live)."
  }

  validation {
    condition     = var.token_customization == null || try(can(regex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$", var.token_customization.handler)) && var.token_customization.memory_size >= 128 && var.token_customization.memory_size <= 10240 && var.token_customization.timeout >= 1 && var.token_customization.timeout <= 5, false)
    error_message = "token_customization: handler must be <module>.<function> (e.g. tenant_claims.handler), memory_size 128-10240 MB, and timeout 1-5 seconds: Cognito waits 5 seconds for a trigger (then retries, three attempts in all), so a longer timeout only runs on after Cognito has given up."
  }

  validation {
    condition     = var.token_customization == null || try(alltrue([for k in keys(var.token_customization.environment) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k)) && !contains(["_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"], k)]), false)
    error_message = "token_customization environment keys must be letters, digits and underscores starting with a letter, and none of the names Lambda reserves (AWS_REGION, AWS_ACCESS_KEY_ID, LAMBDA_TASK_ROOT, _HANDLER, ...): Lambda rejects them."
  }

  validation {
    condition     = var.token_customization == null || try(var.token_customization.zip_path != null || length(var.token_customization.environment) == 0, false)
    error_message = "token_customization.environment applies to a function the module deploys (zip_path), not to an existing function_arn."
  }
}

variable "user_pool_tier" {
  description = "The user pool's feature plan: \"LITE\", \"ESSENTIALS\" or \"PLUS\". null (default): ESSENTIALS when token_customization is set (access-token customization needs Essentials or Plus), else whatever the pool has (Cognito creates new pools on Essentials). The plan prices monthly active users; machine clients are billed per token request on every plan (README, Customize tokens)."
  type        = string
  default     = null

  validation {
    condition     = var.user_pool_tier == null || contains(["LITE", "ESSENTIALS", "PLUS"], coalesce(var.user_pool_tier, "-"))
    error_message = "user_pool_tier must be null, \"LITE\", \"ESSENTIALS\" or \"PLUS\"."
  }

  validation {
    condition     = !(var.user_pool_tier == "LITE" && var.token_customization != null)
    error_message = "token_customization needs the Essentials or Plus feature plan (Cognito: \"Version three is only available in Essentials and Plus\"): set user_pool_tier to \"ESSENTIALS\" (or \"PLUS\"), or leave it null."
  }
}
