variable "name" {
  description = "Name prefix of the user pool, its app clients and their secrets."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name))
    error_message = "name must be 2-32 characters of lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "domain_prefix" {
  description = "Prefix of the Cognito hosted domain (<prefix>.auth.<region>.amazoncognito.com), which serves /oauth2/token. Must be unique in the region."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.domain_prefix)) && !strcontains(var.domain_prefix, "aws") && !strcontains(var.domain_prefix, "amazon") && !strcontains(var.domain_prefix, "cognito")
    error_message = "domain_prefix must be 1-63 lowercase letters, digits and hyphens (no leading/trailing hyphen) and must not contain the reserved words aws, amazon or cognito. The root module derives it as <name>-<account id> unless domain_prefix is set: choose a name without those words, or set domain_prefix."
  }
}

variable "resource_servers" {
  description = "Resource servers keyed by identifier (the scope prefix, e.g. \"rest-api\"), each with a display name and its scopes (scope name => description)."
  type = map(object({
    name   = string
    scopes = map(string)
  }))

  validation {
    condition     = length(var.resource_servers) >= 1 && alltrue([for id, rs in var.resource_servers : can(regex("^[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,256}$", id)) && length(rs.scopes) >= 1])
    error_message = "Each resource server identifier (map key) must be 1-256 printable ASCII characters without spaces, double quotes or backslashes, and each server needs at least one scope."
  }

  validation {
    condition     = alltrue(flatten([for rs in var.resource_servers : [for s, d in rs.scopes : can(regex("^[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]{1,256}$", s)) && length(d) >= 1 && length(d) <= 256]]))
    error_message = "Each scope name must be 1-256 printable ASCII characters without spaces, double quotes, slashes or backslashes, and each scope description 1-256 characters."
  }
}

variable "clients" {
  description = "App clients keyed by a stable name. Each gets a secret, the client_credentials flow only, the listed scopes (\"<resource server identifier>/<scope>\") and an access-token validity in minutes. `consumers`: IAM role ARNs (in other accounts, or this one) that may read the client's secret (GetSecretValue and DescribeSecret, through its resource policy); the secrets then need a customer managed kms_key_arn."
  type = map(object({
    scopes                        = list(string)
    access_token_validity_minutes = optional(number, 60)
    consumers                     = optional(list(string), [])
  }))

  validation {
    condition     = alltrue([for k, c in var.clients : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$", k))])
    error_message = "Client keys must be 1-63 characters of letters, digits, underscores and hyphens, starting with a letter or digit."
  }

  validation {
    condition     = alltrue([for c in var.clients : c.access_token_validity_minutes >= 5 && c.access_token_validity_minutes <= 1440 && floor(c.access_token_validity_minutes) == c.access_token_validity_minutes])
    error_message = "access_token_validity_minutes must be a whole number of minutes between 5 and 1440 (Cognito's range for access tokens)."
  }

  validation {
    condition     = alltrue([for c in var.clients : length(c.scopes) >= 1 && length(c.scopes) <= 50])
    error_message = "Each client needs 1-50 scopes: the client_credentials flow only grants resource-server scopes."
  }

  validation {
    condition     = alltrue(flatten([for c in var.clients : [for a in c.consumers : can(regex("^arn:aws(-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?:iam::[0-9]{12}:role/([\\x21-\\x7E]{1,510}/)?[\\w+=,.@-]{1,64}$", a)) && !strcontains(a, "*") && !strcontains(a, "?")]]))
    error_message = "Each consumer must be an IAM role ARN, arn:aws:iam::<12-digit account>:role/<optional path/><role name> (a name of 1-64 letters, digits and +=,.@_-), with no wildcard (* or ?): an account root, a user, an assumed-role session or a pattern is refused."
  }

  validation {
    condition     = alltrue([for c in var.clients : length(c.consumers) <= 25 && length(distinct([for a in c.consumers : lower(a)])) == length(c.consumers)])
    error_message = "A client has at most 25 consumers, each listed once (IAM role names ignore case): the secret's resource policy must stay within Secrets Manager's 20,480 characters."
  }
}

variable "pre_token_generation_lambda_arn" {
  description = "Function Cognito runs before it issues each access token, with the V3_0 event (client-credentials tokens too); null: none."
  type        = string
  default     = null
}

variable "user_pool_tier" {
  description = "Feature plan of the pool (LITE, ESSENTIALS, PLUS); null leaves the pool's own (ESSENTIALS for a new pool)."
  type        = string
  default     = null

  validation {
    condition     = var.user_pool_tier == null || contains(["LITE", "ESSENTIALS", "PLUS"], coalesce(var.user_pool_tier, "-"))
    error_message = "user_pool_tier must be null, LITE, ESSENTIALS or PLUS."
  }
}

variable "deletion_protection" {
  description = "Protect the user pool from deletion (Cognito's DeletionProtection = ACTIVE)."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the client secrets in Secrets Manager; null uses the AWS managed key aws/secretsmanager, which no other account can use (a client with consumers needs a customer managed key)."
  type        = string
  default     = null
}

variable "secret_recovery_window_days" {
  description = "Days Secrets Manager keeps a deleted client secret recoverable: 0 (delete at once) or 7-30."
  type        = number
  default     = 7

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or between 7 and 30."
  }
}

variable "tags" {
  description = "Tags for every taggable resource of this module."
  type        = map(string)
  default     = {}
}
