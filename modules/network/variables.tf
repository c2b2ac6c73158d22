variable "name" {
  description = "Name prefix of the VPC and its resources (Name tags)."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR block of the VPC (/16 to /25); each public subnet takes a quarter of it."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.cidr_block)) && try(cidrsubnet(var.cidr_block, 0, 0) == var.cidr_block, false) && try(tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 25, false)
    error_message = "cidr_block must be a canonical IPv4 CIDR block between /16 and /25 (ALB subnets must be /27 or larger), e.g. \"10.0.0.0/16\"."
  }
}

variable "availability_zone_count" {
  description = "Number of Availability Zones (one public subnet each); an Application Load Balancer needs at least two."
  type        = number
  default     = 2

  validation {
    condition     = var.availability_zone_count >= 2 && var.availability_zone_count <= 4
    error_message = "availability_zone_count must be between 2 and 4."
  }
}

variable "tags" {
  description = "Tags for every taggable resource of this module."
  type        = map(string)
  default     = {}
}
