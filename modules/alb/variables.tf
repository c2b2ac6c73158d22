variable "name" {
  description = "Name of the load balancer; also prefixes its security group and target groups (<name>-<target key>)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,30}[a-zA-Z0-9]$", var.name)) && !startswith(lower(var.name), "internal-")
    error_message = "name must be 2-32 letters, digits and hyphens, not starting or ending with a hyphen nor starting with \"internal-\"."
  }
}

variable "vpc_id" {
  description = "VPC of the load balancer's security group."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the load balancer, in at least two Availability Zones."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must list at least two subnets in different Availability Zones (an Application Load Balancer needs two)."
  }
}

variable "internet_facing" {
  description = "true for an internet-facing load balancer, false for an internal one."
  type        = bool
  default     = true
}

variable "ingress_cidrs" {
  description = "IPv4 CIDR blocks allowed to reach the listener ports."
  type        = list(string)

  validation {
    condition     = length(var.ingress_cidrs) > 0 && alltrue([for c in var.ingress_cidrs : can(cidrnetmask(c)) && try(cidrsubnet(c, 0, 0) == c, false)])
    error_message = "ingress_cidrs must be a non-empty list of IPv4 CIDR blocks in canonical form, e.g. \"10.0.0.0/8\" (host bits zero)."
  }
}

variable "certificate_arn" {
  description = "ACM certificate for an HTTPS listener on 443; when set, the HTTP listener only redirects to HTTPS. null serves HTTP on 80."
  type        = string
  default     = null
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener (a TLS 1.3 policy)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = startswith(var.ssl_policy, "ELBSecurityPolicy-TLS13-")
    error_message = "ssl_policy must be a TLS 1.3 policy (ELBSecurityPolicy-TLS13-...), e.g. ELBSecurityPolicy-TLS13-1-2-2021-06 or ELBSecurityPolicy-TLS13-1-3-2021-06."
  }
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion."
  type        = bool
  default     = false
}

variable "idle_timeout" {
  description = "Idle timeout of connections in seconds."
  type        = number
  default     = 60

  validation {
    condition     = var.idle_timeout >= 1 && var.idle_timeout <= 4000
    error_message = "idle_timeout must be between 1 and 4000 seconds."
  }
}

variable "access_logs" {
  description = "Optional access logs to an S3 bucket (the bucket policy must allow ELB log delivery); null disables them."
  type = object({
    bucket = string
    prefix = optional(string)
  })
  default = null
}

variable "targets" {
  description = "Lambda targets keyed by a short stable name (it names the target group): the function, the path patterns routed to it (one rule per 5 condition values: path patterns and source CIDR blocks together), optional source CIDR blocks that alone reach it (at most 3; empty: any source the security group admits), and optionally the priority of its first rule (its further rules take the next priorities; all unique, 1-50000). Without a priority the load balancer gives each new rule the next free priority, which it keeps: only disjoint path sets may leave the order to it."
  type = map(object({
    function_name               = string
    function_arn                = string
    path_patterns               = list(string)
    source_cidrs                = optional(list(string), [])
    priority                    = optional(number)
    multi_value_headers_enabled = optional(bool, false)
  }))

  validation {
    condition     = alltrue([for k, t in var.targets : can(regex("^[a-z0-9-]{1,12}$", k)) && length(t.path_patterns) >= 1 && length(t.source_cidrs) <= 3 && (t.priority == null || try(t.priority >= 1 && t.priority + ceil(length(t.path_patterns) / (5 - length(t.source_cidrs))) - 1 <= 50000, false))])
    error_message = "Each target key must be 1-12 lowercase letters, digits or hyphens, with at least one path pattern, at most 3 source CIDR blocks (ALB allows 5 condition values per rule) and priorities between 1 and 50000 (or none)."
  }

  validation {
    condition     = alltrue([for t in var.targets : alltrue([for p in t.path_patterns : length(p) >= 1 && length(p) <= 128])])
    error_message = "Each path pattern must be 1-128 characters (ALB's limit)."
  }

  validation {
    condition = length(distinct(flatten([
      for t in var.targets : [for i in range(ceil(length(t.path_patterns) / (5 - length(t.source_cidrs)))) : t.priority + i] if t.priority != null
      ]))) == sum(concat([0], [
      for t in var.targets : ceil(length(t.path_patterns) / (5 - length(t.source_cidrs))) if t.priority != null
    ]))
    error_message = "Rule priorities must be unique: each target's rules take priority, priority + 1, ... (one rule per 5 condition values)."
  }
}

variable "domain_name" {
  description = "DNS name that clients use (and the certificate covers); with route53_zone_id an alias record to the load balancer is created."
  type        = string
  default     = null
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone in which to create an alias record domain_name -> load balancer; null creates none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every taggable resource of this module."
  type        = map(string)
  default     = {}
}
