# A minimal VPC for the load balancer: public subnets in distinct Availability Zones and an internet gateway.

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  # Regular zones only (e.g. us-east-1a), not Local/Wavelength Zones (us-west-2-lax-1a).
  regular_azs = [for az in sort(data.aws_availability_zones.available.names) : az if can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$", az))]
  azs         = slice(local.regular_azs, 0, min(var.availability_zone_count, length(local.regular_azs)))
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_subnet" "public" {
  for_each = { for i, az in local.azs : az => i }

  vpc_id                  = aws_vpc.this.id
  availability_zone       = each.key
  cidr_block              = cidrsubnet(var.cidr_block, 2, each.value)
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${var.name}-public-${each.key}" })
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-public" })
}

resource "aws_route" "internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  for_each = aws_subnet.public

  subnet_id      = each.value.id
  route_table_id = aws_route_table.public.id
}
