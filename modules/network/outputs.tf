output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, one per Availability Zone, in zone order; known only once the subnets route to the internet gateway."
  value       = [for az in local.azs : aws_route_table_association.public[az].subnet_id]

  # An internet-facing load balancer in these subnets needs the gateway's route when it is created
  # ("VPC has no internet gateway"), and on destroy the route must outlive its public addresses.
  depends_on = [aws_route.internet]
}
