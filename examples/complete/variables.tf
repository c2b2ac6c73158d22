variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "m2m-orders"
}

variable "tags" {
  description = "Tags applied to every taggable resource."
  type        = map(string)
  default = {
    project = "m2m-orders"
    owner   = "platform"
  }
}

variable "certificate_arn" {
  description = "ACM certificate (in the region) that covers domain_name."
  type        = string
}

variable "domain_name" {
  description = "DNS name of the API, covered by the certificate (e.g. api.example.com)."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of domain_name, for the alias record; null to manage DNS yourself."
  type        = string
  default     = null
}

variable "vpc_id" {
  description = "Existing VPC of the load balancer."
  type        = string
}

variable "subnet_ids" {
  description = "Existing public subnets (two or more Availability Zones) of the load balancer."
  type        = list(string)
}

variable "ingress_cidrs" {
  description = "CIDR blocks allowed to reach the load balancer."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the client secrets and the log groups; null for AWS managed encryption."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Protect the user pool and the load balancer from deletion."
  type        = bool
  default     = true
}

variable "client_source_cidrs" {
  description = "Source CIDR blocks allowed to call the demo endpoint GET /client (at most 3), e.g. your office; empty lets anyone who reaches the load balancer call it."
  type        = list(string)
  default     = []
}

variable "resource_reserved_concurrency" {
  description = "Reserved concurrency of the resource function; null (default) leaves it unreserved. Needs an account concurrency quota of at least 100 plus this value."
  type        = number
  default     = null
}

variable "client_reserved_concurrency" {
  description = "Reserved concurrency of the demo client function (module default 2); null leaves it unreserved, as new accounts (quota 10) require."
  type        = number
  default     = 2
}

variable "token_trigger_zip_path" {
  description = "The example pre-token-generation trigger's zip (make build writes dist/token-trigger.zip): each caller's tokens then carry its tenant. null (default): tokens as Cognito issues them."
  type        = string
  default     = null
}

variable "reporting_consumers" {
  description = "IAM role ARNs, usually in other accounts, that read the reporting client's secret (the secrets then need kms_key_arn, a customer managed key; its owner adds the consumer_access output's key_policy_statement)."
  type        = list(string)
  default     = []
}
