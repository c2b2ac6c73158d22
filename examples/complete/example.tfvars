# Placeholder values in the right shapes (plans and policy tests use them); replace them with your own.
certificate_arn     = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8f9e-0a1b2c3d4e5f"
domain_name         = "api.example.com"
route53_zone_id     = "Z0123456789ABCDEFGHIJ"
vpc_id              = "vpc-0123456789abcdef0"
subnet_ids          = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
ingress_cidrs       = ["0.0.0.0/0"]
kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/0b5b3e8a-6c2e-4f7a-9d1e-3c5a7b9d1f2e"
reporting_consumers = ["arn:aws:iam::210987654321:role/reports-exporter"]
deletion_protection = false
client_source_cidrs = ["203.0.113.0/24"]
