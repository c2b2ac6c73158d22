output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, one per Availability Zone, in zone order."
  value       = [for az in local.azs : aws_subnet.public[az].id]
}
