# The existing-VPC branch: no network is created and the ALB uses the given subnets.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

run "existing_vpc" {
  command = apply

  variables {
    vpc_id          = "vpc-0123456789abcdef0"
    subnet_ids      = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    internet_facing = false
    ingress_cidrs   = ["10.0.0.0/8"]
  }

  override_resource {
    target = module.alb.aws_lb.this
    values = {
      arn      = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/m2m-demo/50dc6c495c0c9188"
      dns_name = "internal-m2m-demo-1234567890.eu-west-1.elb.amazonaws.com"
      subnets  = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    }
  }

  assert {
    condition     = length(module.network) == 0
    error_message = "With vpc_id no VPC is created."
  }

  assert {
    condition     = module.alb.subnet_ids == toset(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"])
    error_message = "The load balancer uses the given subnets."
  }

  assert {
    condition     = output.api_url == "http://internal-m2m-demo-1234567890.eu-west-1.elb.amazonaws.com/api"
    error_message = "API_URL follows the (internal) load balancer."
  }
}

run "vpc_without_subnets" {
  command = plan

  variables {
    vpc_id = "vpc-0123456789abcdef0"
  }

  expect_failures = [output.alb_arn]
}

run "subnets_without_vpc" {
  command = plan

  variables {
    subnet_ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  }

  expect_failures = [output.alb_arn]
}
