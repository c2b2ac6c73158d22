# Placeholder values in the right shapes (plans and policy tests use them); replace them with your own.
certificate_arn     = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8f9e-0a1b2c3d4e5f"
domain_name         = "api.example.com"
route53_zone_id     = "Z0123456789ABCDEFGHIJ"
vpc_id              = "vpc-0123456789abcdef0"
subnet_ids          = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
ingress_cidrs       = ["0.0.0.0/0"]
kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
deletion_protection = false
client_source_cidrs = ["203.0.113.0/24"]
