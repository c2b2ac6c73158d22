variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "m2m-minimal"
}

variable "client_source_cidrs" {
  description = "Source CIDR blocks allowed to call the demo endpoint GET /client (at most 3); empty lets anyone call it."
  type        = list(string)
  default     = []
}
